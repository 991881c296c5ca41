/**
 * Session tokens: created on auth/register, kept in the store (as hashes). A store of this process alone (SQLite)
 * lets them be cached in memory while in use; a shared store (PostgreSQL, several processes) does not: a logout on
 * another process must end the session here at once, so every lookup asks the store.
 */
import {randomUUID} from 'node:crypto';
import type {Clock} from './clock.js';
import type {Awaitable, Store} from './store/types.js';

/** A logged-in session: a token and the user it acts for. */
export interface Session {
  readonly token: string;
  readonly username: string;
}

/** Caches at most this many sessions; older entries are dropped and re-read from the store when used again. */
const CACHE_LIMIT = 100_000;

export class SessionRegistry {
  readonly #cache = new Map<string, string>();
  /** Tokens being ended: a lookup answered by the store in that gap must not cache them again. */
  readonly #ending = new Set<string>();
  readonly #caching: boolean;

  constructor(private readonly store: Store, private readonly clock: Clock) {
    this.#caching = store.shared !== true;
  }

  /** Starts a new session for a user. */
  async create(username: string): Promise<Session> {
    const token = randomUUID();
    await this.store.createSession(token, username, this.clock.now());
    this.#remember(token, username);
    return {token, username};
  }

  /**
   * The live session of a token, or undefined for an unknown or logged-out one. With a store of this process alone it
   * answers at once from the cache (the hot path: every request of a logged-in connection) and asks the store only
   * on a miss, so a synchronous lookup costs no promise.
   */
  lookup(token: string): Awaitable<Session | undefined> {
    const username = this.#cache.get(token);
    if (username !== undefined) return {token, username};
    const stored = this.store.sessionUser(token);
    return stored instanceof Promise ? stored.then((name) => this.#found(token, name)) : this.#found(token, stored);
  }

  /** Ends a session at once (the cache first: no request after this call sees it, even while the store answers). */
  async end(token: string): Promise<void> {
    this.#cache.delete(token);
    this.#ending.add(token);
    try {
      await this.store.deleteSession(token);
    } finally {
      this.#ending.delete(token);
    }
  }

  #found(token: string, username: string | undefined): Session | undefined {
    if (username === undefined) return undefined;
    // A lookup that read the row before end() deleted it says "live" once more, but must not bring it back for later.
    if (this.#ending.has(token)) return undefined;
    this.#remember(token, username);
    return {token, username};
  }

  #remember(token: string, username: string): void {
    if (!this.#caching) return;
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(token, username);
  }
}
