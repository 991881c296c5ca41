/** The errors of ChatClient. A daemon's ERROR reply is not one of them: it is returned as a Reply. */

/** What went wrong with the connection. */
export type ConnectionFailure =
  /** The TCP connect failed (refused, unknown host, unreachable network). */
  | 'connect'
  /** The TCP connect did not finish within `connectTimeoutMs`. */
  | 'connect-timeout'
  /** An established connection dropped (daemon stopped, network cut, broken reply stream). */
  | 'lost'
  /** `close()` was called while the request was pending. */
  | 'closed'
  /** A request was made while there was no connection (before connect(), while waiting to reconnect, after close()). */
  | 'offline';

/** The connection to the daemon failed or ended. Every request pending at that moment is rejected with it. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
  /**
   * What went wrong in plain words, without the address: `connection refused`, `unknown host`, … for a failed
   * connect; otherwise the whole message.
   */
  readonly reason: string;

  constructor(
    /** The daemon's address, `host:port`. */
    readonly address: string,
    readonly failure: ConnectionFailure,
    message: string,
    options?: {cause?: unknown; reason?: string},
  ) {
    super(message, options);
    this.reason = options?.reason ?? message;
  }

  /** The system error code of the cause (`ECONNREFUSED`, `ENOTFOUND`, …), when there is one. */
  get code(): string | undefined {
    const cause = this.cause as {code?: unknown} | undefined;
    return typeof cause?.code === 'string' ? cause.code : undefined;
  }
}

/** An established connection dropped while requests were pending (a ConnectionError with failure `lost`). */
export class ConnectionLostError extends ConnectionError {
  override name = 'ConnectionLostError';

  constructor(address: string, message: string, options?: {cause?: unknown}) {
    super(address, 'lost', message, options);
  }
}

/** A request got no reply within its timeout. The connection stays open; the late reply is dropped when it comes. */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError';

  constructor(
    readonly address: string,
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`${address} did not answer "${command}" within ${timeoutMs} ms`);
  }
}
