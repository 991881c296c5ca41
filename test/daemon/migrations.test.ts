/** An existing database upgrades in place: the database of release 0.1.0 opens with today's store, nothing lost. */
import {copyFileSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, it} from 'vitest';
import {MIGRATIONS} from '../../daemon/store/migrations.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import {conversationToken, groupToken, userToken} from '../../daemon/store/conversation-keys.js';

const RELEASE_0_1_0 = fileURLToPath(new URL('../fixtures/release-0.1.0.db', import.meta.url));
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function openCopy(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-migrate-'));
  dirs.push(dir);
  copyFileSync(RELEASE_0_1_0, join(dir, 'realmchat.db'));
  return new SqliteStore({file: join(dir, 'realmchat.db')});
}

const bodies = (messages: Array<{body: string}>) => messages.map((message) => message.body);

/** A database file as the release that stopped at migration `version` wrote it, with `sql` run on it. */
function writtenBy(version: number, sql: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-migrate-'));
  dirs.push(dir);
  const file = join(dir, 'realmchat.db');
  const old = new Database(file);
  for (const migration of MIGRATIONS.filter((m) => m.version <= version)) {
    old.exec(migration.sql);
    old.pragma(`user_version = ${migration.version}`);
  }
  old.exec(sql);
  old.close();
  return file;
}

describe('migrations', () => {
  it('upgrades the database of release 0.1.0 to the newest schema', async () => {
    const store = openCopy();
    expect(store.db.pragma('user_version', {simple: true})).toBe(MIGRATIONS.at(-1)!.version);
    expect(store.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries'").pluck().get()).toBe(0);
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    expect(store.db.pragma('integrity_check', {simple: true})).toBe('ok');
    await store.close();
  });

  it('keeps users, sessions, groups, history with read flags, unread messages and the outbox', async () => {
    const store = openCopy();
    expect(store.getUser('BEN')).toMatchObject({username: 'ben', fullName: 'BEN'});
    expect(store.sessionUser('11111111-2222-4333-8444-555555555555')).toBe('ann');
    expect(store.members('devs')).toEqual(['ann', 'ben', 'cat']);
    // What was unread stays unread, in order; what was read stays read.
    expect(bodies(store.unread('ann', {maxMessages: 10, maxBytes: 1e6}).messages)).toEqual(['private 5']);
    expect(bodies(store.unread('ben', {maxMessages: 10, maxBytes: 1e6}).messages)).toEqual(['private 2', 'private 4']);
    expect(bodies(store.unread('cat', {maxMessages: 10, maxBytes: 1e6}).messages)).toEqual(['group hello', 'from beta']);
    expect(bodies(store.unread('cat', {maxMessages: 10, maxBytes: 1e6}, {realm: 'beta'}).messages)).toEqual(['from beta']);
    const history = store.privateHistory('ann', 'ben', undefined, {limit: 10});
    expect(bodies(history)).toEqual(['private 0', 'private 1', 'private 2', 'private 3', 'private 4', 'private 5']);
    // ann received 1, 3 and 5 and has read 1 and 3; her own messages carry no read flag.
    expect(history.map((message) => message.read)).toEqual([undefined, true, undefined, true, undefined, false]);
    expect(store.outboxStats('beta')).toEqual({count: 1, lastSeq: 1});
    expect(store.listRealms()).toMatchObject([{name: 'beta', port: 8890, dial: true}]);
    // And it goes on working: read the rest, write new.
    store.markRead('ann', store.unread('ann', {maxMessages: 10, maxBytes: 1e6}).messages.map((message) => message.id));
    store.storeMessage({sender: 'ben', recipient: 'ann', body: 'after the upgrade', ts: 1}, ['ann']);
    await store.settled();
    expect(bodies(store.unread('ann', {maxMessages: 10, maxBytes: 1e6}).messages)).toEqual(['after the upgrade']);
    await store.close();
  });

  it('lists the conversations that were there before, read up to their newest message, and finds them with search', async () => {
    const store = openCopy();
    const list = (username: string) => store.listConversations(username, {limit: 10}).map((row) => [row.conversation, row.lastId, row.seenId, row.unread]);
    expect(list('ann')).toEqual([['dan@beta', 9, 9, 0], ['group:devs', 7, 7, 0], ['ben', 6, 6, 0]]);
    expect(list('cat')).toEqual([['dan@beta', 8, 8, 0], ['group:devs', 7, 7, 0]]);
    expect(list('ben')).toEqual([['group:devs', 7, 7, 0], ['ann', 6, 6, 0]]);
    const scope = (username: string, groups: string[]) => [userToken(username), ...groups.map(groupToken)];
    const search = (words: string[], username: string, groups: string[]) =>
      bodies(store.searchMessages({words, scope: scope(username, groups), limit: 10}).messages);
    expect(search(['private', '5'], 'ann', ['devs'])).toEqual(['private 5']);
    expect(search(['hello'], 'cat', ['devs'])).toEqual(['group hello']);
    expect(search(['beta'], 'cat', ['devs'])).toEqual(['from beta']);
    expect(search(['beta'], 'ben', ['devs'])).toEqual([]);
    expect(search(['to', 'beta'], 'ann', ['devs'])).toEqual(['to beta']);
    expect(store.searchMessages({words: ['beta'], scope: [conversationToken('ann', 'dan@beta')], limit: 10}).messages.map((m) => m.id)).toEqual([9]);
    // And new messages keep it current.
    store.storeMessage({sender: 'ben', recipient: 'ann', body: 'after the upgrade', ts: 1}, ['ann']);
    expect(list('ann')[0]).toEqual(['ben', 10, 6, 1]);
    await store.close();
  });

  it("moves the read state of local groups out of the members' rows (migration 9), markers, unread and mentions kept", async () => {
    // A database as the release before migration 9 wrote it: a conversation row per member of a local group.
    const file = writtenBy(8, `
      INSERT INTO users VALUES ('ann', 'v', 'Ann', 'x', 0), ('ben', 'v', 'Ben', 'x', 0), ('cat', 'v', 'Cat', 'x', 0);
      INSERT INTO groups VALUES ('Devs', 'ann', 0), ('quiet', 'ann', 0);
      INSERT INTO group_members VALUES ('Devs', 'ann', 0), ('Devs', 'ben', 0), ('Devs', 'cat', 0), ('quiet', 'ann', 0);
      INSERT INTO messages (id, sender, group_name, body, ts) VALUES (1, 'ann', 'Devs', 'one', 1), (2, 'ann', 'Devs', 'two @ben', 2),
        (3, 'cat', 'Devs', 'three @ben', 3);
      INSERT INTO messages (id, sender, group_name, recipient_realm, body, ts) VALUES (4, 'ann', 'Devs', 'beta', 'elsewhere', 4);
      INSERT INTO mentions VALUES ('ben', 'group:Devs', 2), ('ben', 'group:Devs', 3);
      INSERT INTO conversations (username, conversation, last_id, seen_id, unread, mentions) VALUES
        ('ann', 'group:Devs', 3, 3, 0, 0), ('ben', 'group:Devs', 3, 1, 2, 2), ('ann', 'group:quiet', 0, 0, 0, 0),
        ('ann', 'group:Devs@beta', 4, 4, 0, 0);
      UPDATE search_progress SET indexed_upto = 4;
    `);

    const store = new SqliteStore({file});
    const list = (username: string) =>
      store.listConversations(username, {limit: 10}).map((row) => [row.conversation, row.lastId, row.seenId, row.unread, row.mentions]);
    expect(store.db.prepare("SELECT count(*) FROM conversations WHERE conversation LIKE 'group:%'").pluck().get()).toBe(1);
    expect(list('ann')).toEqual([['group:Devs@beta', 4, 4, 0, 0], ['group:Devs', 3, 3, 0, 0], ['group:quiet', 0, 0, 0, 0]]);
    expect(list('ben')).toEqual([['group:Devs', 3, 1, 2, 2]]);
    // A member without a row (written by hand, say) reads from the newest message.
    expect(list('cat')).toEqual([['group:Devs', 3, 3, 0, 0]]);
    // And new messages keep it current: one more unread for the members but the sender.
    store.storeMessage({sender: 'cat', group: 'devs', body: 'four', ts: 5}, ['ann', 'ben']);
    expect(list('ben')).toEqual([['group:Devs', 5, 1, 3, 2]]);
    expect(list('cat')).toEqual([['group:Devs', 5, 3, 0, 0]]);
    await store.close();
  });

  it('moves the private-history index into message_pairs up to the indexer mark (migration 10); history reads on', async () => {
    // A database as the release before migration 10 wrote it: messages_by_pair, and two messages above the mark.
    const file = writtenBy(9, `
      INSERT INTO users VALUES ('ann', 'v', 'Ann', 'x', 0), ('Ben', 'v', 'Ben', 'x', 0);
      INSERT INTO messages (id, sender, recipient, body, ts) VALUES (1, 'ann', 'Ben', 'one', 1), (2, 'Ben', 'ann', 'two', 2),
        (3, 'ann', 'ben', 'three', 3), (4, 'ben', 'ANN', 'four', 4), (5, 'ann', 'Ben', 'five', 5);
      INSERT INTO messages (id, sender, group_name, body, ts) VALUES (6, 'ann', 'devs', 'group', 6);
      UPDATE search_progress SET indexed_upto = 3;
    `);

    const store = new SqliteStore({file});
    expect(store.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'messages_by_pair'").pluck().get()).toBe(0);
    const pairs = () => store.db.prepare('SELECT sender, recipient, id FROM message_pairs ORDER BY id').raw().all() as Array<[string, string, number]>;
    expect(pairs()).toEqual([['ann', 'Ben', 1], ['Ben', 'ann', 2], ['ann', 'ben', 3]]);
    const history = () => bodies(store.privateHistory('Ann', 'BEN', undefined, {limit: 10}));
    expect(history()).toEqual(['one', 'two', 'three', 'four', 'five']);
    // The indexer takes the rest in its next slice; history reads the same.
    store.searchMessages({words: ['four'], scope: [userToken('ann')], limit: 1});
    expect(pairs().map((row) => row[2])).toEqual([1, 2, 3, 4, 5]);
    expect(history()).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(store.db.pragma('integrity_check', {simple: true})).toBe('ok');
    await store.close();
  });

  it('starts the conversation rows\' mark at the newest message (migration 11): nothing written before counts twice', async () => {
    // A database as the release before migration 11 wrote it: every message had moved its rows when it was stored.
    const file = writtenBy(10, `
      INSERT INTO users VALUES ('ann', 'v', 'Ann', 'x', 0), ('ben', 'v', 'Ben', 'x', 0);
      INSERT INTO messages (id, sender, recipient, body, ts) VALUES (1, 'ann', 'ben', 'one', 1), (2, 'ben', 'ann', 'two', 2),
        (3, 'ann', 'ben', 'three', 3);
      INSERT INTO conversations (username, conversation, last_id, seen_id, unread, mentions) VALUES
        ('ann', 'ben', 3, 2, 0, 0), ('ben', 'ann', 3, 1, 1, 0);
      UPDATE search_progress SET indexed_upto = 2;
    `);

    const store = new SqliteStore({file});
    expect(store.db.prepare('SELECT touched_upto FROM conversation_progress').pluck().get()).toBe(3);
    const list = (username: string) => store.listConversations(username, {limit: 10}).map((row) => [row.conversation, row.lastId, row.seenId, row.unread]);
    expect(list('ben')).toEqual([['ann', 3, 1, 1]]);
    expect(list('ann')).toEqual([['ben', 3, 2, 0]]);
    // A new message moves the rows once, held until the next write of them (here the read).
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'four', ts: 4}, ['ben']);
    store.commit();
    expect(list('ben')).toEqual([['ann', 4, 1, 2]]);
    expect(store.db.prepare('SELECT touched_upto FROM conversation_progress').pluck().get()).toBe(4);
    await store.close();
  });

  it("merges eight segments of the full-text index at a time (migration 12), on upgraded databases and a new one", async () => {
    const automerge = (store: SqliteStore) => store.db.prepare("SELECT v FROM message_search_config WHERE k = 'automerge'").pluck().get();
    const file = writtenBy(11, `
      INSERT INTO users VALUES ('ann', 'v', 'Ann', 'x', 0), ('ben', 'v', 'Ben', 'x', 0);
      INSERT INTO messages (id, sender, recipient, body, ts) VALUES (1, 'ann', 'ben', 'morning tea', 1);
      INSERT INTO message_search (rowid, body, scope) VALUES (1, 'morning tea', '${userToken('ann')} ${userToken('ben')}');
      UPDATE search_progress SET indexed_upto = 1;
    `);
    const upgraded = new SqliteStore({file});
    expect(automerge(upgraded)).toBe(8);
    // The index written before keeps answering, and what comes after joins it.
    upgraded.storeMessage({sender: 'ben', recipient: 'ann', body: 'morning coffee', ts: 2}, ['ann']);
    upgraded.commit();
    expect(bodies(upgraded.searchMessages({words: ['morning'], scope: [userToken('ann')], limit: 10}).messages)).toEqual(['morning coffee', 'morning tea']);
    await upgraded.close();

    const release = openCopy();
    expect(automerge(release)).toBe(8);
    await release.close();
    const dir = mkdtempSync(join(tmpdir(), 'realmchat-migrate-'));
    dirs.push(dir);
    const fresh = new SqliteStore({file: join(dir, 'realmchat.db')});
    expect(automerge(fresh)).toBe(8);
    await fresh.close();
  });

  it('keeps the index written before as the first shard of the full-text index (migration 13) and starts the next past its span', async () => {
    const file = writtenBy(12, `
      INSERT INTO users VALUES ('ann', 'v', 'Ann', 'x', 0), ('ben', 'v', 'Ben', 'x', 0);
      INSERT INTO messages (id, sender, recipient, body, ts) VALUES (1, 'ann', 'ben', 'morning tea', 1), (2, 'ben', 'ann', 'noon tea', 2);
      INSERT INTO message_search (rowid, body, scope) VALUES (1, 'morning tea', '${userToken('ann')} ${userToken('ben')}'),
        (2, 'noon tea', '${userToken('ann')} ${userToken('ben')}');
      UPDATE search_progress SET indexed_upto = 2;
    `);
    // A shard of two messages: the first holds as many already, so the next message starts a new one.
    const upgraded = new SqliteStore({file, searchShardMessages: 2});
    const shards = () => upgraded.db.prepare('SELECT shard, above FROM search_shards ORDER BY shard').raw().all();
    expect(shards()).toEqual([[0, 0]]);
    expect(upgraded.db.prepare('SELECT merged FROM search_shards').pluck().get()).toBe(0); // merged once closed
    upgraded.storeMessage({sender: 'ben', recipient: 'ann', body: 'evening tea', ts: 3}, ['ann']);
    upgraded.commit();
    const search = (word: string) => bodies(upgraded.searchMessages({words: [word], scope: [userToken('ann')], limit: 10}).messages);
    expect(search('tea')).toEqual(['evening tea', 'noon tea', 'morning tea']);
    expect(shards()).toEqual([[0, 0], [1, 2]]);
    expect(upgraded.db.prepare('SELECT rowid FROM message_search_1').pluck().all()).toEqual([3]);
    expect(upgraded.db.prepare("SELECT v FROM message_search_1_config WHERE k = 'automerge'").pluck().get()).toBe(8);
    expect(upgraded.db.pragma('integrity_check', {simple: true})).toBe('ok');
    await upgraded.close();

    const release = openCopy();
    expect(release.db.prepare('SELECT shard, above, merged FROM search_shards').raw().all()).toEqual([[0, 0, 0]]);
    await release.close();

    // An index that grew past two million messages before shards is never merged whole (its steps would be long).
    const large = new SqliteStore({file: writtenBy(12, 'UPDATE search_progress SET indexed_upto = 2000001;')});
    expect(large.db.prepare('SELECT shard, above, merged FROM search_shards').raw().all()).toEqual([[0, 0, 1]]);
    await large.close();
  });
});
