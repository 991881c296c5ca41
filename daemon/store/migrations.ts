/**
 * Versioned schema migrations. Each runs once, in order, in its own transaction, and bumps `PRAGMA user_version`.
 * Never edit a migration that has shipped: add a new one.
 */
import {SCOPE_TOKENS_SQL} from './conversation-keys.js';

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Fills migration 6's tables from the messages and memberships already stored: every conversation with its newest
 * message, read up to it (no marker existed, and a history of thousands of messages should not open as thousands
 * unread), and the search index. The bench's fixtures (bench/fixtures.ts) run it too, after their bulk inserts.
 */
export const CONVERSATIONS_BACKFILL = `
      INSERT INTO conversations (username, conversation, last_id)
        WITH group_last AS MATERIALIZED (
          SELECT g.name, coalesce((SELECT id FROM messages m WHERE m.group_name = g.name AND m.recipient_realm IS NULL
                                     AND m.recipient IS NULL ORDER BY id DESC LIMIT 1), 0) AS last
          FROM groups g)
        SELECT username, conversation, max(id) FROM (
          SELECT sender AS username, recipient AS conversation, id FROM messages
            WHERE group_name IS NULL AND recipient IS NOT NULL AND sender_realm IS NULL AND recipient_realm IS NULL
              AND sender NOT LIKE '~%'
          UNION ALL
          SELECT recipient, sender, id FROM messages
            WHERE group_name IS NULL AND recipient IS NOT NULL AND sender_realm IS NULL AND recipient_realm IS NULL
              AND sender NOT LIKE '~%' AND lower(sender) <> lower(recipient)
          UNION ALL
          SELECT sender, recipient || '@' || recipient_realm, id FROM messages
            WHERE group_name IS NULL AND recipient IS NOT NULL AND recipient_realm IS NOT NULL
          UNION ALL
          SELECT recipient, sender || '@' || sender_realm, id FROM messages
            WHERE group_name IS NULL AND recipient IS NOT NULL AND sender_realm IS NOT NULL
          UNION ALL
          SELECT sender, 'group:' || group_name || '@' || recipient_realm, id FROM messages
            WHERE group_name IS NOT NULL AND recipient_realm IS NOT NULL
          UNION ALL
          SELECT gm.username, 'group:' || gl.name, gl.last FROM group_members gm JOIN group_last gl ON gl.name = gm.group_name
        ) GROUP BY username, conversation;
      UPDATE conversations SET seen_id = last_id;

      INSERT INTO message_search (rowid, body, scope)
        SELECT id, body, ${SCOPE_TOKENS_SQL}
        FROM messages WHERE sender NOT LIKE '~%' OR sender_realm IS NOT NULL;
`;

/**
 * Fills migration 10's private-history index with the messages up to the indexer's mark, in its own order (a
 * sorted insert; the migration reads it from the index it replaces). The bench's fixtures run it too.
 */
export const MESSAGE_PAIRS_BACKFILL = `
      INSERT INTO message_pairs (sender, recipient, id)
        SELECT sender, recipient, id FROM messages
        WHERE recipient IS NOT NULL AND id <= (SELECT indexed_upto FROM search_progress)
        ORDER BY sender, recipient, id;
`;

/**
 * Moves the read state of local groups out of the per-member conversation rows (migration 9): a group's newest
 * message goes to `groups.last_id`, each member's marker to `group_members.seen_id`, and the members' rows of local
 * groups are deleted (rows of another realm's group, `group:devs@beta`, stay). A member without a row reads from
 * the newest message. The bench's fixtures run it too, after CONVERSATIONS_BACKFILL.
 */
export const GROUP_READS_BACKFILL = `
      UPDATE groups SET last_id = coalesce((SELECT id FROM messages m INDEXED BY messages_by_group
        WHERE m.group_name = groups.name AND m.recipient_realm IS NULL AND m.recipient IS NULL ORDER BY id DESC LIMIT 1), 0);
      UPDATE group_members SET seen_id = coalesce(
        (SELECT c.seen_id FROM conversations c
          WHERE c.username = group_members.username AND c.conversation = 'group:' || group_members.group_name),
        (SELECT g.last_id FROM groups g WHERE g.name = group_members.group_name));
      DELETE FROM conversations WHERE conversation LIKE 'group:%' AND instr(conversation, '@') = 0;
`;

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
    description: 'conversations with read markers, mentions, and a full-text index of messages',
    sql: `
      -- One row per user and conversation (a \`history\` target: bob, group:devs, carol@beta, group:devs@beta), kept
      -- current by every message stored: its newest message, the user's read marker, and the unread messages (not
      -- the user's own) and mentions after the marker. Counters, so listing conversations reads no messages; a read
      -- marker that stops short of the newest message recounts with a bounded range count.
      CREATE TABLE conversations (
        username      TEXT NOT NULL COLLATE NOCASE,
        conversation  TEXT NOT NULL COLLATE NOCASE,
        last_id       INTEGER NOT NULL,
        seen_id       INTEGER NOT NULL DEFAULT 0,
        unread        INTEGER NOT NULL DEFAULT 0,
        mentions      INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (username, conversation)
      ) WITHOUT ROWID;
      -- A page of a user's conversations, newest first, is one range of this index.
      CREATE INDEX conversations_by_last ON conversations(username, last_id);

      -- The group messages that name a member (written when the message is stored, so counts never scan text).
      CREATE TABLE mentions (
        username      TEXT NOT NULL COLLATE NOCASE,
        conversation  TEXT NOT NULL COLLATE NOCASE,
        message_id    INTEGER NOT NULL,
        PRIMARY KEY (username, conversation, message_id)
      ) WITHOUT ROWID;

      -- Search: the words of every message (rowid = messages.id), and who may find it: scope holds the tokens
      -- u<hex(user)> (a party of a private message), g<hex(group)> (a local group's message) and
      -- c<hex(user|conversation)> (that user's conversation). Contentless: the text stays in messages alone.
      -- prefix='3': the first three letters of every word are kept as words too, so a prefix search reads one list
      -- from its newest end instead of merging every word that starts with the prefix (see sqlite-conversations.ts).
      CREATE VIRTUAL TABLE message_search USING fts5(body, scope, content='', contentless_delete=1, prefix='3');

      ${CONVERSATIONS_BACKFILL}
    `,
  },
  {
    version: 7,
    description: 'files across realms: an outbox row names the file it carries',
    sql: `
      -- The file a cross-realm message carries (its content is a blob, see migration 5): the link sends it in chunks
      -- from the blob, and the blob is not collected while a row names it.
      ALTER TABLE outbox ADD COLUMN file_sha256 TEXT;
      ALTER TABLE outbox ADD COLUMN file_size INTEGER;
      CREATE INDEX outbox_by_file ON outbox(file_sha256) WHERE file_sha256 IS NOT NULL;
    `,
  },
  {
    version: 8,
    description: 'search indexed off the answering path: the high-water mark of the full-text index',
    sql: `
      -- Every message with an id up to indexed_upto is in message_search (search-indexer.ts indexes the ones above
      -- it in slices, and moves the mark in the same transaction). Until now every message was indexed as it was
      -- stored: the mark starts at the newest one.
      CREATE TABLE search_progress (indexed_upto INTEGER NOT NULL);
      INSERT INTO search_progress (indexed_upto) SELECT coalesce(max(id), 0) FROM messages;
    `,
  },
  {
    version: 9,
    description: "a local group's newest message kept once per group, each member's read marker in its membership",
    sql: `
      -- A group message updated one conversation row per member (its newest id, one more unread): as many writes as
      -- the group has members. Now it updates its group's row once; a member's marker lives in the membership, and
      -- what is unread after it is counted when read (range counts capped at UNREAD_CAP, sqlite-conversations.ts).
      ALTER TABLE groups ADD COLUMN last_id INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE group_members ADD COLUMN seen_id INTEGER NOT NULL DEFAULT 0;
      ${GROUP_READS_BACKFILL}
    `,
  },
  {
    version: 10,
    description: 'the private-history index built by the indexer slices, not by every commit',
    sql: `
      -- The index on messages(sender, recipient, id) put every message into the leaf page of its own conversation:
      -- one 4 KiB WAL frame per conversation per commit, most of what a commit of a few messages wrote. The same
      -- entries now go into a table the indexer fills in slices (search-indexer.ts) up to the search mark; history
      -- reads the few messages above the mark from the messages themselves.
      CREATE TABLE message_pairs (
        sender     TEXT NOT NULL COLLATE NOCASE,
        recipient  TEXT NOT NULL COLLATE NOCASE,
        id         INTEGER NOT NULL,
        PRIMARY KEY (sender, recipient, id)
      ) WITHOUT ROWID;
      ${MESSAGE_PAIRS_BACKFILL}
      DROP INDEX messages_by_pair;
    `,
  },
  {
    version: 11,
    description: "private conversation rows written in the indexer's slices, not by every commit",
    sql: `
      -- Every private message moved two conversation rows and their (username, last_id) index in the commit that
      -- stored it: two more dirty pages per commit, about a fifth of a small commit's cost. The store now gathers
      -- those moves in memory and writes them in the indexer's slices, and before anything reads or changes the rows
      -- (sqlite-conversations.ts). The mark says up to which message the rows are written: a store that stopped
      -- before writing them makes them again from the messages above it. Until now every message moved its rows as
      -- it was stored: the mark starts at the newest one.
      CREATE TABLE conversation_progress (touched_upto INTEGER NOT NULL);
      INSERT INTO conversation_progress (touched_upto) SELECT coalesce(max(id), 0) FROM messages;
    `,
  },
  {
    version: 12,
    description: 'the full-text index merges eight segments of a level at a time, not four',
    sql: `
      -- FTS5 merges a level of the index once "automerge" segments are there (4 by default), inside some indexer
      -- slice, and a request that comes meanwhile waits for it. With 8 the slices cost about a quarter less CPU and
      -- their longest merges a fifth less; in the daemon the relays' delivery p99 fell by 11-18 % and pipelined
      -- sends gained 4-5 % (docs/PERFORMANCE-LOG.md). A search reads up to twice as many segments: 7-19 % more
      -- time per search on a million messages, a factor that does not grow with the history. The setting is
      -- kept in the index's own config table; the segments already there are merged under it from now on.
      INSERT INTO message_search (message_search, rank) VALUES ('automerge', 8);
    `,
  },
  {
    version: 13,
    description: 'the full-text index in shards of a million messages: its longest merge no longer grows with the history',
    sql: `
      -- FTS5 merges eight segments of a level into one of the next, in steps that stop only between two words: a
      -- step copies the whole list of a common word, so in one index the largest merges grow with the history (on a
      -- bare index, steps of 220-390 ms every 2.5 million messages, and of 0.9-1.9 s at 20.5 million, the next
      -- level; docs/PERFORMANCE-LOG.md). From now on the indexer starts a new FTS5 table, message_search_<n>, once the
      -- newest spans SHARD_MESSAGES ids (search-indexer.ts), and a search reads the shards from the newest until it
      -- has its candidates. Shard n holds the messages above its "above" (and up to the next shard's); the index
      -- there is now is shard 0, whatever its size, and the next slice past a million messages starts shard 1.
      -- A shard that takes no more messages is merged into one segment in steps (merged = 1 once done), except an
      -- index that grew past two million messages before shards: its steps would be as long as its longest lists.
      CREATE TABLE search_shards (
        shard   INTEGER PRIMARY KEY,
        above   INTEGER NOT NULL,
        merged  INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX search_shards_to_merge ON search_shards(shard) WHERE merged = 0;
      INSERT INTO search_shards (shard, above, merged)
        SELECT 0, 0, (SELECT indexed_upto FROM search_progress) > 2000000;
    `,
  },
];
