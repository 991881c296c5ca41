/**
 * Versioned schema migrations. Each runs once, in order, in its own transaction, and bumps `PRAGMA user_version`.
 * Never edit a migration that has shipped: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'users, sessions, groups, messages and deliveries',
    sql: `
      CREATE TABLE users (
        username    TEXT PRIMARY KEY COLLATE NOCASE,
        verifier    TEXT NOT NULL,
        full_name   TEXT NOT NULL,
        country     TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Only a SHA-256 of each token is kept: a copy of the database hands out no sessions.
      CREATE TABLE sessions (
        token_hash  BLOB PRIMARY KEY,
        username    TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
        created_at  INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE groups (
        name        TEXT PRIMARY KEY COLLATE NOCASE,
        created_by  TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE group_members (
        group_name  TEXT NOT NULL COLLATE NOCASE REFERENCES groups(name) ON DELETE CASCADE,
        username    TEXT NOT NULL COLLATE NOCASE REFERENCES users(username) ON DELETE CASCADE,
        joined_at   INTEGER NOT NULL,
        PRIMARY KEY (group_name, username)
      ) WITHOUT ROWID;
      CREATE INDEX group_members_by_user ON group_members(username);

      -- A message is stored once; deliveries say who received it and whether they read it.
      -- sender_realm / recipient_realm / group_realm are NULL for this realm.
      CREATE TABLE messages (
        id              INTEGER PRIMARY KEY,
        sender          TEXT NOT NULL COLLATE NOCASE,
        sender_realm    TEXT,
        recipient       TEXT COLLATE NOCASE,
        recipient_realm TEXT,
        group_name      TEXT COLLATE NOCASE,
        body            TEXT NOT NULL,
        ts              INTEGER NOT NULL
      );
      CREATE INDEX messages_by_group ON messages(group_name, id) WHERE group_name IS NOT NULL;
      CREATE INDEX messages_by_pair ON messages(sender, recipient, id) WHERE recipient IS NOT NULL;

      CREATE TABLE deliveries (
        recipient   TEXT NOT NULL COLLATE NOCASE,
        message_id  INTEGER NOT NULL REFERENCES messages(id),
        read_at     INTEGER,
        PRIMARY KEY (recipient, message_id)
      ) WITHOUT ROWID;
      CREATE INDEX deliveries_unread ON deliveries(recipient, message_id) WHERE read_at IS NULL;
    `,
  },
  {
    version: 2,
    description: 'federation: linked realms, the durable outbox, ids of received messages',
    sql: `
      -- Realms this realm is linked with. dial = 1: this realm dials it (added here with addrealm);
      -- dial = 0: it dialled us (host/port are what it told us, shown by \`realms\`, never dialled).
      CREATE TABLE realms (
        name        TEXT PRIMARY KEY COLLATE NOCASE,
        host        TEXT NOT NULL,
        port        INTEGER NOT NULL,
        dial        INTEGER NOT NULL,
        added_at    INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Cross-realm messages accepted here and not yet acknowledged by their realm, written in the transaction
      -- that accepts the message. AUTOINCREMENT: a seq is never reused, so it keeps ordering and acknowledging
      -- the outbox correctly after rows are deleted.
      CREATE TABLE outbox (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        realm       TEXT NOT NULL COLLATE NOCASE,
        body        TEXT NOT NULL,
        local_ids   TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      );
      CREATE INDEX outbox_by_realm ON outbox(realm, seq);

      -- Ids of messages received from other realms with the verdict given (NULL = delivered, else the error
      -- code), stored with the message: a retry after a lost ack is answered the same and never stored twice.
      CREATE TABLE received (
        realm       TEXT NOT NULL COLLATE NOCASE,
        uid         TEXT NOT NULL,
        verdict     TEXT,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (realm, uid)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    description: 'unread deliveries in a table of their own, deleted when read',
    sql: `
      -- A delivery that is not yet read: one row per recipient and message, deleted when the recipient reads it. It
      -- replaces deliveries (migration 1), which kept a row for every message ever received plus an index of the
      -- unread ones: one b-tree per delivery instead of two, and reading is one delete instead of an update and an
      -- index delete. A received message with no row here is read; who received a private message is in the message.
      CREATE TABLE unread (
        recipient   TEXT NOT NULL COLLATE NOCASE,
        message_id  INTEGER NOT NULL REFERENCES messages(id),
        PRIMARY KEY (recipient, message_id)
      ) WITHOUT ROWID;
      INSERT INTO unread (recipient, message_id) SELECT recipient, message_id FROM deliveries WHERE read_at IS NULL;
      DROP TABLE deliveries;
    `,
  },
  {
    version: 4,
    description: 'federation: realm keys pinned on first use; received ids pruned by age',
    sql: `
      -- Public realm keys pinned by trust on first use (--federation tofu): the first key that completed a handshake
      -- for a realm name nobody had pinned. Keys configured with --peer / the peers file are not stored here.
      CREATE TABLE realm_keys (
        name        TEXT PRIMARY KEY COLLATE NOCASE,
        public_key  TEXT NOT NULL,
        pinned_at   INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- Ids of received messages are pruned once older than the retention window, a small batch at a time.
      CREATE INDEX received_by_age ON received(received_at);
    `,
  },
  {
    version: 5,
    description: 'files: a file message names its content, stored once by SHA-256 outside the database',
    sql: `
      -- The file of a file message. The content is a blob in the data folder's files/ directory, named by its
      -- SHA-256 (written and fsynced before the message commits); messages with the same content share it.
      CREATE TABLE files (
        message_id  INTEGER PRIMARY KEY REFERENCES messages(id),
        name        TEXT NOT NULL,
        size        INTEGER NOT NULL,
        sha256      TEXT NOT NULL
      );
      CREATE INDEX files_by_content ON files(sha256);
    `,
  },
  {
    version: 6,
    description: 'files across realms: an outbox row names the file it carries',
    sql: `
      -- The file a cross-realm message carries (its content is a blob, see migration 5): the link sends it in chunks
      -- from the blob, and the blob is not collected while a row names it.
      ALTER TABLE outbox ADD COLUMN file_sha256 TEXT;
      ALTER TABLE outbox ADD COLUMN file_size INTEGER;
      CREATE INDEX outbox_by_file ON outbox(file_sha256) WHERE file_sha256 IS NOT NULL;
    `,
  },
];
