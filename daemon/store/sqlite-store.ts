/**
 * The SQLite store (better-sqlite3, WAL). Writes use group commit: the first write of an event-loop turn opens a
 * transaction, every write of that turn joins it, and the daemon commits it at the end of the turn (commit(); a
 * setImmediate is the fallback). Callers learn of the commit through the batch (`currentBatch()`, `settled()`). One
 * WAL append (durability "normal") or one WAL append and one fsync off the main thread ("full", wal-sync.ts) thus
 * covers every request of the turn.
 */
import {createHash} from 'node:crypto';
import {mkdirSync} from 'node:fs';
import {dirname, join} from 'node:path';
import type Database from 'better-sqlite3';
import {base64Length} from '../../common/protocol/files.js';
import {BlobFolder, MemoryBlobs, type Blobs} from './blob-folder.js';
import {Checkpointer} from './checkpointer.js';
import {openDatabase, type SqliteLocking} from './sqlite-open.js';
import {WalSync} from './wal-sync.js';
import {WakeupHub, type Wakeups} from './wakeups.js';
import {MIGRATIONS} from './migrations.js';
import {cutInboxPage} from './inbox-page.js';
import {prepareLimitReads} from './limit-reads.js';
import {MARK_READ_UP_TO, messageRowOf, READS, type MessageRow, type RawMessageRow} from './sqlite-reads.js';
import * as conversations from './sqlite-conversations.js';
import * as searchIndex from './search-indexer.js';
import {audienceOf} from './conversation-keys.js';
import {rankCandidates} from './search-rank.js';
import type {
  CommitBatch, ConversationPage, ConversationRecord, ConversationTarget, GroupPage, GroupSummary, HistoryQuery, IncomingBlob,
  InboxFilter, InboxLimits, InboxPage, NewMessage, OutboxCompletion, OutboxFile, OutboxRecord, PasswordRecord, RealmRecord,
  ReceivedMessage, SearchPage, SearchQuery, Store, StoredMessage, UserRecord,
} from './types.js';

/** How hard a commit holds on to the data. */
export type Durability = 'normal' | 'full';

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /** The database file, or ':memory:'. */
  file: string;
  /**
   * "normal": a committed write survives a crash of the daemon (kill -9); "full": it also survives a power loss
   * (an fsync per group commit). @default 'normal'
   */
  durability?: Durability;
  /**
   * How often a worker thread checkpoints the WAL, in ms (see checkpointer.ts); 0 leaves checkpoints to SQLite's
   * automatic one on the main thread. @default 100
   */
  checkpointIntervalMs?: number;
  /** Told when a background checkpoint fails. */
  onCheckpointError?: (message: string) => void;
  /**
   * "exclusive": the daemon's process keeps the file to itself and its commits take no file locks; "shared": other
   * processes may open it while the daemon runs (a backup or inspection tool), at about 10 µs of CPU per commit.
   * See sqlite-open.ts. @default 'exclusive'
   */
  locking?: SqliteLocking;
  /**
   * The span of message ids after which the full-text index starts a new shard (search-indexer.ts); tests make it
   * small. @default SHARD_MESSAGES (1,000,000)
   */
  searchShardMessages?: number;
  /**
   * How long one search may read the index, in ms: it stops after the shard it is in and its page says where to
   * go on (SearchPage.nextBefore). The daemon has one thread; this bounds what a search whose words seldom occur
   * together costs every other client. @default SEARCH_BUDGET_MS (10)
   */
  searchBudgetMs?: number;
  /** The clock of the search budget, in ms (tests step it). @default performance.now */
  clock?: () => number;
}

/** How long one search reads the full-text index before it answers with what it has (searchBudgetMs). */
export const SEARCH_BUDGET_MS = 10;

function toMessage(row: MessageRow): StoredMessage {
  const message: StoredMessage = {id: row.id, sender: row.sender, body: row.body, ts: row.ts};
  if (row.sender_realm !== null) message.senderRealm = row.sender_realm;
  if (row.recipient !== null) message.recipient = row.recipient;
  if (row.recipient_realm !== null) message.recipientRealm = row.recipient_realm;
  if (row.group_name !== null) message.group = row.group_name;
  if (row.received === 1) message.read = row.is_read === 1;
  if (row.file_sha256 !== null) message.file = {name: row.file_name!, size: row.file_size!, sha256: row.file_sha256};
  return message;
}

/** What a message costs a page (inbox, history): its text, and its file's content, which the reply carries too. */
function pageBytes(row: MessageRow): number {
  return Buffer.byteLength(row.body) + base64Length(row.file_size ?? 0);
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

const USER_CACHE_LIMIT = 50_000;

/** The open group commit: pending until COMMIT ran, then committed or failed for good. */
class Batch implements CommitBatch {
  state: CommitBatch['state'] = 'pending';
  error: unknown;
  readonly done: Promise<void>;
  /** The batch stored messages: the search indexer runs after it committed. */
  storedMessages = false;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => { this.#resolve = resolve; this.#reject = reject; });
    this.done.catch(() => {}); // a failed commit is reported to those waiting on it, never as an unhandled rejection
  }

  settle(error?: unknown): void {
    if (error === undefined) {
      this.state = 'committed';
      this.#resolve();
    } else {
      this.state = 'failed';
      this.error = error;
      this.#reject(error);
    }
  }
}

/** What writes belong to when no batch is open: everything before them is committed. */
const COMMITTED: CommitBatch = {state: 'committed', done: Promise.resolve()};


export class SqliteStore implements Store {
  readonly db: Database.Database;
  /** The locking in effect (see SqliteStoreOptions.locking). */
  readonly locking: SqliteLocking;
  /** What another connection of this process opens the database with (the checkpoint worker). */
  readonly #connectionName: string;
  /** The open batch, if one is open. */
  #batch: Batch | undefined;
  #closed = false;
  readonly #stmt;
  readonly #federation: ReturnType<typeof prepareFederationStatements>;
  readonly #limitReads: ReturnType<typeof prepareLimitReads>;
  readonly #conversations: ReturnType<typeof conversations.prepareConversations>;
  /**
   * Private conversation rows that stored messages moved, held across commits and written in the indexer's slices
   * (sqlite-conversations.ts, PendingTouches), with the mark of what is written.
   */
  readonly #touches = new conversations.PendingTouches();
  /** A rollback took back what the held rows stood on: gather them again from the messages before writing them. */
  #touchesStale = false;
  readonly #search: ReturnType<typeof searchIndex.prepareSearchIndexer>;
  /** How long one search reads the index before it answers with what it found (searchBudgetMs). */
  readonly #searchBudget: conversations.SearchBudget;
  /** The next search indexer slice, when one is due (see search-indexer.ts). */
  #indexTimer: NodeJS.Timeout | undefined;
  /**
   * Profiles by lower-cased name: every send looks its recipient up, and profiles never change once created.
   * Bounded; only existing users are cached, so unknown names cannot grow it.
   */
  readonly #users = new Map<string, UserRecord>();
  readonly #options: SqliteStoreOptions;
  /** The checkpoint worker, started with the first write. */
  #checkpointer: Checkpointer | undefined;
  /** Durability "full": fsyncs the WAL after commits, off the main thread. */
  readonly #walSync: WalSync | undefined;
  /** The last batch committed and handed to #walSync, until it is durable. */
  #lastCommitted: Batch | undefined;
  /** File contents: a folder beside the database, or memory for ':memory:'. */
  readonly #blobs: Blobs;
  /**
   * Blobs that must not be collected: being written by putBlob, or just stored and not yet named by the message
   * row that will name them (count per SHA-256). See #collectBlobs.
   */
  readonly #blobPins = new Map<string, number>();
  /**
   * Wake-up hints (the one code path the daemon shares with PostgreSQL), given as soon as a write delivers, not after
   * its commit: a long poll wakes in a microtask of the same turn, and the inbox read it then makes joins the open
   * batch that holds the delivery, so its reply leaves with the same commit (only after it, like every reply). Hinting
   * after the commit cost a second batch and a turn per delivery (the long-poll relay ran at two thirds the rate).
   */
  readonly #hub = new WakeupHub();

  constructor(options: SqliteStoreOptions) {
    this.#options = options;
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), {recursive: true, mode: 0o700});
    this.#blobs = options.file === ':memory:' ? new MemoryBlobs() : new BlobFolder(join(dirname(options.file), 'files'));
    const opened = openDatabase(options.file, options.locking ?? 'exclusive');
    this.db = opened.db;
    this.#connectionName = opened.name;
    this.locking = opened.locking;
    this.db.pragma('journal_mode = WAL');
    // A commit never fsyncs on the main thread: with durability "full", WalSync fsyncs the WAL after it.
    this.db.pragma('synchronous = NORMAL');
    if (options.durability === 'full' && options.file !== ':memory:') this.#walSync = new WalSync(`${options.file}-wal`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    // Indexes of a large history stay in memory: 32 MiB of page cache (the default is 2 MiB).
    this.db.pragma('cache_size = -32768');
    if (this.#backgroundCheckpoints) {
      // The worker checkpoints; SQLite's own automatic checkpoint stays as a safety net at 40 MiB of WAL.
      this.db.pragma('wal_autocheckpoint = 10000');
    }
    this.#migrate();
    const db = this.db;
    this.#stmt = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      savepoint: db.prepare('SAVEPOINT write'),
      release: db.prepare('RELEASE write'),
      rollbackTo: db.prepare('ROLLBACK TO write'),
      insertUser: db.prepare(
        'INSERT INTO users (username, verifier, full_name, country, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      getUser: db.prepare<[string], {username: string; full_name: string; country: string; created_at: number}>(
        'SELECT username, full_name, country, created_at FROM users WHERE username = ?'),
      getPassword: db.prepare<[string], PasswordRecord>('SELECT username, verifier FROM users WHERE username = ?'),
      insertSession: db.prepare('INSERT OR REPLACE INTO sessions (token_hash, username, created_at) VALUES (?, ?, ?)'),
      getSession: db.prepare<[Buffer], {username: string}>('SELECT username FROM sessions WHERE token_hash = ?'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
      insertGroup: db.prepare('INSERT INTO groups (name, created_by, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      groupName: db.prepare<[string], {name: string}>('SELECT name FROM groups WHERE name = ?'),
      insertMember: db.prepare(
        'INSERT INTO group_members (group_name, username, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      isMember: db.prepare('SELECT 1 FROM group_members WHERE group_name = ? AND username = ?').pluck(),
      members: db.prepare<[string], string>(
        'SELECT username FROM group_members WHERE group_name = ? ORDER BY joined_at, username').pluck(),
      // One JSON array per group (a page may hold hundreds): see MESSAGE_ROW for why not a column each.
      listGroups: db.prepare<[string, string, number], string>(`
        SELECT json_array(g.name, g.created_at,
               (SELECT count(*) FROM group_members m WHERE m.group_name = g.name),
               EXISTS (SELECT 1 FROM group_members m WHERE m.group_name = g.name AND m.username = ?))
        FROM groups g WHERE g.name > ? ORDER BY g.name LIMIT ? + 0`).pluck(),
      groupsOf: db.prepare<[string], string>(
        'SELECT group_name FROM group_members WHERE username = ? ORDER BY group_name').pluck(),
      insertMessage: db.prepare<[string, string | null, string | null, string | null, string | null, string, number]>(`
        INSERT INTO messages (sender, sender_realm, recipient, recipient_realm, group_name, body, ts)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      insertDelivery: db.prepare('INSERT OR IGNORE INTO unread (recipient, message_id) VALUES (?, ?)'),
      unreadAll: db.prepare<[string, number], RawMessageRow>(READS.unreadAll).raw(),
      unreadFromRealm: db.prepare<[string, string | null, number], RawMessageRow>(READS.unreadFromRealm).raw(),
      unreadFromSender: db.prepare<[string, string, number], RawMessageRow>(READS.unreadFromSender).raw(),
      message: db.prepare<[number], RawMessageRow>(READS.message).raw(),
      insertFile: db.prepare<[number, string, number, string]>('INSERT INTO files (message_id, name, size, sha256) VALUES (?, ?, ?, ?)'),
      listUsers: db.prepare<[string, number], string>(
        'SELECT username FROM users WHERE username > ? ORDER BY username LIMIT ? + 0').pluck(),
      hasUnread: db.prepare(READS.hasUnread).pluck(),
      markRead: db.prepare<[string, number]>('DELETE FROM unread WHERE recipient = ? AND message_id = ?'),
      markReadUpTo: db.prepare<[string, number]>(MARK_READ_UP_TO),
      privateHistory: db.prepare<Record<string, unknown>, RawMessageRow>(READS.privateHistory).raw(),
      groupHistory: db.prepare<Record<string, unknown>, RawMessageRow>(READS.groupHistory).raw(),
    };
    this.#federation = prepareFederationStatements(db);
    this.#limitReads = prepareLimitReads(db);
    this.#conversations = conversations.prepareConversations(db);
    this.#search = searchIndex.prepareSearchIndexer(db, options.searchShardMessages);
    this.#searchBudget = {now: options.clock ?? (() => performance.now()), ms: options.searchBudgetMs ?? SEARCH_BUDGET_MS};
    this.#sweepBlobs();
    // What a crash left unwritten: the rows the messages above the mark move, and the messages the indexer missed.
    conversations.retouchAbove(this.#conversations, this.#touches);
    this.#scheduleIndexing();
  }

  #migrate(): void {
    const current = this.db.pragma('user_version', {simple: true}) as number;
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.db.pragma(`user_version = ${migration.version}`);
      })();
    }
  }

  /**
   * Runs a write inside the open batch (opening one if needed). How a write that throws is undone:
   * - 'statement': the write is one SQL statement, which SQLite undoes alone; the batch goes on.
   * - 'savepoint': the write runs in its own savepoint and is undone alone; the batch goes on. Two statements more
   *   per write (about 5 µs here), so only for writes that may fail in ordinary use.
   * - 'batch': the hot multi-statement writes (a message and its deliveries), which fail only with the disk or a bug:
   *   the whole batch is rolled back and every request in it is answered INTERNAL, none of them OK.
   * Whatever the mode, when SQLite itself rolled the transaction back (a full disk, an I/O error) the batch fails.
   */
  #write<T>(fn: () => T, mode: 'statement' | 'savepoint' | 'batch'): T {
    if (this.#closed) throw new Error('store is closed');
    if (!this.#batch) this.#open();
    if (mode !== 'savepoint') {
      try {
        return fn();
      } catch (error) {
        if (mode === 'batch' || !this.db.inTransaction) this.#abort(error);
        throw error;
      }
    }
    // What is gathered so far is written before the savepoint: a rollback to it drops only its own.
    if (this.#touches.size > 0 || this.#touchesStale) {
      try {
        this.#writeTouches();
      } catch (error) {
        this.#abort(error);
        throw error;
      }
    }
    // Prepared statements, not db.transaction(), which builds five wrapper functions per call.
    this.#stmt.savepoint.run();
    try {
      const result = fn();
      this.#stmt.release.run();
      return result;
    } catch (error) {
      if (this.db.inTransaction) {
        this.#stmt.rollbackTo.run();
        this.#stmt.release.run();
        this.#touches.clear();
      } else {
        this.#abort(error);
      }
      throw error;
    }
  }

  #open(): void {
    if (this.#backgroundCheckpoints && !this.#checkpointer) {
      this.#checkpointer = new Checkpointer({
        file: this.#connectionName,
        synchronous: this.#options.durability === 'full' ? 'FULL' : 'NORMAL',
        intervalMs: this.#options.checkpointIntervalMs,
        onError: this.#options.onCheckpointError,
      });
    }
    this.#stmt.begin.run();
    this.#batch = new Batch();
    // The daemon commits at the end of its turn (commit()); this is the fallback for writes made outside one.
    setImmediate(() => this.commit());
  }

  /** Writes the held conversation rows, before something reads or changes them. */
  #flushTouches(): void {
    if (this.#touches.size > 0 || this.#touchesStale) this.#write(() => this.#writeTouches(), 'batch');
  }

  /** Writes the held conversation rows and moves their mark; only inside #write. */
  #writeTouches(): void {
    if (this.#touchesStale) {
      conversations.retouchAbove(this.#conversations, this.#touches);
      this.#touchesStale = false;
    }
    conversations.writeTouches(this.#conversations, this.#touches);
  }

  /** Rolls the open batch back and fails it: whoever waits on it learns that none of its writes happened. */
  #abort(error: unknown): void {
    const batch = this.#batch;
    this.#batch = undefined;
    // The held rows mix committed messages' moves with the failed batch's, and the batch may have written some:
    // they are gathered again from what the rollback left.
    this.#touches.clear();
    this.#touchesStale = true;
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.#users.clear(); // it may hold a user whose creation was just rolled back
    batch?.settle(error);
  }

  commit(): void {
    const batch = this.#batch;
    if (!batch) return;
    try {
      // Held rows are written by the indexer's slices; only too many of them are written now.
      if (this.#touches.size > conversations.MAX_HELD_TOUCHES) this.#writeTouches();
      this.#stmt.commit.run();
    } catch (error) {
      this.#abort(error);
      return;
    }
    this.#batch = undefined;
    if (batch.storedMessages) this.#scheduleIndexing();
    if (this.#walSync) {
      this.#lastCommitted = batch;
      this.#walSync.add(batch);
    } else {
      batch.settle();
    }
  }

  currentBatch(): CommitBatch {
    // With durability "full" a read sees committed rows before they are durable: its reply waits for their fsync.
    return this.#batch ?? (this.#lastCommitted?.state === 'pending' ? this.#lastCommitted : COMMITTED);
  }

  settled(): Promise<void> {
    return this.currentBatch().done;
  }

  /** Runs an indexer slice soon, unless one is due already. */
  #scheduleIndexing(delayMs = searchIndex.INDEX_DELAY_MS): void {
    if (this.#indexTimer !== undefined || this.#closed) return;
    this.#indexTimer = setTimeout(() => this.#indexSlice(), delayMs);
    this.#indexTimer.unref();
  }

  /**
   * One indexer slice in its own commit (it commits whatever else the turn wrote too): the held conversation rows,
   * the indexes, and a merge step of a closed shard of the full-text index when one waits; the next slice at once
   * if more messages wait, after INDEX_DELAY_MS if only a merge does.
   */
  #indexSlice(): void {
    this.#indexTimer = undefined;
    if (this.#closed) return;
    const touches = this.#touches.size > 0 || this.#touchesStale;
    const search = searchIndex.hasPending(this.#search);
    const merge = this.#search.shards.mergePending();
    if (!touches && !search && !merge) return;
    let more: {index: boolean; merge: boolean};
    try {
      more = this.#write(() => {
        if (touches) this.#writeTouches();
        const index = search && searchIndex.indexPending(this.#search, searchIndex.INDEX_SLICE);
        return {index, merge: this.#search.shards.mergeStep()};
      }, 'batch');
    } catch {
      return; // the batch failed (the disk): its writes' callers are told; the next commit that stores a message retries
    }
    this.commit();
    if (more.index) this.#scheduleIndexing(0);
    else if (more.merge) this.#scheduleIndexing();
  }

  get #backgroundCheckpoints(): boolean {
    return this.#options.file !== ':memory:' && this.#options.checkpointIntervalMs !== 0;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      this.#flushTouches();
    } catch {
      // Gathered again from the messages when the store opens next.
    }
    this.commit();
    this.#closed = true;
    clearTimeout(this.#indexTimer);
    await this.#walSync?.close();
    await this.#checkpointer?.stop();
    this.db.close(); // the last connection to close checkpoints the rest and removes the WAL
  }

  createUser(user: UserRecord, verifier: string): boolean {
    return this.#write(() =>
      this.#stmt.insertUser.run(user.username, verifier, user.fullName, user.country, user.createdAt).changes === 1, 'statement');
  }

  getUser(username: string): UserRecord | undefined {
    const key = username.toLowerCase();
    const cached = this.#users.get(key);
    if (cached) return cached;
    const row = this.#stmt.getUser.get(username);
    if (!row) return undefined;
    const user = {username: row.username, fullName: row.full_name, country: row.country, createdAt: row.created_at};
    if (this.#users.size >= USER_CACHE_LIMIT) this.#users.delete(this.#users.keys().next().value!);
    this.#users.set(key, user);
    return user;
  }

  getPassword(username: string): PasswordRecord | undefined {
    return this.#stmt.getPassword.get(username);
  }

  createSession(token: string, username: string, now: number): void {
    this.#write(() => this.#stmt.insertSession.run(hashToken(token), username, now), 'statement');
  }

  sessionUser(token: string): string | undefined {
    return this.#stmt.getSession.get(hashToken(token))?.username;
  }

  deleteSession(token: string): void {
    this.#write(() => this.#stmt.deleteSession.run(hashToken(token)), 'statement');
  }

  createGroup(name: string, creator: string, now: number): boolean {
    return this.#write(() => {
      if (this.#stmt.insertGroup.run(name, creator, now).changes === 0) return false;
      this.#stmt.insertMember.run(name, creator, now);
      conversations.recordJoin(this.#conversations, name, creator);
      return true;
    }, 'savepoint');
  }

  groupName(name: string): string | undefined {
    return this.#stmt.groupName.get(name)?.name;
  }

  addMember(group: string, username: string, now: number): boolean {
    return this.#write(() => {
      if (this.#stmt.insertMember.run(group, username, now).changes === 0) return false;
      conversations.recordJoin(this.#conversations, group, username);
      return true;
    }, 'savepoint');
  }

  isMember(group: string, username: string): boolean {
    return this.#stmt.isMember.get(group, username) !== undefined;
  }

  members(group: string): string[] {
    return this.#stmt.members.all(group);
  }

  listUsers(page: GroupPage): string[] {
    return this.#stmt.listUsers.all(page.after, page.limit);
  }

  listGroups(username: string, page: GroupPage): GroupSummary[] {
    return this.#stmt.listGroups.all(username, page.after, page.limit).map((json) => {
      const [name, createdAt, members, isMember] = JSON.parse(json) as [string, number, number, number];
      return {name, members, isMember: isMember === 1, createdAt};
    });
  }

  groupsCreatedBy(username: string): number {
    return this.#limitReads.groupsCreatedBy.get(username)!;
  }

  unreadBytesFrom(recipient: string, sender: string, senderRealm: string | null): number {
    return this.#limitReads.unreadBytesFrom.get(recipient, sender, senderRealm)!;
  }

  groupsOf(username: string): string[] {
    return this.#stmt.groupsOf.all(username);
  }

  storeMessage(message: NewMessage, recipients: readonly string[]): number {
    return this.#write(() => this.#insertMessage(message, recipients), 'batch');
  }

  /** Inserts a message and its deliveries; only inside #write. */
  #insertMessage(message: NewMessage, recipients: readonly string[]): number {
    const id = Number(this.#stmt.insertMessage.run(
      message.sender, message.senderRealm ?? null, message.recipient ?? null, message.recipientRealm ?? null,
      message.group ?? null, message.body, message.ts,
    ).lastInsertRowid);
    if (message.file) this.#stmt.insertFile.run(id, message.file.name, message.file.size, message.file.sha256);
    for (const recipient of recipients) this.#stmt.insertDelivery.run(recipient, id);
    conversations.recordMessage(this.#conversations, this.#touches, id, message, recipients);
    if (this.#batch) this.#batch.storedMessages = true;
    this.#hub.hint(recipients);
    return id;
  }

  unread(username: string, limits: InboxLimits, from: InboxFilter = {}): InboxPage {
    // Fetch one more than the page holds to learn whether more remain.
    const fetch = limits.maxMessages + 1;
    const rows = from.sender !== undefined ? this.#stmt.unreadFromSender.all(username, from.sender, fetch)
      : from.realm === undefined ? this.#stmt.unreadAll.all(username, fetch)
      : this.#stmt.unreadFromRealm.all(username, from.realm, fetch);
    return cutInboxPage(rows.map(messageRowOf), limits, pageBytes, toMessage);
  }

  async putBlob(content: Buffer): Promise<string> {
    const sha256 = BlobFolder.hash(content);
    // Pinned before the blob is looked for: a collection that runs while it is written (or just after it was found
    // there already) keeps it, until the request that stores it has inserted its message row (same turn).
    this.#pinBlob(sha256);
    try {
      return await this.#blobs.put(content, sha256);
    } finally {
      setImmediate(() => this.#unpinBlob(sha256));
    }
  }

  readBlob(sha256: string): Buffer | undefined {
    return this.#blobs.read(sha256);
  }

  readBlobRange(sha256: string, offset: number, length: number): Buffer | undefined {
    return this.#blobs.readRange(sha256, offset, length);
  }

  incomingBlob(): IncomingBlob {
    const blob = this.#blobs.incoming();
    return {
      get bytes() {
        return blob.bytes;
      },
      append: (data) => blob.append(data),
      finish: (sha256) => {
        // Pinned until the blob is in place and its message row went into this turn's batch (the link stores it as
        // soon as finish resolves), as putBlob does.
        this.#pinBlob(sha256);
        const unpin = () => void setImmediate(() => this.#unpinBlob(sha256));
        const finished = blob.finish(sha256);
        if (finished instanceof Promise) finished.then(unpin, unpin);
        else unpin();
        return finished;
      },
      discard: () => blob.discard(),
    };
  }

  #pinBlob(sha256: string): void {
    this.#blobPins.set(sha256, (this.#blobPins.get(sha256) ?? 0) + 1);
  }

  #unpinBlob(sha256: string): void {
    const count = (this.#blobPins.get(sha256) ?? 1) - 1;
    if (count > 0) this.#blobPins.set(sha256, count);
    else this.#blobPins.delete(sha256);
  }

  /**
   * Deletes the blobs among `candidates` that nothing names any more. Runs only after the write that dropped their
   * last reference has committed (a rolled-back delete must find its blob), and synchronously: the check (pins, then
   * the rows, uncommitted ones of the open batch included) and the unlink happen with nothing in between, so a
   * concurrent send of the same content either pinned it first (kept) or finds it gone and writes it again.
   */
  #collectBlobs(candidates: Iterable<string>): void {
    if (this.#closed) return;
    for (const sha256 of new Set(candidates)) {
      if (this.#blobPins.has(sha256) || this.#federation.blobReferenced.get(sha256, sha256) === 1) continue;
      this.#blobs.remove(sha256);
    }
  }

  /**
   * At start-up: removes temporary files a crash left behind and blobs nothing names (a crash between a commit
   * that dropped a blob's last reference and its unlink leaves one).
   */
  #sweepBlobs(): void {
    this.#collectBlobs(this.#blobs.sweepList());
  }

  message(id: number): StoredMessage | undefined {
    const row = this.#stmt.message.get(id);
    return row === undefined ? undefined : toMessage(messageRowOf(row));
  }

  markRead(username: string, messageIds: readonly number[]): void {
    if (messageIds.length === 0) return;
    this.#write(() => {
      for (const id of messageIds) this.#stmt.markRead.run(username, id);
    }, 'batch');
  }

  takeUnread(username: string, limits: InboxLimits, from: InboxFilter = {}): InboxPage {
    const page = this.unread(username, limits, from);
    const last = page.messages.at(-1);
    if (last && from.sender === undefined && from.realm === undefined) {
      // One range delete (MARK_READ_UP_TO): a statement per row cost about seven times as much per message.
      this.#write(() => {
        this.#stmt.markReadUpTo.run(username, last.id);
      }, 'batch');
    } else {
      this.markRead(username, page.messages.map((message) => message.id));
    }
    return page;
  }

  returnUnread(username: string, messageIds: readonly number[]): void {
    if (messageIds.length === 0) return;
    this.#write(() => {
      for (const id of messageIds) this.#stmt.insertDelivery.run(username, id);
      this.#hub.hint([username]);
    }, 'batch');
  }

  wakeups(): Wakeups {
    return this.#hub;
  }

  hasUnread(username: string): boolean {
    return this.#stmt.hasUnread.get(username) !== undefined;
  }

  privateHistory(username: string, peer: string, peerRealm: string | undefined, query: HistoryQuery): StoredMessage[] {
    return this.#stmt.privateHistory
      .all({me: username, peer, realm: peerRealm ?? null, before: query.beforeId ?? Number.MAX_SAFE_INTEGER, limit: query.limit})
      .reverse().map((row) => toMessage(messageRowOf(row)));
  }

  groupHistory(group: string, groupRealm: string | undefined, query: HistoryQuery, sender?: string): StoredMessage[] {
    return this.#stmt.groupHistory
      .all({group, realm: groupRealm ?? null, sender: sender ?? null, before: query.beforeId ?? Number.MAX_SAFE_INTEGER, limit: query.limit})
      .reverse().map((row) => toMessage(messageRowOf(row)));
  }

  // ---- federation (daemon/federation/) ----

  listRealms(): RealmRecord[] {
    return this.#federation.listRealms.all().map((row) => ({
      name: row.name, host: row.host, port: row.port, dial: row.dial === 1, addedAt: row.added_at,
    }));
  }

  saveRealm(realm: RealmRecord): void {
    this.#write(
      () => this.#federation.saveRealm.run(realm.name, realm.host, realm.port, realm.dial ? 1 : 0, realm.addedAt), 'statement');
  }

  enqueueOutbox(realm: string, body: string, copies: readonly NewMessage[], now: number, file?: OutboxFile): OutboxRecord {
    return this.#write(() => {
      const localIds = copies.map((copy) => this.#insertMessage(copy, []));
      const seq = Number(this.#federation.insertOutbox.run(
        realm, body, JSON.stringify(localIds), now, file?.sha256 ?? null, file?.size ?? null).lastInsertRowid);
      return {seq, realm, body, localIds, ...(file ? {file: {sha256: file.sha256, size: file.size}} : {})};
    }, 'batch');
  }

  outboxPage(realm: string, afterSeq: number, uptoSeq: number, limit: number): OutboxRecord[] {
    // Raw rows, one per message sent to the realm: better-sqlite3's row objects cost a runtime call per column (MESSAGE_ROW).
    return this.#federation.outboxPage.all(realm, afterSeq, uptoSeq, limit).map(([seq, body, localIds, sha256, size]) => ({
      seq, realm, body, localIds: JSON.parse(localIds) as number[],
      ...(sha256 !== null ? {file: {sha256, size: size!}} : {}),
    }));
  }

  outboxStats(realm: string): {count: number; lastSeq: number} {
    const row = this.#federation.outboxStats.get(realm)!;
    return {count: row.count, lastSeq: row.last_seq ?? 0};
  }

  completeOutbox(completion: OutboxCompletion): boolean {
    const unnamed = this.#write(() => {
      const blobs = this.#federation.outboxFiles.all(completion.realm, completion.upto);
      this.#federation.deleteOutbox.run(completion.realm, completion.upto);
      for (const notice of completion.notices) this.#insertMessage(notice.message, notice.recipients);
      for (const id of completion.dropMessageIds) {
        const file = this.#federation.deleteDroppedFile.get({id});
        if (file !== undefined) blobs.push(file);
        this.#dropSenderCopy(id);
      }
      return blobs;
    }, 'savepoint');
    // Collected once the delete is durable; a failed commit leaves the rows, and so the blobs.
    if (unnamed.length > 0) this.currentBatch().done.then(() => this.#collectBlobs(unnamed), () => {});
    return true;
  }

  // One process owns a SQLite file: its links need no lease, and asking for one costs nothing.
  readonly sharedLinks = false;

  claimLinkLease(): number {
    return 1;
  }

  renewLinkLease(): boolean {
    return true;
  }

  releaseLinkLease(): void {}

  /**
   * Deletes a sender's copy of a message another realm refused (only inside #write), with its search entry; its
   * conversation's newest message becomes the one before it, or the conversation goes when none is left.
   */
  #dropSenderCopy(id: number): void {
    const columns = this.#stmt.message.get(id);
    if (columns === undefined || this.#federation.deleteMessage.run({id}).changes === 0) return;
    const row = messageRowOf(columns);
    const stmt = this.#conversations;
    this.#flushTouches();
    searchIndex.unindexDeleted(this.#search, row);
    conversations.afterDelete(this.#conversations);
    const message = toMessage(row);
    const audience = audienceOf(message);
    if (audience.kind === 'group') return; // a refused copy is always addressed to another realm
    const query = {limit: 1};
    const newest = message.group !== undefined
      ? this.groupHistory(message.group, message.recipientRealm, query, message.sender)
      : this.privateHistory(message.sender, message.recipient!, message.recipientRealm, query);
    for (const entry of audience.entries) {
      if (newest[0]) stmt.setLast.run({username: entry.username, conversation: entry.conversation, last: newest[0].id});
      else stmt.drop.run({username: entry.username, conversation: entry.conversation});
    }
  }

  // ---- conversations, read markers, search ----

  listConversations(username: string, page: ConversationPage): ConversationRecord[] {
    this.#flushTouches();
    return conversations.listConversations(this.#conversations, username, page);
  }

  markSeen(username: string, target: ConversationTarget, messageId: number): ConversationRecord {
    return this.#write(() => {
      this.#flushTouches();
      return conversations.markSeen(this.#conversations, username, target, messageId);
    }, 'batch');
  }

  searchMessages(query: SearchQuery): SearchPage {
    if (query.words.length === 0 || query.scope.length === 0) return {messages: []};
    // What was stored before the search is found by it, whenever the indexer last ran (bounded).
    if (searchIndex.hasPending(this.#search)) {
      this.#write(() => searchIndex.indexPending(this.#search, searchIndex.SEARCH_CATCH_UP), 'batch');
    }
    const {rows, nextBefore} = conversations.searchCandidates(this.#search.shards, this.db, conversations.searchMatch(query),
      query.beforeId ?? Number.MAX_SAFE_INTEGER, this.#searchBudget);
    const messages = rankCandidates(rows.map(messageRowOf), query.words).slice(0, query.limit).map(toMessage);
    return nextBefore === undefined ? {messages} : {messages, nextBefore};
  }

  receivedVerdict(realm: string, uid: string): string | null | undefined {
    // Asked for every message of a chunk just before the chunk's write: run in the batch that write joins, not in an
    // autocommit read of its own (a shared lock taken and dropped per lookup, most of the lookup's cost).
    const row = this.#write(() => this.#federation.receivedVerdict.get(realm, uid), 'statement');
    return row === undefined ? undefined : row[0];
  }

  storeReceived(realm: string, messages: readonly ReceivedMessage[], now: number): void {
    if (messages.length === 0) return;
    this.#write(() => {
      for (const received of messages) {
        for (const delivery of received.deliveries) this.#insertMessage(delivery.message, delivery.recipients);
        this.#federation.insertReceived.run(realm, received.uid, received.verdict, now);
      }
    }, 'savepoint');
  }

  removeRealm(realm: string): void {
    this.#write(() => {
      this.#federation.deleteRealm.run(realm);
      this.#federation.deleteRealmKey.run(realm);
    }, 'savepoint');
  }

  realmKey(realm: string): string | undefined {
    return this.#federation.realmKey.get(realm);
  }

  pinRealmKey(realm: string, publicKey: string, now: number): void {
    this.#write(() => this.#federation.pinRealmKey.run(realm, publicKey, now), 'statement');
  }

  pruneReceived(before: number, limit: number): number {
    return this.#write(() => this.#federation.pruneReceived.run(before, limit).changes, 'statement');
  }
}

/** The statements of the federation tables (migrations 2 and 4). */
function prepareFederationStatements(db: Database.Database) {
  return {
    listRealms: db.prepare<[], {name: string; host: string; port: number; dial: number; added_at: number}>(
      'SELECT name, host, port, dial, added_at FROM realms ORDER BY name'),
    saveRealm: db.prepare(`
      INSERT INTO realms (name, host, port, dial, added_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET host = excluded.host, port = excluded.port, dial = excluded.dial`),
    insertOutbox: db.prepare(
      'INSERT INTO outbox (realm, body, local_ids, created_at, file_sha256, file_size) VALUES (?, ?, ?, ?, ?, ?)'),
    outboxPage: db.prepare<[string, number, number, number], [number, string, string, string | null, number | null]>(`
      SELECT seq, body, local_ids, file_sha256, file_size FROM outbox
      WHERE realm = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ? + 0`).raw(true),
    outboxFiles: db.prepare<[string, number], string>(
      'SELECT file_sha256 FROM outbox WHERE realm = ? AND seq <= ? AND file_sha256 IS NOT NULL').pluck(),
    // The file row of a dropped sender copy goes first (it references the message); its blob may now be unnamed.
    deleteDroppedFile: db.prepare<{id: number}, string>(`
      DELETE FROM files WHERE message_id = @id
        AND message_id IN (SELECT id FROM messages WHERE sender_realm IS NULL AND recipient_realm IS NOT NULL)
      RETURNING sha256`).pluck(),
    blobReferenced: db.prepare<[string, string], number>(`
      SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = ?) OR EXISTS (SELECT 1 FROM outbox WHERE file_sha256 = ?)`).pluck(),
    outboxStats: db.prepare<[string], {count: number; last_seq: number | null}>(
      'SELECT count(*) AS count, max(seq) AS last_seq FROM outbox WHERE realm = ?'),
    deleteOutbox: db.prepare('DELETE FROM outbox WHERE realm = ? AND seq <= ?'),
    // Only a local sender's copy of a message to another realm, which no local user ever received.
    deleteMessage: db.prepare(
      'DELETE FROM messages WHERE id = @id AND sender_realm IS NULL AND recipient_realm IS NOT NULL'),
    receivedVerdict: db.prepare<[string, string], [string | null]>(
      'SELECT verdict FROM received WHERE realm = ? AND uid = ?').raw(true),
    insertReceived: db.prepare('INSERT INTO received (realm, uid, verdict, received_at) VALUES (?, ?, ?, ?)'),
    deleteRealm: db.prepare('DELETE FROM realms WHERE name = ?'),
    deleteRealmKey: db.prepare('DELETE FROM realm_keys WHERE name = ?'),
    realmKey: db.prepare<[string], string>('SELECT public_key FROM realm_keys WHERE name = ?').pluck(),
    pinRealmKey: db.prepare('INSERT INTO realm_keys (name, public_key, pinned_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    pruneReceived: db.prepare(`
      DELETE FROM received WHERE (realm, uid) IN
        (SELECT realm, uid FROM received WHERE received_at < ? ORDER BY received_at LIMIT ? + 0)`),
  };
}
