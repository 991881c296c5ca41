/**
 * A refresh that many callers may ask for at once (the realm table re-read on another process's change, or on a
 * miss): at most one runs at a time, and every caller's promise settles after a run that *started after its call*,
 * so it sees every change committed before it asked. Callers that ask while a run is going share the one run
 * queued behind it.
 */
export class CoalescedRefresh {
  #running: Promise<void> | undefined;
  #queued: Promise<void> | undefined;

  constructor(private readonly run: () => Promise<void>) {}

  /** Resolves after a run that started after this call (rejects with that run's error). */
  request(): Promise<void> {
    if (!this.#running) {
      this.#running = this.run().finally(() => { this.#running = undefined; });
      return this.#running;
    }
    // The run going now may have read before what the caller was told of: one more follows it.
    this.#queued ??= this.#running.catch(() => {}).then(() => {
      this.#queued = undefined;
      return this.request();
    });
    return this.#queued;
  }
}
