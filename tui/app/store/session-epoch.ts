/**
 * The number of the current session. A request remembers it when sent and drops its reply when it has changed
 * since (the user logged out, or in as someone else, meanwhile). The session lifecycle moves it on; the parts that
 * send requests read it.
 */
export class SessionEpoch {
  #current = 0;

  /** The current session's number. */
  get current(): number {
    return this.#current;
  }

  /** A session began or ended: replies to requests sent before are stale from now on. */
  next(): void {
    this.#current++;
  }
}
