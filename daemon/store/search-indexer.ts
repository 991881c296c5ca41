/**
 * The full-text index kept off the answering path. A stored message is not indexed by the write that stores it (an
 * FTS5 insert costs about as much as the rest of a private message, and FTS5 writes a new segment per commit): an
 * indexer slice indexes the messages above a high-water mark, at most INDEX_SLICE of them, in one transaction that
 * also moves the mark (migration 8's search_progress). The mark is committed with the index rows, so a crash loses
 * neither and indexes nothing twice. A search first catches up (at most SEARCH_CATCH_UP messages), so what a user
 * finds does not depend on when the last slice ran. Every function runs inside the store's write.
 */
import type Database from 'better-sqlite3';
import {scopeTokensOf} from './conversation-keys.js';
import type {MessageColumns} from './message-row.js';

/** At most this many messages per indexer slice (about 1 ms of FTS5 inserts on the bench machine per 100). */
export const INDEX_SLICE = 500;
/** A search indexes at most this many pending messages before it asks the index. */
export const SEARCH_CATCH_UP = 5_000;
/** How long after a commit that stored messages the indexer runs: the slices of a busy moment share a segment. */
export const INDEX_DELAY_MS = 10;

type PendingRow = MessageColumns;

export function prepareSearchIndexer(db: Database.Database) {
  return {
    mark: db.prepare<[], number>('SELECT indexed_upto FROM search_progress').pluck(),
    setMark: db.prepare<[number]>('UPDATE search_progress SET indexed_upto = ?'),
    pending: db.prepare<[number, number], PendingRow>(`
      SELECT id, sender, sender_realm, recipient, recipient_realm, group_name, body FROM messages
      WHERE id > ? ORDER BY id LIMIT ? + 0`),
    newest: db.prepare<[], number | null>('SELECT max(id) FROM messages').pluck(),
    index: db.prepare<[number, string, string]>('INSERT INTO message_search (rowid, body, scope) VALUES (?, ?, ?)'),
    unindex: db.prepare<[number]>('DELETE FROM message_search WHERE rowid = ?'),
  };
}

type Statements = ReturnType<typeof prepareSearchIndexer>;

/** Messages wait above the mark (two index lookups, no write). */
export function hasPending(stmt: Statements): boolean {
  return (stmt.newest.get() ?? 0) > stmt.mark.get()!;
}

/** Indexes at most `limit` messages above the mark and moves it; true when more remain. */
export function indexPending(stmt: Statements, limit: number): boolean {
  const rows = stmt.pending.all(stmt.mark.get()!, limit);
  if (rows.length === 0) return false;
  for (const row of rows) {
    const scope = scopeTokensOf({
      sender: row.sender, senderRealm: row.sender_realm ?? undefined, recipient: row.recipient ?? undefined,
      recipientRealm: row.recipient_realm ?? undefined, group: row.group_name ?? undefined,
    });
    // A delivery-failure notice belongs to nobody's conversation: no scope would ever find it.
    if (scope !== '') stmt.index.run(row.id, row.body, scope);
  }
  stmt.setMark.run(rows[rows.length - 1]!.id);
  return rows.length === limit;
}

/**
 * A message was just deleted: its entry goes if it was indexed. Message ids are reused once the newest message is
 * deleted, so the mark comes back down to the newest message left: the next message, with the deleted one's id, is
 * then indexed too.
 */
export function unindexDeleted(stmt: Statements, id: number): void {
  const mark = stmt.mark.get()!;
  if (id > mark) return;
  stmt.unindex.run(id);
  const newest = stmt.newest.get() ?? 0;
  if (newest < mark) stmt.setMark.run(newest);
}
