/**
 * Cuts a link connection whose peer takes messages and never acknowledges them: once messages are in flight, some
 * acknowledgement must come within `timeoutMs`, plus the time their bytes take at `minBytesPerSecond` (a file of
 * 8 MiB on a slow link is acknowledged only once it has all arrived: a fixed wait would cut it, resend it from the
 * start, and cut it again, for ever), else `onTimeout` runs (the link closes the connection; its messages are resent
 * on the next one). Heartbeats do not count: a peer that answers pings but never acks is still cut.
 */
export class AckWatchdog {
  #timer: NodeJS.Timeout | undefined;
  /** When we first saw messages in flight with no acknowledgement since. */
  #waitingSince: number | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly inFlight: () => number,
    private readonly onTimeout: () => void,
    private readonly now: () => number = Date.now,
    /** The bytes of the messages in flight (their frames, file content included). */
    private readonly inFlightBytes: () => number = () => 0,
    /** The slowest link allowed, in bytes per second: sets the extra wait of the bytes in flight. */
    private readonly minBytesPerSecond = Number.POSITIVE_INFINITY,
  ) {}

  /** A new connection: watch it. */
  start(): void {
    this.stop();
    this.#timer = setInterval(() => this.#check(), Math.max(10, Math.floor(this.timeoutMs / 4)));
    this.#timer.unref();
  }

  /** An acknowledgement settled messages: the wait starts again. */
  progress(): void {
    this.#waitingSince = undefined;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#waitingSince = undefined;
  }

  #check(): void {
    if (this.inFlight() === 0) {
      this.#waitingSince = undefined;
      return;
    }
    const now = this.now();
    if (this.#waitingSince === undefined) this.#waitingSince = now;
    else if (now - this.#waitingSince >= this.timeoutMs + (this.inFlightBytes() / this.minBytesPerSecond) * 1000) {
      this.stop();
      this.onTimeout();
    }
  }
}
