/**
 * The storage interface of realmchatd. Handlers talk only to this; SQLite is one implementation, PostgreSQL
 * (daemon/store/postgres/) the other. A data method may answer synchronously (SQLite: no promise per call) or asynchronously (PostgreSQL,
 * a round trip): its result is `Awaitable`, and every caller awaits it. Either way a call sees the writes of the
 * calls issued before it, and a write belongs to the batch open when it was *issued*, not when its promise settles.
 * Durability comes from `settled()`: a write is committed when the promise returned by `settled()` after it
 * resolves (group commit). A store that cannot reach its database throws (or rejects with) StoreUnavailableError
 * (errors.ts), and a batch whose commit could not reach it fails with that error.
 */
import type {Wakeups} from './wakeups.js';

/** A value now (a synchronous store) or later (an asynchronous one); callers always `await` it. */
export type Awaitable<T> = T | Promise<T>;

/** A registered user as stored (no password material leaves the store through this type). */
export interface UserRecord {
  username: string;
  fullName: string;
  country: string;
  createdAt: number;
}

/** The stored password verifier of a user. */
export interface PasswordRecord {
  username: string;
  /** `scrypt$N$r$p$salt_b64$hash_b64` */
  verifier: string;
}

/** A group as listed for a user. */
export interface GroupSummary {
  name: string;
  members: number;
  isMember: boolean;
  createdAt: number;
}

/** A page of a list by name (groups, users). */
export interface GroupPage {
  limit: number;
  /** List names that sort after this one, case-insensitively ('' from the start). */
  after: string;
}

/** A stored message as one recipient (or a history reader) sees it. */
export interface StoredMessage {
  id: number;
  sender: string;
  /** The sender's realm; undefined for a local sender. */
  senderRealm?: string;
  /** The recipient user (private) or undefined (group). */
  recipient?: string;
  /** The recipient's realm, when it is not the local one. */
  recipientRealm?: string;
  group?: string;
  body: string;
  ts: number;
  /** For deliveries: whether the reader has read it. */
  read?: boolean;
  /** A file message's file (its `body` is the `[file] NAME (SIZE)` line). */
  file?: FileRef;
}

/** The file of a file message: its name as sent, its size, and the SHA-256 (hex) that names its content. */
export interface FileRef {
  name: string;
  size: number;
  sha256: string;
}

/**
 * Whose unread messages: `realm` undefined for every realm, null for local senders only, a name for one remote realm;
 * `sender` (a local user) for that user's alone.
 */
export interface InboxFilter {
  realm?: string | null;
  sender?: string;
}

/** One page of unread messages. */
export interface InboxPage {
  messages: StoredMessage[];
  /** More unread messages remain after this page. */
  more: boolean;
}

/** Limits of an inbox page. */
export interface InboxLimits {
  maxMessages: number;
  /** Stop adding messages once their text passes this many bytes (one message always fits). */
  maxBytes: number;
}

/** Options of a history query. */
export interface HistoryQuery {
  limit: number;
  beforeId?: number;
}

/** A conversation a user names: with a user or a group, here or on another realm (a `history` target). */
export interface ConversationTarget {
  kind: 'user' | 'group';
  /** The user or group, in its stored spelling when it is local. */
  name: string;
  /** Another realm (its stored spelling); undefined for this one. */
  realm?: string;
}

/** A user's conversation: its newest message, the user's read marker and what is unread after it. */
export interface ConversationRecord {
  /** Its name, as `history` takes it: `bob`, `group:devs`, `carol@beta`, `group:devs@beta`. */
  conversation: string;
  /** The newest message's id; 0 for a group joined before it had any message. */
  lastId: number;
  /** The read marker: a message id of the conversation, 0 when none. */
  seenId: number;
  /** Messages after the marker that the user did not send (exact below UNREAD_CAP, else at least that). */
  unread: number;
  /** How many of those name the user (group conversations only). */
  mentions: number;
}

/** A page of a user's conversations, newest first. */
export interface ConversationPage {
  limit: number;
  /** Only conversations whose newest message id is below this one. */
  beforeId?: number;
}

/** How many of the newest matches a search ranks (see Store.searchMessages). */
export const SEARCH_CANDIDATES = 1000;

/** A full-text search of messages. */
export interface SearchQuery {
  /** Words that must all occur (lower-cased letters and digits); the last one also matches as a prefix. */
  words: readonly string[];
  /** Visibility tokens (conversation-keys.ts): a message matches when it carries any of them. */
  scope: readonly string[];
  limit: number;
  /** Only messages with an id below this one. */
  beforeId?: number;
}

/**
 * What a search found. `nextBefore` is set when messages older than those looked at were left out: the search
 * stopped at SEARCH_CANDIDATES matches, or (SQLite) when its work budget was spent; ask again with
 * `beforeId: nextBefore` to search the older ones. Absent when every message below the query's `beforeId` was
 * looked at.
 */
export interface SearchPage {
  messages: StoredMessage[];
  nextBefore?: number;
}

/** A message to store: everything but the id the store assigns and the read flag. */
export type NewMessage = Omit<StoredMessage, 'id' | 'read'>;

// ---- federation ----

/** A linked realm as stored. */
export interface RealmRecord {
  /** The realm's own spelling of its name (what it calls itself in the handshake). */
  name: string;
  host: string;
  port: number;
  /** True when this realm dials the peer (linked here with addrealm); false when the peer dials us. */
  dial: boolean;
  addedAt: number;
}

/** A cross-realm message waiting in the outbox for its realm's acknowledgement. */
export interface OutboxRecord {
  /** Position in the outbox; increases with every message accepted, never reused. */
  seq: number;
  realm: string;
  /** The message as sent on the link (the JSON of a link-codec MessageBody). */
  body: string;
  /** Ids of the sender's own copies of the message (messages rows), for history and for undoing a refusal. */
  localIds: number[];
  /** The file the message carries: the link sends its content in chunks after the message frame. */
  file?: OutboxFile;
}

/** The content of a cross-realm file message: its blob and size. */
export interface OutboxFile {
  sha256: string;
  size: number;
}

/**
 * A file being received from another realm, chunk by chunk (SQLite: a temporary file; PostgreSQL: memory bounded
 * by the announced size, which --max-file-bytes bounds).
 * `finish` checks its SHA-256, makes it durable and moves it into the blob folder; `discard` drops it.
 */
export interface IncomingBlob {
  /** Bytes appended so far. */
  readonly bytes: number;
  append(data: Buffer): void;
  /**
   * True when the content's SHA-256 is `sha256` and it is now a durable blob; false (and dropped) otherwise. At once
   * on SQLite; PostgreSQL answers once the blob row is written.
   */
  finish(sha256: string): Awaitable<boolean>;
  discard(): void;
}

/** What one acknowledgement from a realm changes: the acknowledged outbox prefix goes, notices come. */
export interface OutboxCompletion {
  realm: string;
  /** Every outbox row of `realm` with a seq up to this one is done. */
  upto: number;
  /** Delivery-failure notices for messages the realm refused after their sender was told "queued". */
  notices: RemoteDelivery[];
  /** Sender copies of messages refused while their sender still waited (it got an ERROR, so nothing stays). */
  dropMessageIds: number[];
  /**
   * The link lease this process held when it sent the acknowledged rows (fencing token). When given, the completion
   * is applied only while that lease is still this owner's with this epoch, in the same transaction; otherwise
   * nothing changes and completeOutbox returns false (another process has taken the link over).
   */
  lease?: LinkLease;
}

/** A process's hold on the link to one peer realm: who holds it, and the epoch its claim got (the fencing token). */
export interface LinkLease {
  owner: string;
  epoch: number;
}

/** One stored message and the users whose inbox it goes to. */
export interface RemoteDelivery {
  message: NewMessage;
  recipients: string[];
}

/** A message received from another realm, with the verdict given, for storing with its id. */
export interface ReceivedMessage {
  /** The message's unique id (link-codec MessageBody.id). */
  uid: string;
  /** null: delivered (with `deliveries`); otherwise the error code of the refusal. */
  verdict: string | null;
  deliveries: RemoteDelivery[];
}

/** One group commit: every write of an event-loop turn, committed together. */
export interface CommitBatch {
  /** pending: not yet committed; committed: durable; failed: rolled back, none of its writes happened. */
  readonly state: 'pending' | 'committed' | 'failed';
  /**
   * Why it failed, once `state` is 'failed' (what `done` rejects with): replies are chosen from it without waiting,
   * UNAVAILABLE for a StoreUnavailableError, INTERNAL otherwise.
   */
  readonly error?: unknown;
  /** Resolves when the batch committed, rejects when it failed. */
  readonly done: Promise<void>;
}

export interface Store {
  /**
   * True when other processes write the same database (PostgreSQL): nothing the daemon caches may outlive a change
   * made elsewhere (sessions are read from the store on every request). Absent or false: this process alone.
   */
  readonly shared?: boolean;

  /** Creates a user; returns false when the name is taken. */
  createUser(user: UserRecord, verifier: string): Awaitable<boolean>;
  getUser(username: string): Awaitable<UserRecord | undefined>;
  getPassword(username: string): Awaitable<PasswordRecord | undefined>;

  /** Stores a session for a token (only a hash of it is kept). */
  createSession(token: string, username: string, now: number): Awaitable<void>;
  /** The username of a live session, or undefined. */
  sessionUser(token: string): Awaitable<string | undefined>;
  deleteSession(token: string): Awaitable<void>;

  /** Creates a group with its creator as first member; false when the name is taken. */
  createGroup(name: string, creator: string, now: number): Awaitable<boolean>;
  /** The stored spelling of a group, or undefined. */
  groupName(name: string): Awaitable<string | undefined>;
  /** Adds a member; false when already a member. */
  addMember(group: string, username: string, now: number): Awaitable<boolean>;
  isMember(group: string, username: string): Awaitable<boolean>;
  members(group: string): Awaitable<string[]>;
  /** One page of groups by name (case-insensitive), those after `page.after` ('' for the first page). */
  listGroups(username: string, page: GroupPage): Awaitable<GroupSummary[]>;
  /** One page of local usernames by name (case-insensitive), those after `page.after`. */
  listUsers(page: GroupPage): Awaitable<string[]>;
  /** How many groups a user created (their group-creation cap). */
  groupsCreatedBy(username: string): Awaitable<number>;
  /** Unread text bytes (UTF-8) from one sender (`senderRealm` null: a local user) in a recipient's inbox. */
  unreadBytesFrom(recipient: string, sender: string, senderRealm: string | null): Awaitable<number>;
  groupsOf(username: string): Awaitable<string[]>;

  /**
   * Stores a file's content once, durably (written and fsynced), before the message that names it commits; returns
   * its SHA-256 (hex). Content already stored is not written again.
   */
  putBlob(content: Buffer): Promise<string>;
  /** A stored file's content, or undefined when it is missing. */
  readBlob(sha256: string): Awaitable<Buffer | undefined>;
  /** At most `length` bytes of a stored file from `offset` (a link sends files in chunks), or undefined when missing. */
  readBlobRange(sha256: string, offset: number, length: number): Awaitable<Buffer | undefined>;
  /**
   * Starts receiving a file from another realm in chunks. A finished blob is safe from collection until the end of
   * the event-loop turn, by when the message that names it must be stored.
   */
  incomingBlob(): IncomingBlob;
  /** A message by id, with its file (for getfile), or undefined. */
  message(id: number): Awaitable<StoredMessage | undefined>;

  /** Stores one message and delivers it to each recipient's inbox; returns its id. */
  storeMessage(message: Omit<StoredMessage, 'id' | 'read'>, recipients: readonly string[]): Awaitable<number>;
  /** Unread messages of a user in arrival order (optionally only those from one realm); does not mark them. */
  unread(username: string, limits: InboxLimits, from?: InboxFilter): Awaitable<InboxPage>;
  /** Marks the given deliveries of a user read (deletes those still unread; others are left alone). */
  markRead(username: string, messageIds: readonly number[]): Awaitable<void>;
  /**
   * Takes one page of a user's unread messages: returns them and marks exactly those read, in one step. Two processes
   * taking from one inbox at once never both get a message (PostgreSQL: SKIP LOCKED).
   */
  takeUnread(username: string, limits: InboxLimits, from?: InboxFilter): Awaitable<InboxPage>;
  /** Makes taken messages unread again (the reply that would have shown them could not be built). */
  returnUnread(username: string, messageIds: readonly number[]): Awaitable<void>;
  hasUnread(username: string): Awaitable<boolean>;
  /** A private conversation between two users, newest `limit` before `beforeId`, returned oldest first. */
  privateHistory(username: string, peer: string, peerRealm: string | undefined, query: HistoryQuery): Awaitable<StoredMessage[]>;
  /**
   * A group conversation, newest `limit` before `beforeId`, returned oldest first; with `sender`, only the messages
   * that local user sent.
   */
  groupHistory(group: string, groupRealm: string | undefined, query: HistoryQuery, sender?: string): Awaitable<StoredMessage[]>;

  // ---- conversations, read markers, search ----

  /** A page of a user's conversations, newest message first; groups joined without a message come last. */
  listConversations(username: string, page: ConversationPage): Awaitable<ConversationRecord[]>;
  /**
   * Moves a user's read marker of a conversation forward to `messageId` (at most to its newest message; never back)
   * and returns the conversation after the move (with marker 0 and nothing unread when it has no message yet).
   */
  markSeen(username: string, target: ConversationTarget, messageId: number): Awaitable<ConversationRecord>;
  /**
   * Messages whose text holds every word (the last also as a prefix) and whose visibility is in the query's scope,
   * at most `limit`, best match first (search-rank.ts), newest first on ties. Only the newest SEARCH_CANDIDATES
   * matches are ranked, and the SQLite store stops looking further back once its work budget is spent, so the cost
   * does not grow with the history; `nextBefore` says where to go on.
   */
  searchMessages(query: SearchQuery): Awaitable<SearchPage>;

  // ---- federation ----

  /** Every linked realm. */
  listRealms(): Awaitable<RealmRecord[]>;
  /** Stores a linked realm, replacing the row of the same name. */
  saveRealm(realm: RealmRecord): Awaitable<void>;
  /**
   * Accepts a cross-realm message: stores the sender's copies (history, no inbox delivery) and the outbox row,
   * in the same write, so the message and its duty to deliver commit together. `file`: the blob it carries (already
   * stored with putBlob).
   */
  enqueueOutbox(realm: string, body: string, copies: readonly NewMessage[], now: number, file?: OutboxFile): Awaitable<OutboxRecord>;
  /** Outbox rows of a realm with `afterSeq < seq <= uptoSeq`, in seq order, at most `limit`. */
  outboxPage(realm: string, afterSeq: number, uptoSeq: number, limit: number): Awaitable<OutboxRecord[]>;
  /** How many outbox rows a realm has and the highest seq among them (0 when empty). */
  outboxStats(realm: string): Awaitable<{count: number; lastSeq: number}>;
  /**
   * Applies an acknowledgement: deletes the acknowledged rows, stores notices, drops refused sender copies. Blobs
   * that no message or outbox row names any more are deleted once this commits. False (and nothing changed) when
   * `completion.lease` is no longer held.
   */
  completeOutbox(completion: OutboxCompletion): Awaitable<boolean>;
  /**
   * True when several processes may share this store and must take turns on each peer realm's link (PostgreSQL);
   * false for a store only one process opens (SQLite), whose links need no lease.
   */
  readonly sharedLinks: boolean;
  /**
   * Claims the link lease of a peer realm for `owner` for `ttlMs` when it is free, expired, or already this owner's
   * (every claim raises the epoch); returns the new epoch, or null while another owner holds it.
   */
  claimLinkLease(realm: string, owner: string, ttlMs: number): Awaitable<number | null>;
  /** Extends a held lease by `ttlMs`; false when it is no longer this owner's with this epoch (stop the link). */
  renewLinkLease(realm: string, lease: LinkLease, ttlMs: number): Awaitable<boolean>;
  /** Gives a held lease up at once (a process stopping), so another process need not wait for it to expire. */
  releaseLinkLease(realm: string, lease: LinkLease): Awaitable<void>;
  /** The verdict stored for a received message id: null (delivered), an error code, or undefined when unseen. */
  receivedVerdict(realm: string, uid: string): Awaitable<string | null | undefined>;
  /** Stores received messages (their deliveries and their ids with the verdicts) in one write. */
  storeReceived(realm: string, messages: readonly ReceivedMessage[], now: number): Awaitable<void>;
  /** Deletes a linked realm's row (its outbox rows stay, for a later addrealm) and its key pinned on first use. */
  removeRealm(realm: string): Awaitable<void>;
  /** The public key pinned on first use for a realm, or undefined. */
  realmKey(realm: string): Awaitable<string | undefined>;
  /** Pins a realm's public key (trust on first use). */
  pinRealmKey(realm: string, publicKey: string, now: number): Awaitable<void>;
  /** Deletes at most `limit` ids of received messages stored before `before` (ms); returns how many went. */
  pruneReceived(before: number, limit: number): Awaitable<number>;

  /** Wake-up hints after commits that delivered messages (PostgreSQL: from every process of the realm). */
  wakeups(): Wakeups;

  /** Resolves once every write made so far is committed; rejects if that commit failed. */
  settled(): Promise<void>;
  /**
   * The group commit a request that has just finished waits for: every write whose answer it has seen belongs to
   * this batch or to one before it that this one waits for; an already committed one when nothing is pending.
   * Connections keep it with each answered request and send the reply once it is no longer pending. SQLite: the open
   * batch. PostgreSQL: the newest batch on the wire, not the one gathering behind it (whose operations have not
   * answered yet). A write issued and not awaited may be in a later batch: `settled()` covers it.
   */
  currentBatch(): CommitBatch;
  /** Commits the open batch now instead of at the end of the turn (the daemon calls it once its turn's work is done). */
  commit(): void;
  /** Commits what is pending and closes the database. */
  close(): Promise<void>;
}
