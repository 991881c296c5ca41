/**
 * Cuts a link connection whose peer takes messages and never acknowledges them: once messages are in flight, some
 * acknowledgement must come within `timeoutMs`, else `onTimeout` runs (the link closes the connection; its messages
 * are resent on the next one). Heartbeats do not count: a peer that answers pings but never acks is still cut.
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
    else if (now - this.#waitingSince >= this.timeoutMs) {
      this.stop();
      this.onTimeout();
    }
  }
}
