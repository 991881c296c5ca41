/** Long-poll support: an inbox request that asks to wait parks here until a message arrives for its user. */

export class InboxWaiters {
  readonly #waiting = new Map<string, Set<() => void>>();

  /** Resolves when `notify(username)` is called, after `ms`, or when the signal aborts, whichever comes first. */
  wait(username: string, ms: number, signal: AbortSignal): Promise<void> {
    const key = username.toLowerCase();
    return new Promise((resolve) => {
      let set = this.#waiting.get(key);
      if (!set) this.#waiting.set(key, (set = new Set()));
      const waiters = set;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiting.get(key) === waiters) this.#waiting.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, {once: true});
      waiters.add(done);
      if (signal.aborted) done();
    });
  }

  /** Wakes every waiting inbox of a user. */
  notify(username: string): void {
    const set = this.#waiting.get(username.toLowerCase());
    if (set) for (const done of [...set]) done();
  }

  /** How many inbox requests are waiting (for tests and stats). */
  get size(): number {
    let count = 0;
    for (const set of this.#waiting.values()) count += set.size;
    return count;
  }
}
