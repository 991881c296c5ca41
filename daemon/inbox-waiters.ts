/**
 * Long-poll support: an inbox request that asks to wait parks here until a message may have arrived for its user.
 * The store's wake-up hints (Store.wakeups) are what wake them: after a commit that delivered, in this process
 * (SQLite and PostgreSQL alike) or in another process of the realm (PostgreSQL NOTIFY). A woken waiter re-reads the
 * store, so a hint that names too many users, or a resync after missed hints, simply wakes everyone.
 */
import type {WakeupHint, Wakeups} from './store/wakeups.js';

export class InboxWaiters {
  readonly #waiting = new Map<string, Set<() => void>>();
  readonly #unsubscribe: () => void;

  constructor(wakeups?: Wakeups) {
    this.#unsubscribe = wakeups?.subscribe((users) => this.#onHint(users), () => this.notifyAll()) ?? (() => {});
  }

  /** Resolves when `notify(username)` is called, after `ms`, or when the signal aborts, whichever comes first. */
  wait(username: string, ms: number, signal: AbortSignal): Promise<void> {
    return this.park(username, ms, signal).woken;
  }

  /**
   * Parks a waiter: `woken` resolves as wait()'s promise does, or at once when `cancel()` is called (the request
   * found something unread, or failed). Cheaper than a second AbortController joined with AbortSignal.any(): an
   * `inbox 25` that finds messages at once, the common case of a busy long poll, costs no signal and no
   * DOMException.
   */
  park(username: string, ms: number, signal: AbortSignal): {woken: Promise<void>; cancel: () => void} {
    const key = username.toLowerCase();
    let done!: () => void;
    const woken = new Promise<void>((resolve) => {
      let set = this.#waiting.get(key);
      if (!set) this.#waiting.set(key, (set = new Set()));
      const waiters = set;
      done = () => {
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
    return {woken, cancel: done};
  }

  /** Wakes every waiting inbox of a user. */
  notify(username: string): void {
    const set = this.#waiting.get(username.toLowerCase());
    if (set) for (const done of [...set]) done();
  }

  /** Wakes every waiting inbox (each re-reads the store). */
  notifyAll(): void {
    for (const set of [...this.#waiting.values()]) for (const done of [...set]) done();
  }

  /** Stops listening to the store's hints (the daemon is closing). */
  close(): void {
    this.#unsubscribe();
  }

  #onHint(users: WakeupHint): void {
    if (users === '*') this.notifyAll();
    else for (const user of users) this.notify(user);
  }

  /** How many inbox requests are waiting (for tests and stats). */
  get size(): number {
    let count = 0;
    for (const set of this.#waiting.values()) count += set.size;
    return count;
  }
}
