/**
 * Session writes of this process that the pool cannot see yet. Session lookups read on the pool, outside the group
 * commit (postgres-store.ts): they see what is committed. Until the batch holding a `createSession` or a
 * `deleteSession` of this process has settled, its outcome is answered from here instead:
 *
 * - a session created in a batch not yet committed (an `auth` and a request behind it in one pipeline) is live;
 * - a session deleted in a batch not yet settled (a `logout`) is gone at once, even while the pool still shows it
 *   (a delete that fails keeps it gone until its batch settles: a refused request, never a false OK).
 */
import type {CommitBatch} from '../types.js';

/** A pending write of a session: its user, or false for a delete. */
type PendingWrite = string | false;

export class SessionWrites {
  /** By token hash (hex): the newest pending write, and how many of this process's batches still hold one. */
  readonly #pending = new Map<string, {write: PendingWrite; holds: number}>();

  /**
   * A session of `username` is being created in `batch`: live here until the batch settles (unless `written`
   * answers that no row went in: the user does not exist).
   */
  created(hash: Buffer, username: string, batch: CommitBatch, written: Promise<readonly unknown[]>): void {
    const entry = this.#hold(hash.toString('hex'), batch);
    entry.write = username;
    written.then((rows) => {
      if (rows.length === 0 && entry.write === username) entry.write = false;
    }, () => {
      if (entry.write === username) entry.write = false;
    });
  }

  /** A session is being deleted in `batch`: gone here at once, and until the batch settles. */
  deleted(hash: Buffer, batch: CommitBatch): void {
    this.#hold(hash.toString('hex'), batch).write = false;
  }

  /**
   * What this process's pending writes say of a session: its user, false when it is being deleted (or its creation
   * found no user), undefined when none is pending (then the database answers).
   */
  pending(hash: Buffer): PendingWrite | undefined {
    return this.#pending.get(hash.toString('hex'))?.write;
  }

  #hold(key: string, batch: CommitBatch): {write: PendingWrite; holds: number} {
    let entry = this.#pending.get(key);
    if (!entry) this.#pending.set(key, (entry = {write: false, holds: 0}));
    entry.holds++;
    const held = entry;
    const release = () => {
      if (--held.holds === 0 && this.#pending.get(key) === held) this.#pending.delete(key);
    };
    batch.done.then(release, release);
    return entry;
  }
}
