/** The clock the daemon reads: passed into createDaemon so tests may pass a fixed one. */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = {now: () => Date.now()};
