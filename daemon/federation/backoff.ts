/**
 * Reconnect delays: capped exponential backoff with jitter. Pure; the random source is injected for tests.
 *
 * Attempt n (0-based) waits a random time in [d/2, d] with d = min(cap, base * 2^n): growing quickly while a peer
 * is down, never longer than `cap`, and spread so that many realms that lost the same peer do not all redial it in
 * the same millisecond. There is no last attempt: a link is retried forever.
 */

/** Backoff parameters. */
export interface BackoffPolicy {
  /** Delay before the first retry, in ms (before jitter). @default 250 */
  baseMs: number;
  /** Longest delay, in ms. @default 30000 */
  capMs: number;
}

/** The delay before retry number `attempt` (0 = the first retry after a failure). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
