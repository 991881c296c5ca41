/**
 * Databases for the benchmarks, written before the daemon starts on them.
 *
 * A fixture database is first opened once with the daemon's own SqliteStore (from dist/, so its migrations create
 * the current schema), closed, and then filled with raw SQL through better-sqlite3 in one large transaction with
 * `synchronous = OFF`: users with a cheap password verifier (so thousands of `auth`s cost the daemon nothing
 * noticeable), groups, conversations, and for `--large` millions of messages generated inside SQLite.
 *
 * Every statement that knows the schema lives in insertFixture() below, marked SCHEMA-DEPENDENT: when a migration
 * changes the tables, adapt that one function (and bump FIXTURE_VERSION so cached databases are rebuilt).
 */
import {createHash, randomBytes, scryptSync} from 'node:crypto';
import {existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {performance} from 'node:perf_hooks';
import Database from 'better-sqlite3';
import {CONVERSATIONS_BACKFILL, GROUP_READS_BACKFILL, MESSAGE_PAIRS_BACKFILL} from '../daemon/store/migrations.js';

/** Bump when insertFixture() changes what it writes: cached large databases are keyed by it. */
export const FIXTURE_VERSION = 8;

/** The password of every user the bench creates. */
export const BENCH_PASSWORD = 'pw';

/** The database file of a realmchatd data folder (see daemon/cli.ts). */
export const dbFile = (dataDir: string) => join(dataDir, 'realmchat.db');

/** What a fixture database holds. */
export interface FixtureSpec {
  /** Users the bench logs in as (password BENCH_PASSWORD). */
  users: readonly string[];
  /** Background users `u00000`, `u00001`, … that nobody logs in as. */
  backgroundUsers?: number;
  /** Groups with their named members (the first is the creator) and how many background users also joined. */
  groups?: readonly {name: string; members: readonly string[]; backgroundMembers?: number}[];
  /**
   * The large mix (`--large`; its groups are created even with 0 messages): `messages` messages with ids 1..messages, inserted before everything below.
   * 1 in 10 is the private conversation `b` → `a` (all read: the user `a` has messages/10 read messages), 1 in 10
   * a group message (1 in 1000 to `bigGroup`, the rest to `smallGroups` groups `g000`, … of 10
   * background members each), the rest private messages between background users (1 in 20 unread).
   * Needs `backgroundUsers` ≥ 2000 and `bigGroup` among `groups`.
   */
  bulk?: {messages: number; a: string; b: string; bigGroup: string; smallGroups: number};
  /** Private messages appended after the bulk: `count` messages of `bodyBytes` from `from` to `to`. */
  conversations?: readonly {from: string; to: string; count: number; bodyBytes: number; read: boolean}[];
  /** Group messages appended after those, from `sender` to every other member of `group`. */
  groupMessages?: readonly {group: string; sender: string; count: number; bodyBytes: number; read: boolean}[];
}

/** Ids a fixture assigned, for requests that need one. */
export interface FixtureIds {
  /** Per entry of `conversations`: the first and last message id. */
  conversations: {first: number; last: number}[];
  /** Per entry of `groupMessages`: the first and last message id. */
  groupMessages: {first: number; last: number}[];
  /** With `bulk`: an id in the middle of the `a` ↔ `b` conversation's bulk part. */
  deepId?: number;
}

/** A verifier in daemon/passwords.ts's format (`scrypt$N$r$p$salt$hash`) with the cheapest cost scrypt allows. */
function cheapVerifier(password: string): string {
  const cost = {N: 16, r: 1, p: 1};
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

const BACKGROUND_NAME = (index: number) => `u${String(index).padStart(5, '0')}`;

// ==================================================================================================================
// SCHEMA-DEPENDENT: every INSERT of the bench. Written against daemon/store/migrations.ts (user_version 8): users,
// groups, group_members, messages (one row per message), unread (one row per recipient of a message not yet read);
// conversations, mentions and message_search are filled by the migrations' own CONVERSATIONS_BACKFILL and
// GROUP_READS_BACKFILL (search_progress set after them), message_pairs by MESSAGE_PAIRS_BACKFILL.
// Keep this the only function that writes the schema's tables.
// ==================================================================================================================
function insertFixture(db: Database.Database, spec: FixtureSpec, step: (what: string) => void): FixtureIds {
  const now = Date.now();
  const verifier = cheapVerifier(BENCH_PASSWORD);
  const insertUser = db.prepare(
    'INSERT INTO users (username, verifier, full_name, country, created_at) VALUES (?, ?, ?, ?, ?)');
  for (const name of spec.users) insertUser.run(name, verifier, `Bench ${name}`, 'lab', now);
  const background = spec.backgroundUsers ?? 0;
  if (background > 0) {
    db.prepare(`
      WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
      INSERT INTO users (username, verifier, full_name, country, created_at)
      SELECT printf('u%05d', i), ?, 'Background user', 'lab', ? FROM n`).run(background, verifier, now);
  }

  const insertGroup = db.prepare('INSERT INTO groups (name, created_by, created_at) VALUES (?, ?, ?)');
  const insertMember = db.prepare('INSERT OR IGNORE INTO group_members (group_name, username, joined_at) VALUES (?, ?, ?)');
  for (const group of spec.groups ?? []) {
    insertGroup.run(group.name, group.members[0] ?? BACKGROUND_NAME(0), now);
    for (const member of group.members) insertMember.run(group.name, member, now);
    for (let i = 0; i < (group.backgroundMembers ?? 0); i++) insertMember.run(group.name, BACKGROUND_NAME(i % background), now);
  }

  const ids: FixtureIds = {conversations: [], groupMessages: []};
  const bulk = spec.bulk;
  // Small groups g000…: 10 background members each, (g*10 + k) mod backgroundUsers (also with 0 bulk messages).
  for (let g = 0; g < (bulk?.smallGroups ?? 0); g++) {
    const name = `g${String(g).padStart(3, '0')}`;
    insertGroup.run(name, BACKGROUND_NAME((g * 10) % background), now);
    for (let k = 0; k < 10; k++) insertMember.run(name, BACKGROUND_NAME((g * 10 + k) % background), now);
  }
  if (bulk && bulk.messages > 0) {
    // Senders of bigGroup messages: its background members u00000… (see the groups loop above).
    const bigBackground = spec.groups?.find((group) => group.name === bulk.bigGroup)?.backgroundMembers ?? 0;
    // Bulk inserts go much faster without secondary indexes: drop them, insert, recreate them as the schema had them.
    const indexes = db.prepare(`SELECT name, sql FROM sqlite_master
      WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = 'messages'`).all() as {name: string; sql: string}[];
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    step('users and groups');
    // Messages, ids 1..N, generated inside SQLite. kind: 0 = a<->b, 1 = group, else private between background users.
    db.prepare(`
      WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
      INSERT INTO messages (id, sender, sender_realm, recipient, recipient_realm, group_name, body, ts)
      SELECT i,
        CASE
          WHEN i % 10 = 0 THEN @b
          WHEN i % 10 = 1 AND i % 1000 = 1 THEN printf('u%05d', (i / 1000) % @bigBackground)
          WHEN i % 10 = 1 THEN printf('u%05d', (((i / 10) % @groups) * 10 + (i / 10 / @groups) % 10) % @users)
          ELSE printf('u%05d', (i * 7919) % @users)
        END,
        NULL,
        CASE
          WHEN i % 10 = 0 THEN @a
          WHEN i % 10 = 1 THEN NULL
          ELSE printf('u%05d', ((i * 7919) % @users + 1 + (i * 31) % (@users - 1)) % @users)
        END,
        NULL,
        CASE
          WHEN i % 10 = 1 AND i % 1000 = 1 THEN @bigGroup
          WHEN i % 10 = 1 THEN printf('g%03d', (i / 10) % @groups)
          ELSE NULL
        END,
        printf('bulk message %010d of the large database', i),
        @t0 + i
      FROM n`).run({
      count: bulk.messages, a: bulk.a, b: bulk.b, bigGroup: bulk.bigGroup, groups: bulk.smallGroups, users: background,
      bigBackground: Math.max(1, Math.min(background, bigBackground)), t0: now - bulk.messages - 1000,
    });
    step(`${bulk.messages} messages`);
    // Every other delivery is read (no row). Unread: 1 in 20 private messages between background users (i % 10 = 3
    // is never a↔b), and 1 in 200 group messages for every member but the sender (never for a or b).
    db.prepare(`
      INSERT INTO unread (recipient, message_id)
      SELECT recipient, id FROM (
        SELECT recipient, id FROM messages WHERE group_name IS NULL AND id <= @count AND id % 20 = 3
        UNION ALL
        SELECT gm.username, m.id
          FROM messages m CROSS JOIN group_members gm ON gm.group_name = m.group_name -- messages outer: no index yet
          WHERE m.group_name IS NOT NULL AND m.id <= @count AND m.id % 200 = 11 AND gm.username <> m.sender
            AND gm.username NOT IN (@a, @b))
      ORDER BY recipient COLLATE NOCASE, id`).run({count: bulk.messages, a: bulk.a, b: bulk.b});
    step('unread deliveries');
    for (const index of indexes) db.exec(index.sql);
    step(`indexes ${indexes.map((index) => index.name).join(', ')}`);
    ids.deepId = 10 * Math.max(1, Math.floor(bulk.messages / 20));
  }

  const insertMessage = db.prepare(
    'INSERT INTO messages (sender, recipient, group_name, body, ts) VALUES (?, ?, ?, ?, ?)');
  const insertUnread = db.prepare('INSERT INTO unread (recipient, message_id) VALUES (?, ?)');
  const body = (bytes: number, i: number) => `fixture message ${i} `.padEnd(bytes, 'abcdefghijklmnopqrstuvwxyz');
  for (const conversation of spec.conversations ?? []) {
    let first = 0;
    let last = 0;
    for (let i = 0; i < conversation.count; i++) {
      const ts = now + i;
      last = Number(insertMessage.run(conversation.from, conversation.to, null, body(conversation.bodyBytes, i), ts).lastInsertRowid);
      if (i === 0) first = last;
      if (!conversation.read) insertUnread.run(conversation.to, last);
    }
    ids.conversations.push({first, last});
  }
  const membersOf = db.prepare('SELECT username FROM group_members WHERE group_name = ?').pluck();
  for (const batch of spec.groupMessages ?? []) {
    const members = (membersOf.all(batch.group) as string[]).filter((name) => name.toLowerCase() !== batch.sender.toLowerCase());
    let first = 0;
    let last = 0;
    for (let i = 0; i < batch.count; i++) {
      const ts = now + i;
      last = Number(insertMessage.run(batch.sender, null, batch.group, body(batch.bodyBytes, i), ts).lastInsertRowid);
      if (i === 0) first = last;
      if (!batch.read) for (const member of members) insertUnread.run(member, last);
    }
    ids.groupMessages.push({first, last});
  }
  // Conversation rows, read markers and the search index (migration 6), from everything inserted above.
  db.exec(CONVERSATIONS_BACKFILL);
  // Local groups' newest messages and members' markers (migration 9), from those rows.
  db.exec(GROUP_READS_BACKFILL);
  // Everything is indexed: the search indexer's mark (migration 8) at the newest message, and the conversation
  // rows' mark (migration 11) too, as the backfill above wrote the rows of every message.
  db.exec('UPDATE search_progress SET indexed_upto = (SELECT coalesce(max(id), 0) FROM messages)');
  db.exec('UPDATE conversation_progress SET touched_upto = (SELECT coalesce(max(id), 0) FROM messages)');
  // The private-history index up to that mark (migration 10).
  db.exec(MESSAGE_PAIRS_BACKFILL);
  // The index is one shard, as on a database upgraded at this size (migration 13), which is never merged whole past
  // two million messages.
  db.exec('UPDATE search_shards SET merged = (SELECT indexed_upto FROM search_progress) > 2000000 WHERE shard = 0');
  step('conversations, history and search index');
  return ids;
}
// ==================================================================================================================
// end of SCHEMA-DEPENDENT
// ==================================================================================================================

/** Creates the daemon's schema in `file` by opening the built daemon's SqliteStore once (its migrations run). */
async function createSchema(file: string): Promise<void> {
  type StoreModule = {SqliteStore: new (options: {file: string}) => {close(): Promise<void> | void}};
  const module = await import(new URL('../daemon/store/sqlite-store.js', import.meta.url).href) as StoreModule;
  const store = new module.SqliteStore({file});
  await store.close();
}

/** Writes a fixture database into a realmchatd data folder (created if needed); returns the ids it assigned. */
export async function createFixtureDb(dataDir: string, spec: FixtureSpec, log?: (line: string) => void): Promise<FixtureIds> {
  mkdirSync(dataDir, {recursive: true});
  const file = dbFile(dataDir);
  await createSchema(file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE'); // no multi-gigabyte WAL during the build; the daemon switches back to WAL
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1000000'); // 1 GB
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = OFF');
    let last = performance.now();
    const step = (what: string) => {
      const now = performance.now();
      log?.(`  ${what}: ${((now - last) / 1000).toFixed(1)} s`);
      last = now;
    };
    const ids = db.transaction(() => insertFixture(db, spec, step))();
    step('commit');
    return ids;
  } finally {
    db.close();
  }
}

/** Where cached large databases live: --cache-dir, else $XDG_CACHE_HOME/realmchat-bench or ~/.cache/realmchat-bench. */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME?.startsWith('/') ? process.env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'realmchat-bench');
}

/**
 * A data folder holding the fixture `spec`, built once and kept under `cacheDir` keyed by `key`, the schema (the
 * built migrations) and FIXTURE_VERSION; later calls reuse it. Returns the folder and the fixture's ids.
 */
export async function cachedFixtureDb(
  cacheDir: string, key: string, spec: FixtureSpec, rebuild: boolean, log: (line: string) => void,
): Promise<{dataDir: string; ids: FixtureIds; built: boolean}> {
  const migrations = readFileSync(new URL('../daemon/store/migrations.js', import.meta.url));
  const hash = createHash('sha256').update(migrations).update(`${FIXTURE_VERSION}`).digest('hex').slice(0, 10);
  const dataDir = join(cacheDir, `${key}-${hash}`);
  const metaFile = join(dataDir, 'fixture.json');
  if (!rebuild && existsSync(metaFile)) {
    return {dataDir, ids: JSON.parse(readFileSync(metaFile, 'utf8')) as FixtureIds, built: false};
  }
  const building = `${dataDir}.building`;
  rmSync(building, {recursive: true, force: true});
  rmSync(dataDir, {recursive: true, force: true});
  log(`building ${dataDir} …`);
  const t0 = Date.now();
  const ids = await createFixtureDb(building, spec, log);
  writeFileSync(join(building, 'fixture.json'), JSON.stringify(ids));
  renameSync(building, dataDir);
  log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return {dataDir, ids, built: true};
}
