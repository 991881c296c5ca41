/** Errors a store reports to its callers. */

/**
 * The database cannot be reached (a PostgreSQL server down or restarting, its connections lost): not our bug, and
 * it passes. A store throws (or rejects with) it from any method, and fails a batch with it when its commit could
 * not reach the database. The daemon answers UNAVAILABLE, logs it once per burst, and keeps serving.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: {cause?: unknown}) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** True for a StoreUnavailableError (also one from another copy of this module). */
export function isStoreUnavailable(err: unknown): err is StoreUnavailableError {
  return err instanceof StoreUnavailableError || (err instanceof Error && err.name === 'StoreUnavailableError');
}
