/** Which PostgreSQL client errors mean "the database cannot be reached", and how they are reported without secrets. */
import {StoreUnavailableError} from '../errors.js';

/** Errors of the client library and of the socket that mean the connection is gone or was never made. */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND',
]);

/**
 * SQLSTATEs of a server that is going away or not there yet: class 08 (connection exception), 57P01-57P03
 * (admin shutdown, crash shutdown, cannot connect now: starting up or in recovery).
 */
function isUnavailableState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/** Whether `error` means the database cannot be reached (rather than a statement that failed). */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const code = (error as {code?: unknown} | null)?.code;
  return typeof code === 'string' && (CONNECTION_CODES.has(code) || isUnavailableState(code));
}

/** `error` as a StoreUnavailableError (its message without any password), keeping it as the cause. */
export function unavailable(error: unknown): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const code = (error as {code?: unknown} | null)?.code;
  return new StoreUnavailableError(`the database is unavailable (${typeof code === 'string' ? code : 'no answer'})`, {cause: error});
}

/**
 * Whether `error` is PostgreSQL breaking a conflict between concurrent transactions (40P01 deadlock detected, 40001
 * serialization failure): the transaction was rolled back and running it again may well succeed.
 */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as {code?: unknown} | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Whether `error` is a statement refused because an earlier one aborted its transaction (25P02). */
export function isInAbortedTransaction(error: unknown): boolean {
  return (error as {code?: unknown} | null)?.code === '25P02';
}
