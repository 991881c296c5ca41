/** Session tokens: created on auth/register, kept in the store (as hashes), cached in memory while in use. */
import {randomUUID} from 'node:crypto';
import type {Clock} from './clock.js';
import type {Store} from './store/types.js';

/** A logged-in session: a token and the user it acts for. */
export interface Session {
  readonly token: string;
  readonly username: string;
}

/** Caches at most this many sessions; older entries are dropped and re-read from the store when used again. */
const CACHE_LIMIT = 100_000;

export class SessionRegistry {
  readonly #cache = new Map<string, string>();

  constructor(private readonly store: Store, private readonly clock: Clock) {}

  /** Starts a new session for a user. */
  create(username: string): Session {
    const token = randomUUID();
    this.store.createSession(token, username, this.clock.now());
    this.#remember(token, username);
    return {token, username};
  }

  /** The live session of a token, or undefined for an unknown or logged-out one. */
  lookup(token: string): Session | undefined {
    let username = this.#cache.get(token);
    if (username === undefined) {
      username = this.store.sessionUser(token);
      if (username === undefined) return undefined;
      this.#remember(token, username);
    }
    return {token, username};
  }

  /** Ends a session at once. */
  end(token: string): void {
    this.#cache.delete(token);
    this.store.deleteSession(token);
  }

  #remember(token: string, username: string): void {
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(token, username);
  }
}
