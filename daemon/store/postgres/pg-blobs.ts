/**
 * File contents shared by the processes of a realm, and how a blob and the rows that name it stay together when one
 * process collects blobs while another stores a message naming the same content (issue 13).
 *
 * The race: process B stores a blob (its own autocommit statement; the content may already be there), then names
 * it in a message in its next group commit. Between the two, process A may acknowledge the last outbox row naming
 * that content and collect the blob. Two locks on the blob row close it:
 * - the transaction that names a blob locks its row (FOR KEY SHARE) in the operation that writes the name, and if
 *   the row is gone (collected meanwhile) writes the content again, from the copy this process kept since putBlob;
 * - collection first locks the candidate rows (FOR UPDATE, waiting for every transaction that holds them), and only
 *   then, in a later statement with a fresh snapshot, deletes those that no `files` or `outbox` row names. So a name
 *   committed while collection waited is seen, and a name written after collection took its lock finds the row
 *   gone and writes the content again.
 */
import type {Connection} from './pg-pipeline.js';

/** How long a process keeps a blob's content after putBlob, for the message that names it. */
const HOLD_MS = 60_000;
/** At most this many bytes kept: past it the oldest go (naming one of them after it was collected then fails). */
const HOLD_BYTES = 64 * 1024 * 1024;

/** $1 the candidates (sorted, so two collections lock in one order) → the ones still there, now locked. */
export const LOCK_BLOB_CANDIDATES = 'SELECT sha256 FROM blobs WHERE sha256 = ANY($1::text[]) ORDER BY sha256 FOR UPDATE';

/** $1 the candidates, locked by LOCK_BLOB_CANDIDATES in an earlier statement: deletes those nothing names. */
export const COLLECT_BLOBS = `
  DELETE FROM blobs b WHERE b.sha256 = ANY($1::text[])
    AND NOT EXISTS (SELECT 1 FROM files f WHERE f.sha256 = b.sha256)
    AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.file_sha256 = b.sha256)`;

/** $1 the blobs a transaction is about to name → those still there, locked until it ends. */
const LOCK_NAMED = 'SELECT sha256 FROM blobs WHERE sha256 = ANY($1::text[]) ORDER BY sha256 FOR KEY SHARE';

const INSERT_BLOB = 'INSERT INTO blobs (sha256, content) VALUES ($1, $2) ON CONFLICT DO NOTHING';

/** The contents this process stored lately, by SHA-256, until the messages naming them are written. */
export class HeldBlobs {
  readonly #held = new Map<string, {content: Buffer; timer: NodeJS.Timeout}>();
  #bytes = 0;

  /** Keeps `content` for HOLD_MS (again from now if it is kept already). */
  hold(sha256: string, content: Buffer): void {
    this.#drop(sha256);
    const timer = setTimeout(() => this.#drop(sha256), HOLD_MS);
    timer.unref();
    this.#held.set(sha256, {content, timer});
    this.#bytes += content.length;
    for (const oldest of this.#held.keys()) {
      if (this.#bytes <= HOLD_BYTES || oldest === sha256) break;
      this.#drop(oldest);
    }
  }

  /**
   * Locks the rows of the blobs `sha256s` in the transaction on `conn` (issued now, before whatever the caller issues
   * next), and writes again any that is gone. Resolves once they are all there; rejects when one is gone and its
   * content is no longer kept (its message must not be stored).
   */
  async lockNamed(conn: Connection, sha256s: readonly string[]): Promise<void> {
    const wanted = [...new Set(sha256s)].sort();
    const found = await conn.unsafe<Array<{sha256: string}>>(LOCK_NAMED, [wanted], {prepare: true});
    const present = new Set(found.map((row) => row.sha256));
    const missing = wanted.filter((sha256) => !present.has(sha256));
    await Promise.all(missing.map((sha256) => {
      const held = this.#held.get(sha256);
      if (!held) return Promise.reject(new Error(`the content of file ${sha256} was collected before its message was stored`));
      return conn.unsafe(INSERT_BLOB, [sha256, held.content] as never[], {prepare: true});
    }));
  }

  clear(): void {
    for (const sha256 of [...this.#held.keys()]) this.#drop(sha256);
  }

  #drop(sha256: string): void {
    const held = this.#held.get(sha256);
    if (!held) return;
    clearTimeout(held.timer);
    this.#held.delete(sha256);
    this.#bytes -= held.content.length;
  }
}
