/**
 * Back-off of failed `auth` attempts, per username and per source address. A key may fail `freeFailures` times;
 * each further failure blocks it for `baseMs` doubled per failure, up to `maxMs`. While blocked, every attempt of
 * the key is refused without hashing (a right password too: otherwise guessing would go on). A key's failures are
 * forgotten after `forgetMs` without one, and a username's at its next successful login.
 */
import type {Clock} from '../clock.js';

/** Back-off of one kind of key. */
export interface BackoffPolicy {
  /** Failures allowed before the first block. */
  freeFailures: number;
  /** The first block, in ms; each further failure doubles it. */
  baseMs: number;
  /** The longest block, in ms. */
  maxMs: number;
}

interface Failures {
  count: number;
  blockedUntil: number;
  last: number;
}

/** Forget a key this long after its last failure. */
const FORGET_MS = 15 * 60_000;
/** Past this many keys, forgotten ones are swept on the next failure. */
const SWEEP_AT = 10_000;

class BackoffTable {
  readonly #entries = new Map<string, Failures>();
  #sweepAt = SWEEP_AT;

  constructor(private readonly policy: BackoffPolicy) {}

  /** Milliseconds until the key may try again; 0 when it may now. */
  waitMs(key: string, now: number): number {
    const entry = this.#entries.get(key);
    if (!entry) return 0;
    if (now - entry.last > FORGET_MS) {
      this.#entries.delete(key);
      return 0;
    }
    return Math.max(0, entry.blockedUntil - now);
  }

  fail(key: string, now: number): void {
    let entry = this.#entries.get(key);
    if (!entry || now - entry.last > FORGET_MS) {
      entry = {count: 0, blockedUntil: 0, last: now};
      this.#entries.set(key, entry);
      if (this.#entries.size > this.#sweepAt) this.#sweep(now);
    }
    entry.count++;
    entry.last = now;
    const over = entry.count - this.policy.freeFailures;
    if (over > 0) entry.blockedUntil = now + Math.min(this.policy.maxMs, this.policy.baseMs * 2 ** Math.min(over - 1, 40));
  }

  forget(key: string): void {
    this.#entries.delete(key);
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) if (now - entry.last > FORGET_MS) this.#entries.delete(key);
    this.#sweepAt = Math.max(SWEEP_AT, this.#entries.size * 2);
  }
}

/** The auth back-off of one daemon. */
export class AuthLimiter {
  readonly #users: BackoffTable;
  readonly #peers: BackoffTable;

  constructor(private readonly clock: Clock, users: BackoffPolicy, peers: BackoffPolicy) {
    this.#users = new BackoffTable(users);
    this.#peers = new BackoffTable(peers);
  }

  /** Seconds (rounded up, at least 1) until `username` from `peer` may try again; 0 when it may now. */
  retryAfter(username: string, peer: string): number {
    const now = this.clock.now();
    const wait = Math.max(this.#users.waitMs(username.toLowerCase(), now), this.#peers.waitMs(peer, now));
    return wait === 0 ? 0 : Math.max(1, Math.ceil(wait / 1000));
  }

  /** A wrong password (`known`: for an existing user) or an unknown username. */
  failed(username: string, peer: string, known: boolean): void {
    const now = this.clock.now();
    if (known) this.#users.fail(username.toLowerCase(), now);
    this.#peers.fail(peer, now);
  }

  /** A successful login clears the username's failures (not the address's). */
  succeeded(username: string): void {
    this.#users.forget(username.toLowerCase());
  }
}
