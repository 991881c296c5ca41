/**
 * How the store reads what went wrong with a request: connection problems (in plain words), the text of a usage
 * error, and the reply that means the daemon no longer knows the session. Pure.
 */
import {ConnectionError, RequestTimeoutError} from '../../../common/client/errors.js';
import {errorCodeOf, type Reply} from '../../../common/protocol/replies.js';

/** True for a request that could not reach the daemon or got no answer in time (the clients reconnect by themselves). */
export function isConnectionProblem(error: unknown): error is ConnectionError | RequestTimeoutError {
  return error instanceof ConnectionError || error instanceof RequestTimeoutError;
}

/** Plain words for a connection problem with the daemon at `address` (`host:port`). */
export function describeConnectionError(error: ConnectionError | RequestTimeoutError, address: string): string {
  if (error instanceof RequestTimeoutError) return `realmchatd at ${address} did not answer in time`;
  if (error.failure === 'connect' && ['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'].includes(error.code ?? '')) {
    return `cannot reach realmchatd at ${address}: the host name does not resolve; check the server`;
  }
  if (error.failure === 'connect' && error.code === 'ECONNREFUSED') {
    const port = /:(\d+)$/.exec(address)?.[1] ?? '8889';
    return `cannot reach realmchatd at ${address}: connection refused; is it running? (realmchatd --port ${port})`;
  }
  if (error.failure === 'connect-timeout') {
    return `cannot reach realmchatd at ${address}: no answer (a firewall, or the wrong host?)`;
  }
  if (error.failure === 'connect') return `cannot reach realmchatd at ${address}: ${error.reason}`;
  return error.message;
}

/** A usage error's message without its `; usage: …` tail. */
export function withoutUsage(message: string): string {
  return message.replace(/; usage: .*/, '');
}

/** True when a reply says the daemon no longer knows the session (logged out elsewhere, or the daemon was reset). */
export function isSessionGone(reply: Reply): boolean {
  return errorCodeOf(reply) === 'NO_SESSION';
}

/** What the store's parts that send requests announce (ChatStore ends the session on it). */
export interface RequestEvents {
  /** A reply said the daemon no longer knows the session (logged out elsewhere, or the daemon was reset). */
  'session-gone': [];
}
