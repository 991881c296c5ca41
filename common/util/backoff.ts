/**
 * Reconnect delays: capped exponential backoff with jitter. Pure, so it is tested without timers. Shared by the client
 * library (ChatClient reconnects) and the daemon (realm links redial), so it lives in neither.
 */

/** How reconnect attempts are spaced. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. @default 500 */
  initialDelayMs?: number;
  /** Largest delay, in ms. @default 30000 */
  maxDelayMs?: number;
  /** Growth per failed attempt. @default 2 */
  factor?: number;
  /**
   * Share of the delay that is random, 0..1: the delay is drawn from [base × (1 − jitter), base]. Jitter keeps many
   * clients of a restarted daemon from reconnecting in lockstep. @default 0.5
   */
  jitter?: number;
  /** Random source in [0, 1); injectable for tests. @default Math.random */
  random?: () => number;
}

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialDelayMs ?? 500;
  const max = options.maxDelayMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = Math.min(Math.max(options.jitter ?? 0.5, 0), 1);
  const random = options.random ?? Math.random;
  // Capping the exponent keeps factor ** attempt finite for very long outages.
  const base = Math.min(max, initial * factor ** Math.min(attempt, 64));
  return Math.round(base * (1 - jitter * random()));
}
