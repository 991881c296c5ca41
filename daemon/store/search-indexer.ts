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
 *
 * The full-text index is kept in shards of about SHARD_MESSAGES consecutive messages (migration 13): FTS5 merges the
 * segments of a level in steps that stop only between two words, so one step of a large merge copies the whole list
 * of a common word, and in one index the largest merges (of every message so far) grow with the history: measured
 * on a bare index, steps of 220-390 ms every 2.5 million messages from 3 million on, and of 0.9-1.9 s at 20.5
 * million (the next level, eight times the size). A shard stops taking messages before its merges reach those
 * levels; the newest shard takes the slices, and a search reads the shards from the newest until it has its
 * candidates. A shard that takes no more messages is merged into one segment, a step per slice (MERGE_PAGES), so
 * that a search pays one seek per word in it.
 */
import type Database from 'better-sqlite3';
import {SCOPE_TOKENS_SQL} from './conversation-keys.js';

/** At most this many messages per indexer slice (about 1 ms of FTS5 inserts on the bench machine per 100). */
export const INDEX_SLICE = 500;
/** A search indexes at most this many pending messages before it asks the index. */
export const SEARCH_CATCH_UP = 5_000;
/** How long after a commit that stored messages the indexer runs: the slices of a busy moment share a segment. */
export const INDEX_DELAY_MS = 10;
/**
 * A new shard of the full-text index starts when the newest holds messages over this span of ids. No merge in a
 * shard makes a segment larger than the shard, so its longest merge step is bounded by this, not by the history.
 * FTS5 (`automerge` 8, slices of 500) makes segments of about 4,000, 32,000, 260,000 and 2 million messages, each
 * from eight of the size below: a shard of a million stops before the merges of the last size.
 */
export const SHARD_MESSAGES = 1_000_000;
/**
 * Pages one merge step of a closed shard writes (FTS5's 'merge' command). A closed shard keeps the segments of
 * every level it had (a search then seeks its words in each, 70-130 µs a shard); merged into one it answers in
 * 11-16 µs. For a shard of a million messages: about 190 steps, 6 ms at the median, the longest (the list of the
 * commonest word, which a step does not split) 80-90 ms, 1.6 s in all.
 */
export const MERGE_PAGES = 64;

/** The FTS5 table of a shard: the first is migration 6's `message_search`. */
export function shardTable(shard: number): string {
  return shard === 0 ? 'message_search' : `message_search_${shard}`;
}

/** The statement that makes a new shard (its table; the same columns and settings as the first): (table). */
function createShardSql(table: string): string {
  return `
    CREATE VIRTUAL TABLE ${table} USING fts5(body, scope, content='', contentless_delete=1, prefix='3');
    INSERT INTO ${table} (${table}, rank) VALUES ('automerge', 8);`;
}

/** The SQL of the indexer (test/daemon/search-indexer.test.ts compares its tokens with scopeTokensOf's). */
export const INDEXER_SQL = {
  /** The messages of the next slice: how many, and the newest: (mark, limit). */
  slice: 'SELECT count(*) AS count, max(id) AS upto FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ? + 0)',
  /**
   * Indexes the messages of a slice into one shard's table: (mark, upto). A delivery-failure notice (a local
   * sender that is no username) and a message with neither recipient nor group belong to nobody's conversation: no
   * scope would ever find them.
   */
  index: (table: string) => `
    INSERT INTO ${table} (rowid, body, scope)
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

/** A shard of the full-text index and where it starts: it holds the indexed messages with an id above `above`. */
export interface ShardSpan {
  shard: number;
  above: number;
}

/**
 * The shards of the full-text index (migration 13's `search_shards`): shard n holds the indexed messages with an id
 * above its `above` and up to the next shard's. The registry is read from the database every time (a rolled-back
 * batch takes a new shard back with its table); only the statements on a shard's table are kept.
 */
export class SearchShards {
  readonly #db: Database.Database;
  readonly #shardMessages: number;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #newest: Database.Statement<[], {shard: number; above: number}>;
  readonly #holding: Database.Statement<[number], number>;
  readonly #newestFirst: Database.Statement<[number], ShardSpan>;
  readonly #add: Database.Statement<[number, number]>;
  readonly #lower: Database.Statement<[number, number]>;
  readonly #toMerge: Database.Statement<[], number>;
  readonly #setMerged: Database.Statement<[number]>;
  readonly #totalChanges: Database.Statement<[], number>;

  /** `shardMessages`: the span of ids after which a new shard starts (SHARD_MESSAGES; tests make it small). */
  constructor(db: Database.Database, shardMessages = SHARD_MESSAGES) {
    this.#db = db;
    this.#shardMessages = shardMessages;
    this.#newest = db.prepare('SELECT shard, above FROM search_shards ORDER BY shard DESC LIMIT 1');
    this.#holding = db.prepare<[number], number>('SELECT shard FROM search_shards WHERE above < ? ORDER BY shard DESC LIMIT 1').pluck();
    this.#newestFirst = db.prepare<[number], ShardSpan>('SELECT shard, above FROM search_shards WHERE above + 1 < ? ORDER BY shard DESC');
    this.#add = db.prepare('INSERT INTO search_shards (shard, above) VALUES (?, ?)');
    this.#lower = db.prepare('UPDATE search_shards SET above = ? WHERE above > ?');
    this.#toMerge = db.prepare<[], number>(
      'SELECT shard FROM search_shards WHERE merged = 0 AND shard < (SELECT max(shard) FROM search_shards) ORDER BY shard LIMIT 1').pluck();
    this.#setMerged = db.prepare('UPDATE search_shards SET merged = 1 WHERE shard = ?');
    this.#totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
  }

  /** A statement on one shard's table, prepared once: `make` gets the table's name. */
  statement<S extends Database.Statement<never[], unknown>>(shard: number, purpose: string, make: (table: string) => S): S {
    const key = `${purpose}:${shard}`;
    let statement = this.#statements.get(key);
    if (statement === undefined) {
      statement = make(shardTable(shard));
      this.#statements.set(key, statement);
    }
    return statement as S;
  }

  /** The shard the messages above `mark` go into: the newest, or a new one once the newest spans shardMessages ids. */
  forIndexing(mark: number): number {
    const newest = this.#newest.get()!;
    if (mark - newest.above < this.#shardMessages) return newest.shard;
    const shard = newest.shard + 1;
    // DDL inside the slice's transaction: a rollback takes the table back with its registry row.
    this.#db.exec(createShardSql(shardTable(shard)));
    this.#add.run(shard, mark);
    return shard;
  }

  /** The shard that holds message `id` if it was indexed. */
  holding(id: number): number {
    return this.#holding.get(id) ?? 0;
  }

  /** The shards that may hold messages below `before` (their first id, above + 1, is below it), newest first. */
  newestFirst(before: number): ShardSpan[] {
    return this.#newestFirst.all(before);
  }

  /** A closed shard (one that takes no more messages) waits to be merged into one segment. */
  mergePending(): boolean {
    return this.#toMerge.get() !== undefined;
  }

  /**
   * One merge step of the oldest closed shard not merged yet: FTS5's 'merge' with a negative page count puts every
   * segment of the shard on one level and merges them, about `pages` pages a step (it stops only between two words).
   * A step that finds nothing to merge (FTS5 then changes fewer than two rows) marks the shard merged. True while
   * a shard waits.
   */
  mergeStep(pages = MERGE_PAGES): boolean {
    const shard = this.#toMerge.get();
    if (shard === undefined) return false;
    const before = this.#totalChanges.get()!;
    this.statement(shard, 'merge', (table) => this.#db.prepare<[number]>(`INSERT INTO ${table} (${table}, rank) VALUES ('merge', ?)`))
      .run(-pages);
    if (this.#totalChanges.get()! - before < 2) {
      this.#setMerged.run(shard);
      return this.mergePending();
    }
    return true;
  }

  /**
   * The mark came down to `mark` (the newest messages were deleted): a shard that starts above it starts there, so
   * the messages that take the deleted ids go to the newest shard and are found in it.
   */
  lowerTo(mark: number): void {
    this.#lower.run(mark, mark);
  }
}

export function prepareSearchIndexer(db: Database.Database, shardMessages = SHARD_MESSAGES) {
  return {
    mark: db.prepare<[], number>('SELECT indexed_upto FROM search_progress').pluck(),
    setMark: db.prepare<[number]>('UPDATE search_progress SET indexed_upto = ?'),
    slice: db.prepare<[number, number], {count: number; upto: number | null}>(INDEXER_SQL.slice),
    newest: db.prepare<[], number | null>('SELECT max(id) FROM messages').pluck(),
    pairs: db.prepare<[number, number]>(INDEXER_SQL.pairs),
    unpair: db.prepare<[string, string | null, number]>('DELETE FROM message_pairs WHERE sender = ? AND recipient = ? AND id = ?'),
    shards: new SearchShards(db, shardMessages),
    /** The insert of a slice into one shard. */
    index(shard: number): Database.Statement<[number, number]> {
      return this.shards.statement(shard, 'index', (table) => db.prepare<[number, number]>(INDEXER_SQL.index(table)));
    },
    /** The delete of one message from one shard. */
    unindex(shard: number): Database.Statement<[number]> {
      return this.shards.statement(shard, 'unindex', (table) => db.prepare<[number]>(`DELETE FROM ${table} WHERE rowid = ?`));
    },
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
  stmt.index(stmt.shards.forIndexing(mark)).run(mark, upto);
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
  stmt.unindex(stmt.shards.holding(id)).run(id);
  // A message without a recipient (a group message) has no entry: the delete finds nothing.
  stmt.unpair.run(message.sender, message.recipient, id);
  const newest = stmt.newest.get() ?? 0;
  // Stryker disable next-line EqualityOperator: at the mark, setting it again changes nothing
  if (newest < mark) {
    stmt.setMark.run(newest);
    stmt.shards.lowerTo(newest);
  }
}
