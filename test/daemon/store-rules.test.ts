/**
 * The rules of the SQLite store, driven directly (the Store interface, daemon/store/types.ts): what each method
 * returns and keeps, its case rules and its edge cases. Pinned so that mutation testing of daemon/store (`npm run
 * mutation`, MUTATION_TESTS=store) finds each rule guarded by a test of its own, not only by the daemon's.
 */
import {existsSync, mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {BlobFolder} from '../../daemon/store/blob-folder.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import type {NewMessage} from '../../daemon/store/types.js';

let store: SqliteStore;
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-rules-'));
  dirs.push(dir);
  return dir;
}

beforeEach(() => {
  store = new SqliteStore({file: ':memory:'});
  for (const username of ['Ann', 'ben', 'cat']) store.createUser({username, fullName: `${username} Full`, country: 'id', createdAt: 7}, `v-${username}`);
});

afterEach(async () => {
  await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

const LOTS = {maxMessages: 100, maxBytes: 1e9};
const bodies = (messages: Array<{body: string}>) => messages.map((message) => message.body);
const send = (message: Omit<NewMessage, 'ts'>, to: string[]) => store.storeMessage({ts: 5, ...message}, to);

describe('users and sessions', () => {
  it('creates a user once, whatever the case of its name, and finds it in any case', () => {
    expect(store.createUser({username: 'ANN', fullName: 'x', country: 'x', createdAt: 1}, 'other')).toBe(false);
    expect(store.createUser({username: 'dan', fullName: 'Dan D', country: 'nl', createdAt: 9}, 'v-dan')).toBe(true);
    expect(store.getUser('DAN')).toEqual({username: 'dan', fullName: 'Dan D', country: 'nl', createdAt: 9});
    expect(store.getUser('ann')).toEqual({username: 'Ann', fullName: 'Ann Full', country: 'id', createdAt: 7});
    expect(store.getUser('nobody')).toBeUndefined();
    expect(store.getPassword('aNN')).toEqual({username: 'Ann', verifier: 'v-Ann'});
    expect(store.getPassword('nobody')).toBeUndefined();
  });

  it('forgets a cached user whose creation was rolled back with its batch', () => {
    store.createUser({username: 'ghost', fullName: 'g', country: 'x', createdAt: 1}, 'v');
    expect(store.getUser('ghost')).toBeDefined(); // cached now
    store.db.exec(`CREATE TEMP TRIGGER fail BEFORE INSERT ON unread BEGIN SELECT RAISE(ABORT, 'injected'); END`);
    expect(() => send({sender: 'ben', recipient: 'cat', body: 'x'}, ['cat'])).toThrow('injected');
    expect(store.getUser('ghost')).toBeUndefined();
  });

  it('keeps sessions by token, ends one alone, and a session outlives nothing but its deletion', () => {
    store.createSession('token-1', 'Ann', 1);
    store.createSession('token-2', 'ben', 1);
    expect(store.sessionUser('token-1')).toBe('Ann');
    expect(store.sessionUser('token-3')).toBeUndefined();
    store.deleteSession('token-1');
    expect(store.sessionUser('token-1')).toBeUndefined();
    expect(store.sessionUser('token-2')).toBe('ben');
  });

  it('lists users by name, case-insensitively, a page at a time', () => {
    expect(store.listUsers({after: '', limit: 10})).toEqual(['Ann', 'ben', 'cat']);
    expect(store.listUsers({after: '', limit: 2})).toEqual(['Ann', 'ben']);
    expect(store.listUsers({after: 'BEN', limit: 10})).toEqual(['cat']);
  });
});

describe('groups', () => {
  it('creates a group once with its creator as its first member, and adds a member once', () => {
    expect(store.createGroup('Devs', 'Ann', 1)).toBe(true);
    expect(store.createGroup('devs', 'ben', 2)).toBe(false);
    expect(store.groupName('DEVS')).toBe('Devs');
    expect(store.groupName('ops')).toBeUndefined();
    expect(store.members('devs')).toEqual(['Ann']);
    expect(store.addMember('devs', 'cat', 3)).toBe(true);
    expect(store.addMember('Devs', 'CAT', 4)).toBe(false);
    expect(store.addMember('devs', 'ben', 3)).toBe(true);
    // By joining time, then name.
    expect(store.members('devs')).toEqual(['Ann', 'ben', 'cat']);
    expect(store.isMember('DEVS', 'ann')).toBe(true);
    expect(store.isMember('devs', 'dan')).toBe(false);
    expect(store.groupsCreatedBy('Ann')).toBe(1);
    expect(store.groupsCreatedBy('ben')).toBe(0);
  });

  it('lists groups a page at a time with their member count and whether the reader is in', () => {
    store.createGroup('alpha', 'Ann', 10);
    store.createGroup('Beta', 'ben', 11);
    store.createGroup('gamma', 'cat', 12);
    store.addMember('beta', 'Ann', 13);
    expect(store.listGroups('ann', {after: '', limit: 10})).toEqual([
      {name: 'alpha', members: 1, isMember: true, createdAt: 10},
      {name: 'Beta', members: 2, isMember: true, createdAt: 11},
      {name: 'gamma', members: 1, isMember: false, createdAt: 12},
    ]);
    expect(store.listGroups('cat', {after: 'ALPHA', limit: 1})).toEqual([{name: 'Beta', members: 2, isMember: false, createdAt: 11}]);
    expect(store.groupsOf('ANN')).toEqual(['alpha', 'beta']); // as spelled when joining
    expect(store.groupsOf('dan')).toEqual([]);
  });
});

describe('messages and inboxes', () => {
  it('keeps every field of a message, and only the fields it has', () => {
    store.createGroup('devs', 'Ann', 1);
    const plain = send({sender: 'Ann', recipient: 'ben', body: 'plain'}, ['ben']);
    const remote = send({sender: 'dora', senderRealm: 'beta', recipient: 'ben', body: 'from afar'}, ['ben']);
    const out = send({sender: 'Ann', recipient: 'dora', recipientRealm: 'beta', body: 'to afar'}, []);
    const group = send({sender: 'Ann', group: 'devs', body: 'to all', file: {name: 'a.txt', size: 3, sha256: 'ab'.repeat(32)}}, ['ben']);
    expect(store.message(plain)).toEqual({id: plain, sender: 'Ann', recipient: 'ben', body: 'plain', ts: 5});
    expect(store.message(remote)).toEqual({id: remote, sender: 'dora', senderRealm: 'beta', recipient: 'ben', body: 'from afar', ts: 5});
    expect(store.message(out)).toEqual({id: out, sender: 'Ann', recipient: 'dora', recipientRealm: 'beta', body: 'to afar', ts: 5});
    expect(store.message(group)).toEqual(
      {id: group, sender: 'Ann', group: 'devs', body: 'to all', ts: 5, file: {name: 'a.txt', size: 3, sha256: 'ab'.repeat(32)}});
    expect(store.message(group + 100)).toBeUndefined();
    expect(out).toBeGreaterThan(remote);
  });

  it('pages an inbox by count and by bytes (a file counts as its base64), always at least one message', () => {
    for (let i = 0; i < 5; i++) send({sender: 'Ann', recipient: 'ben', body: `m${i}`}, ['ben']);
    expect(store.unread('ben', {maxMessages: 5, maxBytes: 1e6})).toMatchObject({more: false});
    expect(bodies(store.unread('ben', {maxMessages: 5, maxBytes: 1e6}).messages)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    const byCount = store.unread('ben', {maxMessages: 4, maxBytes: 1e6});
    expect(bodies(byCount.messages)).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(byCount.more).toBe(true);
    // Two bytes each: 4 bytes hold two, 5 bytes still two, a page of 1 byte holds the first alone.
    expect(bodies(store.unread('ben', {maxMessages: 10, maxBytes: 4}).messages)).toEqual(['m0', 'm1']);
    expect(bodies(store.unread('ben', {maxMessages: 10, maxBytes: 5}).messages)).toEqual(['m0', 'm1']);
    expect(store.unread('ben', {maxMessages: 10, maxBytes: 1})).toMatchObject({messages: [{body: 'm0'}], more: true});
    // A 3-byte file is 4 bytes of base64: with its 2-byte text it no longer fits a page of 8 after m0.
    send({sender: 'Ann', recipient: 'cat', body: 'f1', file: {name: 'f', size: 3, sha256: 'cd'.repeat(32)}}, ['cat']);
    send({sender: 'Ann', recipient: 'cat', body: 'f2', file: {name: 'f', size: 3, sha256: 'cd'.repeat(32)}}, ['cat']);
    expect(bodies(store.unread('cat', {maxMessages: 10, maxBytes: 11}).messages)).toEqual(['f1']);
    expect(bodies(store.unread('cat', {maxMessages: 10, maxBytes: 12}).messages)).toEqual(['f1', 'f2']);
  });

  it('filters an inbox by local sender or by realm (null: local senders only)', () => {
    send({sender: 'Ann', recipient: 'ben', body: 'local ann'}, ['ben']);
    send({sender: 'ann', senderRealm: 'beta', recipient: 'ben', body: 'ann of beta'}, ['ben']);
    send({sender: 'cat', recipient: 'ben', body: 'local cat'}, ['ben']);
    send({sender: 'eve', senderRealm: 'gamma', recipient: 'ben', body: 'eve of gamma'}, ['ben']);
    expect(bodies(store.unread('ben', LOTS, {sender: 'ANN'}).messages)).toEqual(['local ann']);
    expect(bodies(store.unread('ben', LOTS, {realm: null}).messages)).toEqual(['local ann', 'local cat']);
    expect(bodies(store.unread('ben', LOTS, {realm: 'beta'}).messages)).toEqual(['ann of beta']);
    expect(bodies(store.unread('ben', LOTS, {}).messages)).toHaveLength(4);
    expect(store.unread('ben', {maxMessages: 1, maxBytes: 1e6}, {realm: null})).toMatchObject({more: true});
    expect(store.unread('ben', {maxMessages: 1, maxBytes: 1e6}, {sender: 'cat'})).toMatchObject({more: false});
  });

  it('marks read what it is told, for that reader alone, and says whether anything is unread', async () => {
    store.createGroup('devs', 'Ann', 1);
    store.addMember('devs', 'cat', 1);
    const first = send({sender: 'Ann', group: 'devs', body: 'g1'}, ['ben', 'cat']);
    send({sender: 'Ann', group: 'devs', body: 'g2'}, ['ben', 'cat']);
    await store.settled();
    expect(store.hasUnread('ben')).toBe(true);
    expect(store.hasUnread('Ann')).toBe(false);
    // Nothing to mark: no write, so no batch opens.
    store.markRead('ben', []);
    expect(store.currentBatch().state).toBe('committed');
    store.markRead('BEN', [first]);
    expect(bodies(store.unread('ben', LOTS).messages)).toEqual(['g2']);
    expect(bodies(store.unread('cat', LOTS).messages)).toEqual(['g1', 'g2']);
    store.markRead('ben', [first + 1]);
    expect(store.hasUnread('ben')).toBe(false);
  });

  it('counts the unread text bytes (UTF-8) one sender holds in one inbox, by realm', () => {
    send({sender: 'Ann', recipient: 'ben', body: 'héllo'}, ['ben']);
    send({sender: 'ann', recipient: 'ben', body: 'abc'}, ['ben']);
    send({sender: 'Ann', senderRealm: 'beta', recipient: 'ben', body: 'remote'}, ['ben']);
    send({sender: 'Ann', recipient: 'cat', body: 'elsewhere'}, ['cat']);
    expect(store.unreadBytesFrom('ben', 'Ann', null)).toBe(9);
    expect(store.unreadBytesFrom('ben', 'Ann', 'beta')).toBe(6);
    expect(store.unreadBytesFrom('ben', 'cat', null)).toBe(0);
  });

  it('gives history read flags to the reader\'s received messages only, and pages a group by sender and realm', () => {
    store.createGroup('devs', 'Ann', 1);
    const toBen = send({sender: 'Ann', recipient: 'ben', body: 'to ben'}, ['ben']);
    send({sender: 'ben', recipient: 'Ann', body: 'to ann'}, ['Ann']);
    send({sender: 'Ann', recipient: 'ben', body: 'unread'}, ['ben']);
    store.markRead('ben', [toBen]);
    const history = store.privateHistory('ben', 'ann', undefined, {limit: 10});
    expect(history.map((message) => [message.body, message.read])).toEqual([['to ben', true], ['to ann', undefined], ['unread', false]]);
    expect(bodies(store.privateHistory('ben', 'ann', undefined, {limit: 10, beforeId: toBen + 2}))).toEqual(['to ben', 'to ann']);

    const g1 = send({sender: 'Ann', group: 'devs', body: 'g1'}, ['ben']);
    send({sender: 'ben', group: 'devs', body: 'g2'}, ['Ann']);
    send({sender: 'Ann', senderRealm: 'beta', group: 'devs', body: 'namesake of beta'}, ['ben']);
    send({sender: 'cat', group: 'devs', recipientRealm: 'beta', body: 'devs of beta'}, []);
    send({sender: 'Ann', group: 'devs', body: 'g3'}, ['ben']);
    expect(bodies(store.groupHistory('devs', undefined, {limit: 10}))).toEqual(['g1', 'g2', 'namesake of beta', 'g3']);
    expect(bodies(store.groupHistory('DEVS', undefined, {limit: 2}))).toEqual(['namesake of beta', 'g3']);
    expect(bodies(store.groupHistory('devs', undefined, {limit: 10}, 'ann'))).toEqual(['g1', 'g3']);
    expect(bodies(store.groupHistory('devs', undefined, {limit: 10, beforeId: g1 + 1}))).toEqual(['g1']);
    expect(bodies(store.groupHistory('devs', 'beta', {limit: 10}))).toEqual(['devs of beta']);
  });
});

describe('federation tables', () => {
  it('keeps linked realms by name, replacing the row of the same name, and removes one with its pinned key', () => {
    store.saveRealm({name: 'gamma', host: 'g.example', port: 7000, dial: false, addedAt: 3});
    store.saveRealm({name: 'beta', host: 'b.example', port: 8000, dial: true, addedAt: 1});
    store.saveRealm({name: 'BETA', host: 'b2.example', port: 8001, dial: false, addedAt: 2});
    expect(store.listRealms()).toEqual([
      {name: 'beta', host: 'b2.example', port: 8001, dial: false, addedAt: 1},
      {name: 'gamma', host: 'g.example', port: 7000, dial: false, addedAt: 3},
    ]);
    store.pinRealmKey('beta', 'key-1', 1);
    store.pinRealmKey('Beta', 'key-2', 2);
    expect(store.realmKey('BETA')).toBe('key-1');
    expect(store.realmKey('gamma')).toBeUndefined();
    store.enqueueOutbox('beta', '{}', [], 1);
    store.removeRealm('beta');
    expect(store.listRealms().map((realm) => realm.name)).toEqual(['gamma']);
    expect(store.realmKey('beta')).toBeUndefined();
    expect(store.outboxStats('beta')).toEqual({count: 1, lastSeq: 1});
  });

  it('keeps an outbox per realm in seq order, pages it, and completes an acknowledged prefix', () => {
    expect(store.outboxStats('beta')).toEqual({count: 0, lastSeq: 0});
    const first = store.enqueueOutbox('beta', 'b1', [{sender: 'Ann', recipient: 'dora', recipientRealm: 'beta', body: 'one', ts: 1}], 1);
    store.enqueueOutbox('gamma', 'g1', [], 1);
    const third = store.enqueueOutbox('beta', 'b2', [], 1);
    const fourth = store.enqueueOutbox('beta', 'b3', [], 1);
    expect(first).toEqual({seq: 1, realm: 'beta', body: 'b1', localIds: [expect.any(Number)]});
    expect(store.message(first.localIds[0]!)).toMatchObject({body: 'one', recipientRealm: 'beta'});
    expect(store.unread('dora', LOTS).messages).toEqual([]); // a sender's copy is delivered to nobody here
    expect(store.outboxStats('BETA')).toEqual({count: 3, lastSeq: fourth.seq});
    expect(store.outboxPage('beta', 0, 99, 10).map((row) => row.body)).toEqual(['b1', 'b2', 'b3']);
    expect(store.outboxPage('beta', 1, 99, 10).map((row) => row.body)).toEqual(['b2', 'b3']);
    expect(store.outboxPage('beta', 0, third.seq, 10).map((row) => row.body)).toEqual(['b1', 'b2']);
    expect(store.outboxPage('beta', 0, 99, 1)).toEqual([{seq: 1, realm: 'beta', body: 'b1', localIds: first.localIds}]);

    store.completeOutbox({realm: 'beta', upto: third.seq, notices: [
      {message: {sender: '~realmchat', recipient: 'Ann', body: 'Delivery failed', ts: 2}, recipients: ['Ann']},
    ], dropMessageIds: first.localIds});
    expect(store.outboxPage('beta', 0, 99, 10).map((row) => row.body)).toEqual(['b3']);
    expect(store.outboxStats('gamma')).toEqual({count: 1, lastSeq: 2});
    expect(bodies(store.unread('Ann', LOTS).messages)).toEqual(['Delivery failed']);
    expect(store.message(first.localIds[0]!)).toBeUndefined();
    // Only a local sender's copy to another realm is ever dropped: never a message someone here received.
    const received = send({sender: 'ben', recipient: 'Ann', body: 'kept'}, ['Ann']);
    store.completeOutbox({realm: 'beta', upto: 0, notices: [], dropMessageIds: [received]});
    expect(store.message(received)).toMatchObject({body: 'kept'});
    // A seq is never reused after its row went.
    store.completeOutbox({realm: 'beta', upto: 99, notices: [], dropMessageIds: []});
    expect(store.enqueueOutbox('beta', 'b4', [], 1).seq).toBe(fourth.seq + 1);
  });

  it('keeps the verdict of each received message id per realm, with its deliveries, and prunes the oldest ids', async () => {
    expect(store.receivedVerdict('beta', 'u1')).toBeUndefined();
    store.storeReceived('beta', [
      {uid: 'u1', verdict: null, deliveries: [{message: {sender: 'dora', senderRealm: 'beta', recipient: 'ben', body: 'hi', ts: 1}, recipients: ['ben']}]},
      {uid: 'u2', verdict: 'USER_NOT_FOUND', deliveries: []},
    ], 100);
    store.storeReceived('gamma', [{uid: 'u1', verdict: 'RATE_LIMITED', deliveries: []}], 200);
    await store.settled();
    store.storeReceived('beta', [], 300); // nothing: no write, so no batch opens
    expect(store.currentBatch().state).toBe('committed');
    expect(store.receivedVerdict('BETA', 'u1')).toBeNull();
    expect(store.receivedVerdict('beta', 'u2')).toBe('USER_NOT_FOUND');
    expect(store.receivedVerdict('gamma', 'u1')).toBe('RATE_LIMITED');
    expect(bodies(store.unread('ben', LOTS).messages)).toEqual(['hi']);
    // Stored before 200: the two of beta; one at a time.
    expect(store.pruneReceived(200, 1)).toBe(1);
    expect(store.pruneReceived(200, 10)).toBe(1);
    expect(store.pruneReceived(200, 10)).toBe(0);
    expect(store.receivedVerdict('beta', 'u1')).toBeUndefined();
    expect(store.receivedVerdict('gamma', 'u1')).toBe('RATE_LIMITED');
    expect(store.pruneReceived(201, 10)).toBe(1);
  });
});

describe('writes that fail half-way', () => {
  /** Makes every insert into (or delete from) `table` fail, as a full disk would, for rows matching `when`. */
  const failOn = (event: string, table: string, when = '1') => store.db.exec(
    `CREATE TEMP TRIGGER fail_${table}_${event.split(' ')[1]} ${event} ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'injected'); END`);

  it('an outbox row that cannot be written fails the batch: no sender copy without its duty to deliver', async () => {
    send({sender: 'Ann', recipient: 'ben', body: 'same batch'}, ['ben']);
    const batch = store.currentBatch();
    failOn('BEFORE INSERT', 'outbox');
    expect(() => store.enqueueOutbox('beta', 'b', [{sender: 'Ann', recipient: 'dora', recipientRealm: 'beta', body: 'copy', ts: 1}], 1))
      .toThrow('injected');
    expect(batch.state).toBe('failed');
    await expect(batch.done).rejects.toThrow('injected');
    expect(store.privateHistory('Ann', 'dora', 'beta', {limit: 10})).toEqual([]);
    expect(store.unread('ben', LOTS).messages).toEqual([]);
  });

  it('marking read that fails fails the batch (its replies must not say OK)', async () => {
    const id = send({sender: 'Ann', recipient: 'ben', body: 'x'}, ['ben']);
    await store.settled();
    send({sender: 'Ann', recipient: 'cat', body: 'same batch'}, ['cat']);
    const batch = store.currentBatch();
    failOn('BEFORE DELETE', 'unread');
    expect(() => store.markRead('ben', [id])).toThrow('injected');
    expect(batch.state).toBe('failed');
    expect(store.unread('cat', LOTS).messages).toEqual([]);
  });

  it('an acknowledgement whose notice cannot be stored is undone whole: the outbox rows stay', async () => {
    store.enqueueOutbox('beta', 'b1', [], 1);
    await store.settled();
    failOn('BEFORE INSERT', 'unread', "NEW.recipient = 'cat'");
    expect(() => store.completeOutbox({realm: 'beta', upto: 1, dropMessageIds: [], notices: [
      {message: {sender: '~realmchat', recipient: 'cat', body: 'failed', ts: 1}, recipients: ['cat']},
    ]})).toThrow('injected');
    expect(store.currentBatch().state).toBe('pending');
    expect(store.outboxStats('beta')).toEqual({count: 1, lastSeq: 1});
    expect(store.db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(0);
  });

  it('received messages of which one cannot be delivered are stored not at all, ids included', () => {
    failOn('BEFORE INSERT', 'unread', "NEW.recipient = 'cat'");
    const delivery = (recipient: string) => ({message: {sender: 'dora', senderRealm: 'beta', recipient, body: 'hi', ts: 1}, recipients: [recipient]});
    expect(() => store.storeReceived('beta', [
      {uid: 'u1', verdict: null, deliveries: [delivery('ben')]},
      {uid: 'u2', verdict: null, deliveries: [delivery('cat')]},
    ], 1)).toThrow('injected');
    expect(store.receivedVerdict('beta', 'u1')).toBeUndefined();
    expect(store.unread('ben', LOTS).messages).toEqual([]);
  });

  it('a realm whose key cannot be deleted is not removed either', () => {
    store.saveRealm({name: 'beta', host: 'h', port: 1, dial: true, addedAt: 1});
    store.pinRealmKey('beta', 'key', 1);
    failOn('BEFORE DELETE', 'realm_keys');
    expect(() => store.removeRealm('beta')).toThrow('injected');
    expect(store.listRealms().map((realm) => realm.name)).toEqual(['beta']);
  });
});

describe('writes and batches', () => {
  it('undoes a failing single-statement write alone and keeps the batch', async () => {
    send({sender: 'Ann', recipient: 'ben', body: 'kept'}, ['ben']);
    const batch = store.currentBatch();
    // A session of a user who does not exist breaks a foreign key.
    expect(() => store.createSession('t', 'nobody', 1)).toThrow();
    expect(batch.state).toBe('pending');
    store.commit();
    await expect(batch.done).resolves.toBeUndefined();
    expect(bodies(store.unread('ben', LOTS).messages)).toEqual(['kept']);
  });

  it('refuses writes once closed, commits what was pending at close, and closes once', async () => {
    const dir = tempDir();
    const file = join(dir, 'realmchat.db');
    const onDisk = new SqliteStore({file, checkpointIntervalMs: 0});
    onDisk.createUser({username: 'zed', fullName: 'z', country: 'x', createdAt: 1}, 'v');
    const batch = onDisk.currentBatch();
    await onDisk.close();
    expect(batch.state).toBe('committed');
    await onDisk.close();
    expect(() => onDisk.createSession('t', 'zed', 1)).toThrow('store is closed');
    const reopened = new SqliteStore({file});
    expect(reopened.getUser('zed')).toMatchObject({username: 'zed'});
    await reopened.close();
  });

  it('fails the whole batch when its COMMIT fails, and goes on with a new one', async () => {
    send({sender: 'Ann', recipient: 'ben', body: 'doomed'}, ['ben']);
    const batch = store.currentBatch();
    // A deferred foreign key is checked at COMMIT: a delivery of a message that does not exist.
    store.db.pragma('defer_foreign_keys = ON');
    store.db.prepare('INSERT INTO unread (recipient, message_id) VALUES (?, ?)').run('ben', 999_999);
    store.commit();
    expect(batch.state).toBe('failed');
    await expect(batch.done).rejects.toThrow();
    expect(store.db.inTransaction).toBe(false);
    expect(store.unread('ben', LOTS).messages).toEqual([]);
    send({sender: 'Ann', recipient: 'ben', body: 'after'}, ['ben']);
    await store.settled();
    expect(bodies(store.unread('ben', LOTS).messages)).toEqual(['after']);
  });
});

describe('durability full', () => {
  it('fails a batch whose WAL cannot be synced, and counts a closed store\'s last batch only once it is synced', async () => {
    const dir = tempDir();
    const file = join(dir, 'realmchat.db');
    const full = new SqliteStore({file, durability: 'full', checkpointIntervalMs: 0});
    full.createUser({username: 'zed', fullName: 'z', country: 'x', createdAt: 1}, 'v');
    const last = full.currentBatch();
    await full.close();
    expect(last.state).toBe('committed');

    const broken = new SqliteStore({file, durability: 'full', checkpointIntervalMs: 0});
    broken.createSession('t', 'zed', 1);
    const batch = broken.currentBatch();
    rmSync(`${file}-wal`); // the file WalSync opens for its first fsync is gone
    broken.commit();
    await expect(batch.done).rejects.toThrow(/ENOENT/);
    expect(batch.state).toBe('failed');
    await broken.close();
  });

  it('has nothing to sync in memory: a batch is committed at its COMMIT', () => {
    const memory = new SqliteStore({file: ':memory:', durability: 'full'});
    memory.createUser({username: 'zed', fullName: 'z', country: 'x', createdAt: 1}, 'v');
    const batch = memory.currentBatch();
    memory.commit();
    expect(batch.state).toBe('committed');
    void memory.close();
  });

  it('opens and closes a store that never wrote', async () => {
    const full = new SqliteStore({file: join(tempDir(), 'realmchat.db'), durability: 'full'});
    await expect(full.close()).resolves.toBeUndefined();
  });

  it('creates a missing data folder 0700', async () => {
    const folder = join(tempDir(), 'nested', 'data');
    const onDisk = new SqliteStore({file: join(folder, 'realmchat.db')});
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    await onDisk.close();
  });
});

describe('file contents', () => {
  it('stores content once under its SHA-256, 0600 in 0700 folders, and reads back only a well-formed name', async () => {
    const dir = tempDir();
    const onDisk = new SqliteStore({file: join(dir, 'realmchat.db')});
    try {
      const content = Buffer.from('file body');
      const sha256 = await onDisk.putBlob(content);
      expect(sha256).toBe(BlobFolder.hash(content));
      expect(await onDisk.putBlob(Buffer.from('file body'))).toBe(sha256);
      const folder = join(dir, 'files', sha256.slice(0, 2));
      expect(readdirSync(folder)).toEqual([sha256]); // no temporary file left
      expect(statSync(join(folder, sha256)).mode & 0o777).toBe(0o600);
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'files')).mode & 0o777).toBe(0o700);
      expect(onDisk.readBlob(sha256)).toEqual(content);
      expect(onDisk.readBlob('0'.repeat(64))).toBeUndefined();
      expect(onDisk.readBlob(`../${sha256.slice(3)}`)).toBeUndefined();
      expect(onDisk.readBlob(sha256.toUpperCase())).toBeUndefined();
      expect(onDisk.readBlob(`${sha256}0`)).toBeUndefined();
      expect(existsSync(join(dir, 'files'))).toBe(true);
    } finally {
      await onDisk.close();
    }
  });

  it('writes a blob once: the same content again leaves the stored file alone', async () => {
    const dir = tempDir();
    const onDisk = new SqliteStore({file: join(dir, 'realmchat.db')});
    try {
      const sha256 = await onDisk.putBlob(Buffer.from('once'));
      const path = join(dir, 'files', sha256.slice(0, 2), sha256);
      const inode = statSync(path).ino;
      await onDisk.putBlob(Buffer.from('once'));
      expect(statSync(path).ino).toBe(inode);
    } finally {
      await onDisk.close();
    }
  });

  it('stores two contents whose names share their folder', async () => {
    const dir = tempDir();
    const onDisk = new SqliteStore({file: join(dir, 'realmchat.db')});
    try {
      const first = Buffer.from('content 0');
      let i = 1;
      while (BlobFolder.hash(Buffer.from(`content ${i}`)).slice(0, 2) !== BlobFolder.hash(first).slice(0, 2)) i++;
      const second = Buffer.from(`content ${i}`);
      await onDisk.putBlob(first);
      const sha256 = await onDisk.putBlob(second);
      expect(onDisk.readBlob(sha256)).toEqual(second);
    } finally {
      await onDisk.close();
    }
  });

  it('reads no path but a bare SHA-256 name, so a name cannot walk to another file', async () => {
    const dir = tempDir();
    const onDisk = new SqliteStore({file: join(dir, 'realmchat.db')});
    try {
      const sha256 = await onDisk.putBlob(Buffer.from('secret'));
      const prefix = sha256.slice(0, 2);
      expect(onDisk.readBlob(sha256)?.toString()).toBe('secret');
      // Both resolve to the stored file once joined to the folder: refused by name, before any path is made.
      expect(onDisk.readBlob(`${prefix}/../${sha256}`)).toBeUndefined();
      expect(onDisk.readBlob(`${sha256}/../${sha256}`)).toBeUndefined();
    } finally {
      await onDisk.close();
    }
  });

  it('keeps its own copy of a blob in memory, not the caller\'s buffer, and nothing on disk', async () => {
    const content = Buffer.from('abc');
    const sha256 = await store.putBlob(content);
    expect(existsSync(join(process.cwd(), 'files'))).toBe(false);
    content.fill(0);
    expect(store.readBlob(sha256)?.toString()).toBe('abc');
    expect(store.readBlob('ff'.repeat(32))).toBeUndefined();
  });
});
