/**
 * The indexes kept off the answering path: the full-text index (message_search) and the private-history index
 * (message_pairs, migration 10). A stored message is not indexed by the write that stores it: an FTS5 insert costs
 * about as much as the rest of a private message and FTS5 writes a new segment per commit, and an entry in a
 * per-conversation index dirties that conversation's leaf page, one 4 KiB WAL frame per conversation per commit
 * (most of a small commit). An indexer slice indexes the messages above a high-water mark, at most INDEX_SLICE of
 * them, in one transaction that also moves the mark (migration 8's search_progress), so a conversation's leaf is
 * written once per slice. The mark is committed with the index rows, so a crash loses neither and indexes nothing
 * twice. A search first catches up (at most SEARCH_CATCH_UP messages), so what a user finds does not depend on when
 * the last slice ran; a history page reads the messages above the mark from the table itself (the short tail the
 * next slice will index, sqlite-reads.ts). Every function runs inside the store's write.
 */
import type Database from 'better-sqlite3';
import {SCOPE_TOKENS_SQL} from './conversation-keys.js';

/** At most this many messages per indexer slice (about 1 ms of FTS5 inserts on the bench machine per 100). */
export const INDEX_SLICE = 500;
/** A search indexes at most this many pending messages before it asks the index. */
export const SEARCH_CATCH_UP = 5_000;
/** How long after a commit that stored messages the indexer runs: the slices of a busy moment share a segment. */
export const INDEX_DELAY_MS = 10;

/** The SQL of the indexer (test/daemon/search-indexer.test.ts compares its tokens with scopeTokensOf's). */
export const INDEXER_SQL = {
  /** The messages of the next slice: how many, and the newest: (mark, limit). */
  slice: 'SELECT count(*) AS count, max(id) AS upto FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ? + 0)',
  /**
   * Indexes the messages of a slice: (mark, upto). A delivery-failure notice (a local sender that is no username)
   * and a message with neither recipient nor group belong to nobody's conversation: no scope would ever find them.
   */
  index: `
    INSERT INTO message_search (rowid, body, scope)
    SELECT id, body, ${SCOPE_TOKENS_SQL} FROM messages
    WHERE id > ? AND id <= ? AND (sender NOT LIKE '~%' OR sender_realm IS NOT NULL)
      AND (group_name IS NOT NULL OR recipient IS NOT NULL)`,
  /**
   * The private-history index of a slice: (mark, upto). Every message with a recipient, as the index on
   * messages(sender, recipient, id) that it replaced held them; the history reads filter realms and groups.
   */
  pairs: `
    INSERT OR IGNORE INTO message_pairs (sender, recipient, id)
    SELECT sender, recipient, id FROM messages WHERE id > ? AND id <= ? AND recipient IS NOT NULL`,
  /** The tokens the index gets for one message (tests only): (id). */
  tokensOf: `SELECT ${SCOPE_TOKENS_SQL} FROM messages WHERE id = ?`,
} as const;

export function prepareSearchIndexer(db: Database.Database) {
  return {
    mark: db.prepare<[], number>('SELECT indexed_upto FROM search_progress').pluck(),
    setMark: db.prepare<[number]>('UPDATE search_progress SET indexed_upto = ?'),
    slice: db.prepare<[number, number], {count: number; upto: number | null}>(INDEXER_SQL.slice),
    newest: db.prepare<[], number | null>('SELECT max(id) FROM messages').pluck(),
    index: db.prepare<[number, number]>(INDEXER_SQL.index),
    pairs: db.prepare<[number, number]>(INDEXER_SQL.pairs),
    unindex: db.prepare<[number]>('DELETE FROM message_search WHERE rowid = ?'),
    unpair: db.prepare<[string, string | null, number]>('DELETE FROM message_pairs WHERE sender = ? AND recipient = ? AND id = ?'),
  };
}

type Statements = ReturnType<typeof prepareSearchIndexer>;

/** Messages wait above the mark (two index lookups, no write). */
export function hasPending(stmt: Statements): boolean {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a true answer only costs a slice that finds nothing
  return (stmt.newest.get() ?? 0) > stmt.mark.get()!;
}

/** Indexes at most `limit` messages above the mark and moves it; true when more remain. */
export function indexPending(stmt: Statements, limit: number): boolean {
  const mark = stmt.mark.get()!;
  const {count, upto} = stmt.slice.get(mark, limit)!;
  // Stryker disable next-line ConditionalExpression,LogicalOperator,BooleanLiteral: callers ask only when hasPending() said so; an empty slice then needs another writer between the two (there is none)
  if (count === 0 || upto === null) return false;
  stmt.index.run(mark, upto);
  stmt.pairs.run(mark, upto);
  stmt.setMark.run(upto);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: only when the rest is indexed (at once or after the next commit); a search catches up first either way
  return count === limit;
}

/**
 * A message was just deleted: its entries go if it was indexed. Message ids are reused once the newest message is
 * deleted, so the mark comes back down to the newest message left: the next message, with the deleted one's id, is
 * then indexed too.
 */
export function unindexDeleted(stmt: Statements, message: {id: number; sender: string; recipient: string | null}): void {
  const {id} = message;
  const mark = stmt.mark.get()!;
  // Stryker disable next-line ConditionalExpression: without it the deletes find nothing and the mark stays (the newest left is at or above it)
  if (id > mark) return;
  stmt.unindex.run(id);
  // A message without a recipient (a group message) has no entry: the delete finds nothing.
  stmt.unpair.run(message.sender, message.recipient, id);
  const newest = stmt.newest.get() ?? 0;
  // Stryker disable next-line EqualityOperator: at the mark, setting it again changes nothing
  if (newest < mark) stmt.setMark.run(newest);
}
