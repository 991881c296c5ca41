/**
 * The storage interface of realmchatd. Handlers talk only to this; SQLite is one implementation (a PostgreSQL one
 * can follow). Every method is synchronous and sees the writes of earlier calls at once; durability comes from
 * `settled()`: a write is committed when the promise returned by `settled()` after it resolves (group commit).
 */

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

export interface Store {
  /** Creates a user; returns false when the name is taken. */
  createUser(user: UserRecord, verifier: string): boolean;
  getUser(username: string): UserRecord | undefined;
  getPassword(username: string): PasswordRecord | undefined;

  /** Stores a session for a token (only a hash of it is kept). */
  createSession(token: string, username: string, now: number): void;
  /** The username of a live session, or undefined. */
  sessionUser(token: string): string | undefined;
  deleteSession(token: string): void;

  /** Creates a group with its creator as first member; false when the name is taken. */
  createGroup(name: string, creator: string, now: number): boolean;
  /** The stored spelling of a group, or undefined. */
  groupName(name: string): string | undefined;
  /** Adds a member; false when already a member. */
  addMember(group: string, username: string, now: number): boolean;
  isMember(group: string, username: string): boolean;
  members(group: string): string[];
  listGroups(username: string): GroupSummary[];
  groupsOf(username: string): string[];

  /** Stores one message and delivers it to each recipient's inbox; returns its id. */
  storeMessage(message: Omit<StoredMessage, 'id' | 'read'>, recipients: readonly string[]): number;
  /** Unread messages of a user in arrival order (optionally only those from one realm); does not mark them. */
  unread(username: string, limits: InboxLimits, fromRealm?: string | null): InboxPage;
  /** Marks the given deliveries of a user read. */
  markRead(username: string, messageIds: readonly number[], now: number): void;
  hasUnread(username: string): boolean;
  /** A private conversation between two users, newest `limit` before `beforeId`, returned oldest first. */
  privateHistory(username: string, peer: string, peerRealm: string | undefined, query: HistoryQuery): StoredMessage[];
  /** A group conversation, newest `limit` before `beforeId`, returned oldest first. */
  groupHistory(group: string, groupRealm: string | undefined, query: HistoryQuery): StoredMessage[];

  /** Resolves once every write made so far is committed; rejects if that commit failed. */
  settled(): Promise<void>;
  /** Commits what is pending and closes the database. */
  close(): Promise<void>;
}
