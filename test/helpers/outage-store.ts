/**
 * A real SqliteStore behind a switch that makes it behave as a store whose database cannot be reached: while the
 * database is "down", every data method fails with StoreUnavailableError (rejecting, as an asynchronous store would,
 * or throwing); `failNextCommit()` makes the batch of the next message write fail at COMMIT (really: SQLite rolls
 * it back) with StoreUnavailableError, as a connection lost at COMMIT would. Nothing of SQLite is mocked.
 */
import {StoreUnavailableError} from '../../daemon/store/errors.js';
import type {SqliteStore} from '../../daemon/store/sqlite-store.js';
import type {CommitBatch, Store} from '../../daemon/store/types.js';

/** The methods that stay up whatever happens: the batch machinery and closing. */
const MACHINERY = new Set<PropertyKey>(['settled', 'currentBatch', 'commit', 'close']);

export interface OutageStore {
  readonly store: Store;
  /** From now on every data method fails: 'reject' returns a rejected promise, 'throw' throws at once. */
  down(how?: 'reject' | 'throw'): void;
  up(): void;
  /** The batch of the next storeMessage fails at COMMIT with StoreUnavailableError. */
  failNextCommit(): void;
}

export function outageStore(inner: SqliteStore): OutageStore {
  let outage: 'reject' | 'throw' | undefined;
  let failCommit = false;
  /** Inner batches that fail because the "connection was lost", and their views. */
  const lost = new WeakSet<CommitBatch>();
  const views = new WeakMap<CommitBatch, CommitBatch>();
  const unavailable = () => new StoreUnavailableError('connection to the database lost (test outage)');

  const view = (batch: CommitBatch): CommitBatch => {
    if (!lost.has(batch)) return batch;
    let seen = views.get(batch);
    if (!seen) {
      const error = unavailable();
      const done = batch.done.catch(() => { throw error; });
      done.catch(() => {});
      seen = {get state() { return batch.state; }, get error() { return batch.state === 'failed' ? error : undefined; }, done};
      views.set(batch, seen);
    }
    return seen;
  };

  const store = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (property === 'currentBatch') return () => view(target.currentBatch());
      if (property === 'settled') return () => view(target.currentBatch()).done;
      if (MACHINERY.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        if (outage === 'throw') throw unavailable();
        if (outage === 'reject') return Promise.reject(unavailable());
        const result: unknown = value.apply(target, args);
        if (property === 'storeMessage' && failCommit) {
          failCommit = false;
          // A dangling row whose foreign key SQLite checks only at COMMIT: that COMMIT really fails.
          target.db.pragma('defer_foreign_keys = ON');
          target.db.prepare('INSERT INTO unread (recipient, message_id) VALUES (?, ?)').run('nobody', 987654321);
          lost.add(target.currentBatch());
        }
        return result;
      };
    },
  }) as unknown as Store;

  return {
    store,
    down(how = 'reject') {
      outage = how;
    },
    up() {
      outage = undefined;
    },
    failNextCommit() {
      failCommit = true;
    },
  };
}
