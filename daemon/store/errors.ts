/** Errors a store reports to its callers. */

/**
 * The database cannot be reached (refused, or the connection was lost): the operation did not happen, or, for a
 * commit whose answer was lost, its outcome is unknown. The router answers `UNAVAILABLE`; never an OK.
 */
export class StoreUnavailableError extends Error {
  constructor(message = 'the store is unavailable', options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
