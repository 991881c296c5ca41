/**
 * Continuing after a store call without a promise when the store answered at once. An `async` function makes a
 * promise per call and one per `await`: on the hottest paths (send, inbox) that was a measurable share of a
 * request's cost with SQLite, which always answers at once. `andThen` continues synchronously on a plain value and
 * through the promise otherwise, so the same code serves a synchronous and an asynchronous store. (Not named
 * `then`: a module exporting `then` is a thenable, and `await import()` of it would call it.)
 */
import type {Awaitable} from './store/types.js';

/** `next(value)` now when `value` is already there, else once it resolves (a rejection passes through). */
export function andThen<T, R>(value: Awaitable<T>, next: (value: T) => Awaitable<R>): Awaitable<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
