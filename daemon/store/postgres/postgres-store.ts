/**
 * The PostgreSQL store: one realm served by many realmchatd processes that share a database (issue 13).
 *
 * Client: `postgres` (porsager) 3.4, not `pg` 8. Group commit lives on pipelining: every operation of a turn goes on
 * one connection without waiting for the answer before it (BEGIN, the statements, COMMIT), which `postgres` does and
 * `pg` 8 does not (it sends a query only after the previous one answered). It also has `listen()` on a dedicated
 * connection that reconnects and calls back on every (re)connect (our wake-up resync), and it has no dependencies.
 *
 * Every operation runs through GroupCommitPipeline (pg-pipeline.ts): one transaction per turn, in issue order, on one
 * reserved connection; reads too, so a process always sees its own earlier writes. Expected conflicts (a taken name,
 * a member already in) never abort the transaction: ON CONFLICT DO NOTHING RETURNING. File contents are stored in the
 * database (blobs), written in their own autocommit statement on the pool before the message that names them.
 *
 * Wake-ups: a batch that delivered to someone sends one pg_notify on `realmchat_<realm>` inside its transaction (the
 * users by name, up to 100, else '*'); every process LISTENs and tells its subscribers. The process that committed
 * tells its own subscribers at once and ignores its own NOTIFY.
 */
import {createHash, randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';
import postgres, {type Sql} from 'postgres';
import type {BackoffOptions} from '../../../common/util/backoff.js';
import {BlobFolder} from '../blob-folder.js';
import {cutInboxPage} from '../inbox-page.js';
import type {
  CommitBatch, ConversationPage, ConversationRecord, ConversationTarget, GroupPage, IncomingBlob, GroupSummary, HistoryQuery,
  InboxFilter, InboxLimits, InboxPage, LinkLease, NewMessage, OutboxCompletion, OutboxFile, OutboxRecord, PasswordRecord,
  RealmRecord, ReceivedMessage, SearchPage, SearchQuery, Store, StoredMessage, UserRecord,
} from '../types.js';
import {SEARCH_CANDIDATES} from '../types.js';
import {conversationName} from '../conversation-keys.js';
import {rankCandidates} from '../search-rank.js';
import {
  ADD_MEMBER, COMPLETE_OUTBOX, JOIN_CREATED, LIST_CONVERSATIONS, SEARCH, markSeenQuery, searchTsQuery, toConversation,
  type PgConversationRow,
} from './pg-conversations.js';
import {WakeupHub, type WakeupHint, type Wakeups} from '../wakeups.js';
import {isConnectionLoss, unavailable} from './pg-errors.js';
import {
  ENQUEUE_OUTBOX, GROUP_HISTORY, INSERT_MESSAGES, MESSAGE_BY_ID, PRIVATE_HISTORY, insertMessagesParams, pageBytes, parseIds, takeUnreadSql,
  toMessage, unreadSql, type PgMessageRow,
} from './pg-messages.js';
import {COLLECT_BLOBS, HeldBlobs, LOCK_BLOB_CANDIDATES} from './pg-blobs.js';
import {GroupCommitPipeline, type Connection, type PgBatch} from './pg-pipeline.js';
import {SessionWrites} from './pg-sessions.js';
import {CLAIM_LEASE, LEASE_HELD, OUTBOX_ORDER_LOCK, RELEASE_LEASE, RENEW_LEASE} from './pg-lease.js';
import {migrate} from './pg-schema.js';
import {connectionTarget, redactSecret, redactUrl} from './pg-url.js';

/** Options of the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db` (`?host=/socket/dir` for a unix socket). A password in it is never logged. */
  url: string;
  /** This realm's name: the NOTIFY channel is `realmchat_<realm>`. */
  realm: string;
  /** The password, if not in the URL; PGPASSWORD in the environment is used otherwise. */
  password?: string;
  /** A file holding the password (its first line). */
  passwordFile?: string;
  /** Connections of the pool for blobs and migrations (the pipeline and the listener have their own). @default 2 */
  poolSize?: number;
  /** Reconnect delays of the pipeline. */
  reconnect?: BackoffOptions;
  /** Told of connection loss and recovery, as log lines without the password. */
  log?: (line: string) => void;
}

/** How many users a wake-up names before it says '*' (a NOTIFY payload must stay under 8000 bytes). */
const HINT_NAMES = 100;
const USER_CACHE_LIMIT = 50_000;

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** int8 (ids, times, counts) as JS numbers: every value we store is below 2^53. */
const INT8_AS_NUMBER = {to: 20, from: [20], serialize: (value: number) => String(value), parse: (value: string) => Number(value)};

export class PostgresStore implements Store {
  /** Every realmchatd process of the realm writes this database. */
  readonly shared = true;
  /** The pool: blobs, migrations, and the LISTEN connection (a connection of its own, made by postgres.js). */
  /** Migrations at open, and the LISTEN connection (postgres.js keeps it on a connection of its own). */
  readonly #sql: Sql;
  /**
   * Reads outside the group commit (session lookups, leases) and blob contents. Replaced when the pipeline's
   * connection comes back after an outage: postgres.js 3.4.9 can leave a query on a pooled connection waiting for
   * ever when the server closed it while starting up (porsager/postgres#1193, #1195); a new pool fails those
   * instead (UNAVAILABLE), and serves the next ones.
   */
  #pool: Sql;
  readonly #newPool: () => Sql;
  /** The pool of the pipeline's one reserved connection (a new one per connection). */
  #pipeSql: Sql | undefined;
  readonly #pipeline: GroupCommitPipeline;
  readonly #hub = new WakeupHub();
  /** Tells this process's NOTIFYs from the others'. */
  readonly #origin = randomBytes(8).toString('hex');
  readonly #channel: string;
  /** Profiles by lower-cased name (profiles never change once created); cleared when a batch fails. */
  readonly #users = new Map<string, UserRecord>();
  readonly #log: (line: string) => void;
  /** Contents stored lately, for the messages that name them (pg-blobs.ts). */
  readonly #heldBlobs = new HeldBlobs();
  /** This process's session writes until they commit (what the pool cannot see yet). */
  readonly #sessions = new SessionWrites();
  #unlisten: (() => Promise<void>) | undefined;
  /** The last storeMessage statement issued, which later messages join while it waits to go out. */
  #messageGroup: MessageGroup | undefined;

  private constructor(options: PostgresStoreOptions) {
    const password = options.password ?? (options.passwordFile ? readFileSync(options.passwordFile, 'utf8').split('\n')[0] : undefined);
    const secret = password ?? safePassword(options.url) ?? process.env.PGPASSWORD;
    this.#log = (line) => options.log?.(redactSecret(line, secret));
    const target = connectionTarget(options.url);
    const common = {
      ...(password !== undefined ? {password} : {}),
      ...(target.host !== undefined ? {host: target.host} : {}),
      types: {int8: INT8_AS_NUMBER},
      onnotice: () => {},
      idle_timeout: 0,
      max_lifetime: null,
      connection: {application_name: 'realmchatd'},
    };
    this.#sql = postgres(target.url, {...common, max: 1});
    this.#newPool = () => postgres(target.url, {...common, max: options.poolSize ?? 2});
    this.#pool = this.#newPool();
    this.#channel = `realmchat_${options.realm.toLowerCase()}`.slice(0, 63);
    this.#pipeline = new GroupCommitPipeline({
      connect: () => this.#connectPipeline(target.url, common),
      reconnect: options.reconnect,
      beforeCommit: (conn, batch) => this.#notify(conn, batch),
      onCommitted: (batch) => this.#hub.hint(hintOf(batch)),
      // The cache may hold a user whose creation was just rolled back.
      onFailed: () => this.#users.clear(),
      onStatus: (status, error) => {
        if (status === 'restored') this.#renewPool();
        this.#log(status === 'lost'
          ? `store: lost the database at ${redactUrl(options.url)} (${(error as Error | undefined)?.message ?? ''}); reconnecting`
          : `store: the database at ${redactUrl(options.url)} is back`);
      },
    });
  }

  /**
   * A new connection for the pipeline, in a pool of its own: each connection the pipeline uses gets a fresh pool,
   * so nothing a lost connection left queued in the client can ever run on its successor.
   */
  async #connectPipeline(url: string, common: postgres.Options<Record<string, postgres.PostgresType>>): Promise<Connection> {
    const pool: Sql = postgres(url, {
      ...common,
      max: 1,
      // The reserved connection closed (the server went, or the network): fail what waits on it, reconnect.
      onclose: () => {
        if (this.#pipeSql === pool) this.#pipeline.lost(Object.assign(new Error('connection closed'), {code: 'CONNECTION_CLOSED'}));
      },
    });
    try {
      const conn = await pool.reserve();
      await conn`SELECT 1`;
      void this.#pipeSql?.end({timeout: 0});
      this.#pipeSql = pool;
      return conn;
    } catch (error) {
      void pool.end({timeout: 0});
      throw error;
    }
  }

  /** A fresh pool for reads and blobs; what waits on the old one fails (see #pool). */
  #renewPool(): void {
    const old = this.#pool;
    this.#pool = this.#newPool();
    void old.end({timeout: 0}).catch(() => {});
  }

  /** Connects, brings the schema up to date (once across processes) and starts listening for wake-ups. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    try {
      const conn = await store.#sql.reserve().catch((error: unknown) => { throw unavailable(error); });
      try {
        await migrate(conn);
      } finally {
        conn.release();
      }
      await store.#pipeline.start();
      const listening = await store.#sql.listen(store.#channel, (payload) => store.#onNotify(payload), () => store.#hub.resync());
      store.#unlisten = () => listening.unlisten();
    } catch (error) {
      await store.#end();
      throw error;
    }
    return store;
  }

  /** Runs an operation in the open batch, after every operation before it. */
  #run<T>(issue: (conn: Connection) => Promise<T>): Promise<T> {
    return this.#pipeline.run(issue);
  }

  #rows<T>(text: string, params: unknown[]): Promise<T[]> {
    return this.#run(async (conn) => [...await conn.unsafe(text, params as never[], {prepare: true})] as T[]);
  }

  #delivered(recipients: readonly string[]): void {
    const set = this.#pipeline.openBatch.recipients;
    for (const name of recipients) set.add(name);
  }

  #notify(conn: Connection, batch: PgBatch): void {
    const users = hintOf(batch);
    if (users !== '*' && users.length === 0 && !batch.realmsChanged) return;
    const payload: NotifyPayload = {o: this.#origin, u: users, ...(batch.realmsChanged ? {r: 1} : {})};
    void conn`SELECT pg_notify(${this.#channel}, ${JSON.stringify(payload)})`.catch(() => {});
  }

  #onNotify(payload: string): void {
    try {
      const {o, u, r} = JSON.parse(payload) as NotifyPayload;
      if (o === this.#origin) return;
      this.#hub.hint(u);
      if (r === 1) this.#hub.realmsChanged();
    } catch {
      this.#hub.resync(); // not ours to read: let every waiter and the realm links look
    }
  }

  wakeups(): Wakeups {
    return this.#hub;
  }

  /** What a finished request's reply waits for: the newest batch on the wire (GroupCommitPipeline.currentBatch). */
  currentBatch(): CommitBatch {
    return this.#pipeline.currentBatch();
  }

  /** The batch of the operations issued now: it settles once every one issued so far has committed. */
  latestBatch(): CommitBatch {
    return this.#pipeline.latestBatch();
  }

  commit(): void {
    this.#pipeline.commit();
  }

  async settled(): Promise<void> {
    return this.latestBatch().done;
  }

  async close(): Promise<void> {
    this.#heldBlobs.clear();
    const conn = await this.#pipeline.close();
    conn?.release();
    await this.#unlisten?.().catch(() => {});
    await this.#end();
  }

  async #end(): Promise<void> {
    await Promise.all([this.#sql.end({timeout: 1}), this.#pool.end({timeout: 1}), this.#pipeSql?.end({timeout: 1})]);
  }

  // ---- users and sessions ----

  async createUser(user: UserRecord, verifier: string): Promise<boolean> {
    const rows = await this.#rows(`
      INSERT INTO users (username, verifier, full_name, country, created_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING RETURNING 1`, [user.username, verifier, user.fullName, user.country, user.createdAt]);
    return rows.length === 1;
  }

  async getUser(username: string): Promise<UserRecord | undefined> {
    const key = username.toLowerCase();
    const cached = this.#users.get(key);
    if (cached) return cached;
    const [row] = await this.#rows<{username: string; full_name: string; country: string; created_at: number}>(
      'SELECT username::text, full_name, country, created_at FROM users WHERE username = $1', [username]);
    if (!row) return undefined;
    const user = {username: row.username, fullName: row.full_name, country: row.country, createdAt: Number(row.created_at)};
    if (this.#users.size >= USER_CACHE_LIMIT) this.#users.delete(this.#users.keys().next().value!);
    this.#users.set(key, user);
    return user;
  }

  async getPassword(username: string): Promise<PasswordRecord | undefined> {
    const [row] = await this.#rows<PasswordRecord>('SELECT username::text, verifier FROM users WHERE username = $1', [username]);
    return row && {username: row.username, verifier: row.verifier};
  }

  async createSession(token: string, username: string, now: number): Promise<void> {
    const hash = hashToken(token);
    const written = this.#rows(`
      INSERT INTO sessions (token_hash, username, created_at) SELECT $1, $2::citext, $3 WHERE EXISTS
        (SELECT 1 FROM users WHERE username = $2::citext)
      ON CONFLICT (token_hash) DO UPDATE SET username = excluded.username, created_at = excluded.created_at
      RETURNING 1`,
    [hash, username, now]);
    this.#sessions.created(hash, username, this.#pipeline.openBatch, written);
    await written;
  }

  /**
   * Read on the pool, outside the group commit: a lookup is the first step of nearly every request, and in the
   * pipeline it would wait for the batch before it to commit (a WAL flush) before the request could even start. The
   * pool reads what is committed; SessionWrites answers for this process's own session writes until they commit.
   */
  async sessionUser(token: string): Promise<string | undefined> {
    const hash = hashToken(token);
    const local = this.#sessions.pending(hash);
    if (local !== undefined) return local === false ? undefined : local;
    const [row] = await this.#pooled<{username: string}>('SELECT username::text FROM sessions WHERE token_hash = $1', [hash]);
    // A logout of this process that started while the read was on its way wins.
    return this.#sessions.pending(hash) === false ? undefined : row?.username;
  }

  async deleteSession(token: string): Promise<void> {
    const hash = hashToken(token);
    const batch = this.#pipeline.openBatch;
    const written = this.#run(async (conn) => {
      const rows = await conn.unsafe<Array<{username: string}>>(
        'DELETE FROM sessions WHERE token_hash = $1 RETURNING username::text', [hash], {prepare: true});
      // The batch's NOTIFY names the user: a long poll of this session waiting on any process re-checks it at once.
      for (const row of rows) batch.recipients.add(row.username);
    });
    // Gone for this process's lookups at once (they read the pool, which sees the delete only once it commits).
    this.#sessions.deleted(hash, batch);
    await written;
  }

  // ---- groups ----

  async createGroup(name: string, creator: string, now: number): Promise<boolean> {
    const [row] = await this.#rows<{created: number}>(`
      WITH creator AS (SELECT 1 FROM users WHERE username = $2::citext),
      created AS (
        INSERT INTO groups (name, created_by, created_at) SELECT $1::citext, $2::citext, $3 FROM creator
        ON CONFLICT DO NOTHING RETURNING name
      ), joined AS (
        INSERT INTO group_members (group_name, username, joined_at) SELECT name, $2::citext, $3 FROM created
      ), conversation AS (${JOIN_CREATED('created')})
      SELECT count(*)::int AS created FROM created`, [name, creator, now]);
    return row!.created === 1;
  }

  async groupName(name: string): Promise<string | undefined> {
    const [row] = await this.#rows<{name: string}>('SELECT name::text FROM groups WHERE name = $1', [name]);
    return row?.name;
  }

  async addMember(group: string, username: string, now: number): Promise<boolean> {
    const rows = await this.#rows(ADD_MEMBER, [group, username, now]);
    return rows.length === 1;
  }

  async isMember(group: string, username: string): Promise<boolean> {
    const rows = await this.#rows('SELECT 1 FROM group_members WHERE group_name = $1 AND username = $2', [group, username]);
    return rows.length === 1;
  }

  async members(group: string): Promise<string[]> {
    const rows = await this.#rows<{username: string}>(
      'SELECT m.username::text FROM group_members m WHERE m.group_name = $1 ORDER BY m.joined_at, m.username', [group]);
    return rows.map((row) => row.username);
  }

  async listGroups(username: string, page: GroupPage): Promise<GroupSummary[]> {
    const rows = await this.#rows<{name: string; members: number; is_member: boolean; created_at: number}>(`
      SELECT g.name::text, g.created_at,
             (SELECT count(*)::int FROM group_members m WHERE m.group_name = g.name) AS members,
             EXISTS (SELECT 1 FROM group_members m WHERE m.group_name = g.name AND m.username = $1::citext) AS is_member
      FROM groups g WHERE g.name > $2::citext ORDER BY g.name LIMIT $3`, [username, page.after, page.limit]);
    return rows.map((row) => ({name: row.name, members: row.members, isMember: row.is_member, createdAt: Number(row.created_at)}));
  }

  // ---- conversations, read markers, search (pg-conversations.ts) ----

  async listConversations(username: string, page: ConversationPage): Promise<ConversationRecord[]> {
    const rows = await this.#rows<PgConversationRow>(LIST_CONVERSATIONS, [username, page.beforeId ?? Number.MAX_SAFE_INTEGER, page.limit]);
    return rows.map(toConversation);
  }

  async markSeen(username: string, target: ConversationTarget, messageId: number): Promise<ConversationRecord> {
    const {text, params} = markSeenQuery(username, target, messageId);
    const [row] = await this.#rows<PgConversationRow>(text, params);
    return row ? toConversation(row) : {conversation: conversationName(target), lastId: 0, seenId: 0, unread: 0, mentions: 0};
  }

  async searchMessages(query: SearchQuery): Promise<SearchPage> {
    if (query.words.length === 0 || query.scope.length === 0) return {messages: []};
    const candidates = (await this.#rows<PgMessageRow>(SEARCH,
      [searchTsQuery(query), [...query.scope], query.beforeId ?? Number.MAX_SAFE_INTEGER])).map(toMessage);
    // The query runs in PostgreSQL, not on the daemon's thread: no work budget, only the cap on candidates.
    const messages = rankCandidates(candidates, query.words).slice(0, query.limit);
    return candidates.length < SEARCH_CANDIDATES ? {messages} : {messages, nextBefore: candidates.at(-1)!.id};
  }

  async listUsers(page: GroupPage): Promise<string[]> {
    const rows = await this.#rows<{username: string}>(
      'SELECT u.username::text FROM users u WHERE u.username > $1::citext ORDER BY u.username LIMIT $2', [page.after, page.limit]);
    return rows.map((row) => row.username);
  }

  async groupsCreatedBy(username: string): Promise<number> {
    const [row] = await this.#rows<{n: number}>('SELECT count(*)::int AS n FROM groups WHERE created_by = $1', [username]);
    return row!.n;
  }

  async unreadBytesFrom(recipient: string, sender: string, senderRealm: string | null): Promise<number> {
    const [row] = await this.#rows<{bytes: number}>(`
      SELECT coalesce(sum(octet_length(m.body)), 0)::bigint AS bytes FROM unread u JOIN messages m ON m.id = u.message_id
      WHERE u.recipient = $1 AND m.sender = $2::citext AND m.sender_realm IS NOT DISTINCT FROM $3::text`,
    [recipient, sender, senderRealm]);
    return Number(row!.bytes);
  }

  async groupsOf(username: string): Promise<string[]> {
    const rows = await this.#rows<{group_name: string}>(
      'SELECT m.group_name::text FROM group_members m WHERE m.username = $1 ORDER BY m.group_name', [username]);
    return rows.map((row) => row.group_name);
  }

  // ---- files ----

  async putBlob(content: Buffer): Promise<string> {
    const sha256 = BlobFolder.hash(content);
    // Its own autocommit statement on the pool: durable once it answers, before the message naming it commits.
    try {
      await this.#pool`INSERT INTO blobs (sha256, content) VALUES (${sha256}, ${content}) ON CONFLICT DO NOTHING`;
    } catch (error) {
      throw unavailableIfLost(error);
    }
    // Another process may collect it before the message naming it commits: that message then writes it again.
    this.#heldBlobs.hold(sha256, content);
    return sha256;
  }

  async readBlob(sha256: string): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    try {
      const [row] = await this.#pool<{content: Buffer}[]>`SELECT content FROM blobs WHERE sha256 = ${sha256}`;
      return row?.content;
    } catch (error) {
      throw unavailableIfLost(error);
    }
  }

  async readBlobRange(sha256: string, offset: number, length: number): Promise<Buffer | undefined> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return undefined;
    try {
      const [row] = await this.#pool<{part: Buffer}[]>`
        SELECT substring(content from ${offset + 1}::int for ${length}::int) AS part FROM blobs WHERE sha256 = ${sha256}`;
      return row?.part;
    } catch (error) {
      throw unavailableIfLost(error);
    }
  }

  /**
   * A file from another realm: its chunks wait in memory (the link announced its size, at most --max-file-bytes,
   * and refuses more), then the whole is checked and stored as a blob before the message that names it.
   */
  incomingBlob(): IncomingBlob {
    let chunks: Buffer[] = [];
    let bytes = 0;
    return {
      get bytes() {
        return bytes;
      },
      append: (data) => {
        chunks.push(data);
        bytes += data.length;
      },
      finish: async (sha256) => {
        const content = Buffer.concat(chunks);
        chunks = [];
        if (BlobFolder.hash(content) !== sha256) return false;
        await this.putBlob(content);
        return true;
      },
      discard: () => {
        chunks = [];
      },
    };
  }

  // ---- messages ----

  async message(id: number): Promise<StoredMessage | undefined> {
    const [row] = await this.#rows<PgMessageRow>(MESSAGE_BY_ID, [id]);
    return row && toMessage(row);
  }

  /**
   * Stores a message with its deliveries. Messages stored one after the other while their batch waits for the one
   * before it (the sends of a busy turn) go out as one statement: one INSERT of many rows instead of one per
   * message, which is most of what a message costs the database and the client library.
   */
  async storeMessage(message: NewMessage, recipients: readonly string[]): Promise<number> {
    this.#delivered(recipients);
    const item = {message, recipients};
    const group = this.#messageGroup;
    if (group !== undefined && this.#pipeline.lastWaiting === group) {
      const index = group.items.push(item) - 1;
      return (await group.ids)[index]!;
    }
    // The item goes in first: in a batch already on the wire the statement is built at once.
    const items = [item];
    const next: MessageGroup = {items, ids: Promise.resolve([])};
    // A batch run again after a conflict reuses the ids its first run drew and gave out (pg-pipeline.ts); by then
    // no message joins the group any more (it has gone out).
    let drawn: number[] | null = null;
    next.ids = this.#pipeline.run(async (conn) => {
      const files = items.flatMap(({message: stored}) => (stored.file ? [stored.file.sha256] : []));
      const [, [row]] = await Promise.all([
        files.length === 0 ? undefined : this.#heldBlobs.lockNamed(conn, files),
        conn.unsafe<Array<{ids: string | null}>>(INSERT_MESSAGES, [...insertMessagesParams(items), drawn] as never[], {prepare: true}),
      ]);
      drawn ??= parseIds(row!.ids);
      return parseIds(row!.ids);
    }, this.#pipeline.openBatch, next);
    this.#messageGroup = next;
    return (await next.ids)[0]!;
  }

  /** Stores messages and their deliveries in one statement; their ids in order. */
  async #insertMessages(messages: ReadonlyArray<{message: NewMessage; recipients: readonly string[]}>): Promise<number[]> {
    if (messages.length === 0) return [];
    const params = insertMessagesParams(messages);
    // A batch run again after a conflict reuses the ids its first run drew and gave out (pg-pipeline.ts).
    let drawn: number[] | null = null;
    const files = messages.flatMap(({message}) => (message.file ? [message.file.sha256] : []));
    const ids = await this.#run(async (conn) => {
      const [, [row]] = await Promise.all([
        files.length === 0 ? undefined : this.#heldBlobs.lockNamed(conn, files),
        conn.unsafe<Array<{ids: string | null}>>(INSERT_MESSAGES, [...params, drawn] as never[], {prepare: true}),
      ]);
      drawn ??= parseIds(row!.ids);
      return parseIds(row!.ids);
    });
    return ids;
  }

  async unread(username: string, limits: InboxLimits, from: InboxFilter = {}): Promise<InboxPage> {
    const [filter, value] = filterOf(from);
    // One more than the page holds, to learn whether more remain.
    const rows = await this.#rows<PgMessageRow>(unreadSql(filter), [username, limits.maxMessages + 1, value]);
    return cutInboxPage(rows, limits, pageBytes, toMessage);
  }

  async takeUnread(username: string, limits: InboxLimits, from: InboxFilter = {}): Promise<InboxPage> {
    const [filter, value] = filterOf(from);
    const rows = await this.#rows<PgMessageRow & {candidates: number}>(
      takeUnreadSql(filter), [username, limits.maxMessages, value, limits.maxBytes]);
    const candidates = rows[0]?.candidates ?? 0;
    return {messages: rows.map(toMessage), more: candidates > rows.length};
  }

  async markRead(username: string, messageIds: readonly number[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.#rows('DELETE FROM unread WHERE recipient = $1 AND message_id = ANY($2::bigint[])', [username, [...messageIds]]);
  }

  async returnUnread(username: string, messageIds: readonly number[]): Promise<void> {
    if (messageIds.length === 0) return;
    this.#delivered([username]);
    await this.#rows(`
      INSERT INTO unread (recipient, message_id) SELECT $1, id FROM messages WHERE id = ANY($2::bigint[])
      ON CONFLICT DO NOTHING`, [username, [...messageIds]]);
  }

  async hasUnread(username: string): Promise<boolean> {
    const rows = await this.#rows('SELECT 1 FROM unread WHERE recipient = $1 LIMIT 1', [username]);
    return rows.length === 1;
  }

  async privateHistory(username: string, peer: string, peerRealm: string | undefined, query: HistoryQuery): Promise<StoredMessage[]> {
    const rows = await this.#rows<PgMessageRow>(PRIVATE_HISTORY,
      [username, peer, peerRealm ?? null, query.beforeId ?? Number.MAX_SAFE_INTEGER, query.limit]);
    return rows.reverse().map(toMessage);
  }

  async groupHistory(group: string, groupRealm: string | undefined, query: HistoryQuery, sender?: string): Promise<StoredMessage[]> {
    const rows = await this.#rows<PgMessageRow>(GROUP_HISTORY,
      [group, groupRealm ?? null, sender ?? null, query.beforeId ?? Number.MAX_SAFE_INTEGER, query.limit]);
    return rows.reverse().map(toMessage);
  }

  // ---- federation ----

  async listRealms(): Promise<RealmRecord[]> {
    const rows = await this.#rows<{name: string; host: string; port: number; dial: boolean; added_at: number}>(
      'SELECT r.name::text, r.host, r.port, r.dial, r.added_at FROM realms r ORDER BY r.name', []);
    return rows.map((row) => ({name: row.name, host: row.host, port: row.port, dial: row.dial, addedAt: Number(row.added_at)}));
  }

  async saveRealm(realm: RealmRecord): Promise<void> {
    this.#pipeline.openBatch.realmsChanged = true;
    await this.#rows(`
      INSERT INTO realms (name, host, port, dial, added_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (name) DO UPDATE SET host = excluded.host, port = excluded.port, dial = excluded.dial`,
    [realm.name, realm.host, realm.port, realm.dial, realm.addedAt]);
  }

  /**
   * The record's seq and ids are final once the batch committed (its callers use it after settled()): a batch run
   * again after a deadlock (pg-pipeline.ts) draws a new seq under the realm's outbox lock, as order requires, and
   * writes it into the record it returned; the operation's own result stays the same, so the retry goes through.
   */
  async enqueueOutbox(realm: string, body: string, copies: readonly NewMessage[], now: number, file?: OutboxFile): Promise<OutboxRecord> {
    const params = [
      ...insertMessagesParams(copies.map((message) => ({message, recipients: []}))), realm, body, now, file?.sha256 ?? null, file?.size ?? null,
    ];
    const record: OutboxRecord = {seq: 0, realm, body, localIds: [], ...(file ? {file: {sha256: file.sha256, size: file.size}} : {})};
    await this.#run(async (conn) => {
      // Seqs of one realm's outbox must become visible in seq order, or the link's reader (which reads every row up
      // to the highest it knows of) could pass over a row another process commits later with a lower seq. So each
      // transaction takes the realm's outbox lock before it draws a seq, and keeps it until COMMIT.
      const [, , [row]] = await Promise.all([
        file ? this.#heldBlobs.lockNamed(conn, [file.sha256]) : undefined,
        conn.unsafe(OUTBOX_ORDER_LOCK, [realm], {prepare: true}),
        conn.unsafe<Array<{seq: number; local_ids: string}>>(ENQUEUE_OUTBOX, params as never[], {prepare: true}),
      ]);
      record.seq = Number(row!.seq);
      record.localIds = parseIds(row!.local_ids);
    });
    return record;
  }

  async outboxPage(realm: string, afterSeq: number, uptoSeq: number, limit: number): Promise<OutboxRecord[]> {
    const rows = await this.#rows<{seq: number; body: string; local_ids: string; file_sha256: string | null; file_size: number | null}>(`
      SELECT seq, body, local_ids::text, file_sha256, file_size FROM outbox WHERE realm = $1 AND seq > $2 AND seq <= $3
      ORDER BY seq LIMIT $4`,
    [realm, afterSeq, uptoSeq, limit]);
    return rows.map((row) => ({
      seq: Number(row.seq), realm, body: row.body, localIds: parseIds(row.local_ids),
      ...(row.file_sha256 !== null ? {file: {sha256: row.file_sha256, size: Number(row.file_size)}} : {}),
    }));
  }

  async outboxStats(realm: string): Promise<{count: number; lastSeq: number}> {
    const [row] = await this.#rows<{count: number; last_seq: number}>(
      'SELECT count(*)::int AS count, coalesce(max(seq), 0) AS last_seq FROM outbox WHERE realm = $1', [realm]);
    return {count: row!.count, lastSeq: Number(row!.last_seq)};
  }

  async completeOutbox(completion: OutboxCompletion): Promise<boolean> {
    const {realm, upto, notices, dropMessageIds, lease} = completion;
    this.#delivered(notices.flatMap((notice) => notice.recipients));
    // One operation of the batch, so the lease check and the writes share its transaction (COMMIT waits for all).
    return this.#run(async (conn) => {
      const query = (text: string, params: unknown[]) => conn.unsafe(text, params as never[], {prepare: true});
      // Fencing: the lease row stays locked until COMMIT, so no claim slips in between this check and the delete.
      if (lease && (await query(LEASE_HELD, [realm, lease.owner, lease.epoch])).length === 0) return false;
      const [named] = await Promise.all([
        query(COMPLETE_OUTBOX, [realm, upto, [...dropMessageIds]]),
        notices.length === 0 ? undefined : query(INSERT_MESSAGES, [...insertMessagesParams(notices), null]),
      ]);
      // Blobs nothing names any more go in the same transaction (a rolled-back delete keeps them): locked first, then
      // checked with a fresh snapshot, so a name another process commits meanwhile keeps its blob (pg-blobs.ts).
      const candidates = (named as unknown as Array<{sha256: string}>).map((row) => row.sha256);
      if (candidates.length > 0) await Promise.all([query(LOCK_BLOB_CANDIDATES, [candidates]), query(COLLECT_BLOBS, [candidates])]);
      return true;
    });
  }

  // ---- link leases (SQL in pg-lease.ts) ----

  readonly sharedLinks = true;

  // On the pool, each in its own short transaction: a claim never waits behind (or deadlocks with) a group commit.
  async claimLinkLease(realm: string, owner: string, ttlMs: number): Promise<number | null> {
    const [row] = await this.#pooled<{epoch: number}>(CLAIM_LEASE, [realm, owner, ttlMs]);
    return row ? Number(row.epoch) : null;
  }

  async renewLinkLease(realm: string, lease: LinkLease, ttlMs: number): Promise<boolean> {
    return (await this.#pooled(RENEW_LEASE, [realm, lease.owner, lease.epoch, ttlMs])).length === 1;
  }

  async releaseLinkLease(realm: string, lease: LinkLease): Promise<void> {
    await this.#pooled(RELEASE_LEASE, [realm, lease.owner, lease.epoch]);
  }

  async #pooled<T>(text: string, params: unknown[]): Promise<T[]> {
    try {
      return [...await this.#pool.unsafe(text, params as never[], {prepare: true})] as T[];
    } catch (error) {
      throw isConnectionLoss(error) ? unavailable(error) : error;
    }
  }

  async receivedVerdict(realm: string, uid: string): Promise<string | null | undefined> {
    const [row] = await this.#rows<{verdict: string | null}>('SELECT verdict FROM received WHERE realm = $1 AND uid = $2', [realm, uid]);
    return row === undefined ? undefined : row.verdict;
  }

  async storeReceived(realm: string, messages: readonly ReceivedMessage[], now: number): Promise<void> {
    if (messages.length === 0) return;
    const deliveries = messages.flatMap((received) => received.deliveries);
    this.#delivered(deliveries.flatMap((delivery) => delivery.recipients));
    await Promise.all([
      this.#insertMessages(deliveries),
      this.#rows(`
        INSERT INTO received (realm, uid, verdict, received_at)
        SELECT $1, uid, verdict, $4 FROM unnest($2::text[], $3::text[]) AS x(uid, verdict)
        ON CONFLICT DO NOTHING`,
      [realm, messages.map((received) => received.uid), messages.map((received) => received.verdict), now]),
    ]);
  }

  async removeRealm(realm: string): Promise<void> {
    this.#pipeline.openBatch.realmsChanged = true;
    await Promise.all([
      this.#rows('DELETE FROM realms WHERE name = $1', [realm]),
      this.#rows('DELETE FROM realm_keys WHERE name = $1', [realm]),
    ]);
  }

  async realmKey(realm: string): Promise<string | undefined> {
    const [row] = await this.#rows<{public_key: string}>('SELECT public_key FROM realm_keys WHERE name = $1', [realm]);
    return row?.public_key;
  }

  async pinRealmKey(realm: string, publicKey: string, now: number): Promise<void> {
    await this.#rows('INSERT INTO realm_keys (name, public_key, pinned_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [realm, publicKey, now]);
  }

  async pruneReceived(before: number, limit: number): Promise<number> {
    const rows = await this.#rows(`
      DELETE FROM received WHERE (realm, uid) IN
        (SELECT realm, uid FROM received WHERE received_at < $1 ORDER BY received_at LIMIT $2)
      RETURNING 1`, [before, limit]);
    return rows.length;
  }
}

/** What a batch's NOTIFY carries: the origin process, the users to wake, and `r: 1` when the linked realms changed. */
interface NotifyPayload {
  o: string;
  u: WakeupHint;
  r?: 1;
}

/** Messages stored by one statement (storeMessage), and their ids once it answered. */
interface MessageGroup {
  items: Array<{message: NewMessage; recipients: readonly string[]}>;
  ids: Promise<number[]>;
}

/** The wake-up of a batch: the users it delivered to, or '*' when there are too many to name. */
function hintOf(batch: PgBatch): WakeupHint {
  return batch.recipients.size > HINT_NAMES ? '*' : [...batch.recipients];
}

function filterOf(from: InboxFilter): ['all' | 'realm' | 'sender', string | null] {
  if (from.sender !== undefined) return ['sender', from.sender];
  if (from.realm === undefined) return ['all', null];
  return ['realm', from.realm];
}

function unavailableIfLost(error: unknown): unknown {
  return isConnectionLoss(error) ? unavailable(error) : error;
}

/** The password in a URL, if any (to mask it in log lines). */
function safePassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}
