/**
 * Durability "full" without stalling the event loop: group commit for fsync. SQLite's own `synchronous = FULL`
 * fsyncs the write-ahead log inside every COMMIT, on the main thread (0.7 ms median, 6 ms at worst on the development
 * machine), with every client waiting. Instead the store commits with `synchronous = NORMAL` (the commit is in the
 * WAL, in the OS's cache) and hands the batch to this queue, which fsyncs the WAL file on libuv's thread pool. A batch
 * counts as committed once an fsync that started after its COMMIT has finished; meanwhile the daemon goes on with
 * the next turn, whose batch the next fsync covers. One fsync is in flight at a time and covers every batch committed
 * before it started.
 *
 * Frames of a committed batch are never overwritten before they are durable: the WAL restarts from its beginning only
 * after a checkpoint copied them into the database file and synced it (the checkpoint worker runs with NORMAL, which
 * syncs the WAL before and the database after each checkpoint).
 */
import {closeSync, fsync, openSync} from 'node:fs';

/** A batch waiting for durability: settled with no error once synced, with the error when the fsync failed. */
export interface SyncWaiter {
  settle(error?: unknown): void;
}

export class WalSync {
  #fd: number | undefined;
  /** Committed batches no fsync has covered yet. */
  #waiting: SyncWaiter[] = [];
  #syncing = false;
  /** Resolves the close that waits for the last fsync. */
  #onIdle: (() => void) | undefined;

  /** `walFile`: the database's `-wal` file (it exists once the first write transaction has run). */
  constructor(private readonly walFile: string) {}

  /** A batch whose COMMIT has just returned. */
  add(waiter: SyncWaiter): void {
    this.#waiting.push(waiter);
    this.#next();
  }

  /** True while some committed batch is not yet durable. */
  get pending(): boolean {
    return this.#syncing || this.#waiting.length > 0;
  }

  #next(): void {
    if (this.#syncing || this.#waiting.length === 0) return;
    const covered = this.#waiting;
    this.#waiting = [];
    let fd: number;
    try {
      fd = this.#fd ??= openSync(this.walFile, 'r+');
    } catch (error) {
      for (const waiter of covered) waiter.settle(error);
      return;
    }
    this.#syncing = true;
    fsync(fd, (error) => {
      this.#syncing = false;
      for (const waiter of covered) waiter.settle(error ?? undefined);
      this.#next();
      if (!this.pending) this.#onIdle?.();
    });
  }

  /** Resolves once every batch handed over is durable, then closes the file (call after the final commit). */
  async close(): Promise<void> {
    if (this.pending) await new Promise<void>((resolve) => (this.#onIdle = resolve));
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
