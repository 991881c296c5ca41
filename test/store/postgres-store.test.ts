/**
 * Every Store method of the PostgreSQL store, on a private cluster. (After the async-store merge the Store contract
 * suite runs on this store too, through createPostgresTestStore.)
 */
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {PG_MIGRATIONS} from '../../daemon/store/postgres/pg-schema.js';
import type {NewMessage, StoredMessage} from '../../daemon/store/types.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster;
let store: PostgresStore;
let url: string;

/** Runs `work` as one turn: its operations, then the commit the daemon makes at the end of a turn. */
async function turn<T>(work: () => Promise<T>): Promise<T> {
  const result = work();
  store.commit();
  return result;
}

const user = (username: string) => ({username, fullName: `${username} full`, country: 'nowhere', createdAt: 7});
const texts = (messages: StoredMessage[]) => messages.map((message) => message.body);
const limits = {maxMessages: 100, maxBytes: 1 << 20};

describeIfPostgres('PostgresStore: every Store method', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    ({store, url} = await createPostgresTestStore(cluster));
    for (const name of ['ann', 'ben', 'cat', 'dan']) await turn(() => store.createUser(user(name), `verifier-${name}`));
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await cluster?.destroy();
  });

  describe('schema', () => {
    it('records each migration once', () => {
      expect(cluster.psql(url, 'SELECT string_agg(version::text, \',\' ORDER BY version) FROM schema_migrations'))
        .toBe(PG_MIGRATIONS.map((migration) => migration.version).join(','));
    });
  });

  describe('users and sessions', () => {
    it('creates users once, case-insensitively, and reads them back without the verifier', async () => {
      expect(await turn(() => store.createUser(user('ANN'), 'other'))).toBe(false);
      expect(await store.getUser('ANN')).toEqual({username: 'ann', fullName: 'ann full', country: 'nowhere', createdAt: 7});
      expect(await store.getUser('nobody')).toBeUndefined();
      expect(await store.getPassword('Ben')).toEqual({username: 'ben', verifier: 'verifier-ben'});
      expect(await store.getPassword('nobody')).toBeUndefined();
    });

    it('keeps sessions by token hash only, replaces a token, and deletes it', async () => {
      await turn(() => store.createSession('token-1', 'ann', 1));
      expect(await store.sessionUser('token-1')).toBe('ann');
      expect(cluster.psql(url, "SELECT count(*) FROM sessions WHERE token_hash = convert_to('token-1', 'UTF8')")).toBe('0');
      await turn(() => store.createSession('token-1', 'ben', 2));
      expect(await store.sessionUser('token-1')).toBe('ben');
      await turn(() => store.deleteSession('token-1'));
      expect(await store.sessionUser('token-1')).toBeUndefined();
    });

    it('pages users by name, case-insensitively', async () => {
      expect(await store.listUsers({after: '', limit: 2})).toEqual(['ann', 'ben']);
      expect(await store.listUsers({after: 'BEN', limit: 10})).toEqual(['cat', 'dan']);
    });
  });

  describe('groups', () => {
    it('creates a group with its creator as member; a taken name (any case) is refused without failing the batch', async () => {
      const created = store.createGroup('Devs', 'ann', 10);
      const again = store.createGroup('devs', 'ben', 11);
      const batch = store.latestBatch();
      store.commit();
      expect([await created, await again]).toEqual([true, false]);
      await expect(batch.done).resolves.toBeUndefined();
      expect(await store.groupName('DEVS')).toBe('Devs');
      expect(await store.groupName('ops')).toBeUndefined();
      expect(await store.members('devs')).toEqual(['ann']);
      expect(await store.groupsCreatedBy('ANN')).toBe(1);
    });

    it('adds members once, in join order, and lists groups with counts', async () => {
      expect(await turn(() => store.addMember('devs', 'ben', 12))).toBe(true);
      expect(await turn(() => store.addMember('DEVS', 'BEN', 13))).toBe(false);
      expect(await turn(() => store.addMember('devs', 'nobody', 13))).toBe(false);
      expect(await turn(() => store.createGroup('ops', 'cat', 14))).toBe(true);
      expect(await store.isMember('devs', 'Ben')).toBe(true);
      expect(await store.isMember('devs', 'cat')).toBe(false);
      expect(await store.members('devs')).toEqual(['ann', 'ben']);
      expect(await store.groupsOf('ben')).toEqual(['devs']); // the spelling it was joined with, as on SQLite
      expect(await store.listGroups('ben', {after: '', limit: 10})).toEqual([
        {name: 'Devs', members: 2, isMember: true, createdAt: 10},
        {name: 'ops', members: 1, isMember: false, createdAt: 14},
      ]);
      expect(await store.listGroups('ben', {after: 'devs', limit: 10})).toEqual([{name: 'ops', members: 1, isMember: false, createdAt: 14}]);
    });
  });

  describe('messages', () => {
    beforeEach(async () => {
      // Every test starts with empty inboxes.
      for (const name of ['ann', 'ben', 'cat', 'dan']) await turn(() => store.takeUnread(name, {maxMessages: 1000, maxBytes: 1 << 30}));
    });

    const send = (message: Omit<NewMessage, 'ts'>, to: string[]) => store.storeMessage({...message, ts: 1_700_000_000_000}, to);

    it('stores a message with its deliveries in one write and reads it back, text kept exactly', async () => {
      const body = 'quotes " and \\ backslash, {braces}, commas, NULL and ünïcödé 🎉';
      const id = await turn(() => send({sender: 'ann', recipient: 'ben', body}, ['ben']));
      const message = await store.message(id);
      expect(message).toEqual({id, sender: 'ann', recipient: 'ben', body, ts: 1_700_000_000_000});
      expect(await store.hasUnread('BEN')).toBe(true);
      expect(await store.hasUnread('ann')).toBe(false);
      expect(await store.unreadBytesFrom('ben', 'ANN', null)).toBe(Buffer.byteLength(body));
      expect(await store.unreadBytesFrom('ben', 'ann', 'beta')).toBe(0);
      expect(await store.message(id + 1000)).toBeUndefined();
    });

    it('gives increasing ids in issue order within a batch and delivers a group message to each recipient', async () => {
      const ids = await turn(() => Promise.all([
        send({sender: 'ann', recipient: 'ben', body: 'one'}, ['ben']),
        send({sender: 'ann', group: 'Devs', body: 'to the group'}, ['ben', 'cat', 'BEN']),
        send({sender: 'ann', recipient: 'ben', body: 'three'}, ['ben']),
      ]));
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(texts((await store.unread('ben', limits)).messages)).toEqual(['one', 'to the group', 'three']);
      expect(texts((await store.unread('cat', limits)).messages)).toEqual(['to the group']);
    });

    it('pages unread messages by count and by bytes (one message always fits) and filters by realm and sender', async () => {
      await turn(() => Promise.all([
        send({sender: 'ann', recipient: 'dan', body: 'a'.repeat(300)}, ['dan']),
        send({sender: 'ben', recipient: 'dan', body: 'b'}, ['dan']),
        send({sender: 'eve', senderRealm: 'beta', recipient: 'dan', body: 'remote'}, ['dan']),
        send({sender: 'ann', recipient: 'dan', body: 'c'}, ['dan']),
      ]));
      expect(await store.unread('dan', {maxMessages: 2, maxBytes: 1 << 20})).toMatchObject({more: true});
      expect(texts((await store.unread('dan', {maxMessages: 10, maxBytes: 10})).messages)).toEqual(['a'.repeat(300)]);
      expect(texts((await store.unread('dan', limits, {realm: 'beta'})).messages)).toEqual(['remote']);
      expect(texts((await store.unread('dan', limits, {realm: null})).messages)).toEqual(['a'.repeat(300), 'b', 'c']);
      expect(texts((await store.unread('dan', limits, {sender: 'ANN'})).messages)).toEqual(['a'.repeat(300), 'c']);
      // Peeking marks nothing; taking marks exactly the page taken.
      const taken = await turn(() => store.takeUnread('dan', {maxMessages: 10, maxBytes: 305}));
      expect(texts(taken.messages)).toEqual(['a'.repeat(300), 'b']);
      expect(taken.more).toBe(true);
      const fromAnn = await turn(() => store.takeUnread('dan', limits, {sender: 'ann'}));
      expect(texts(fromAnn.messages)).toEqual(['c']);
      expect(fromAnn.more).toBe(false);
      expect(texts((await store.unread('dan', limits)).messages)).toEqual(['remote']);
    });

    it('marks read only what is still unread, and makes taken messages unread again', async () => {
      const [first, second] = await turn(() => Promise.all([
        send({sender: 'ann', recipient: 'cat', body: 'first'}, ['cat']),
        send({sender: 'ann', recipient: 'cat', body: 'second'}, ['cat']),
      ]));
      await turn(() => store.markRead('cat', [first!, first!, 999_999]));
      expect(texts((await store.unread('cat', limits)).messages)).toEqual(['second']);
      const taken = await turn(() => store.takeUnread('cat', limits));
      expect(texts(taken.messages)).toEqual(['second']);
      await turn(() => store.returnUnread('cat', [second!]));
      expect(texts((await store.unread('cat', limits)).messages)).toEqual(['second']);
    });

    it('stores files once by content, in the database, and names them from their message', async () => {
      const content = Buffer.from('file content \u0000 with a NUL byte');
      const sha256 = await store.putBlob(content);
      expect(await store.putBlob(content)).toBe(sha256);
      expect(cluster.psql(url, 'SELECT count(*) FROM blobs')).toBe('1');
      expect(await store.readBlob(sha256)).toEqual(content);
      expect(await store.readBlob('0'.repeat(64))).toBeUndefined();
      expect(await store.readBlob('../etc/passwd')).toBeUndefined();
      const file = {name: 'notes.txt', size: content.length, sha256};
      const id = await turn(() => send({sender: 'ann', recipient: 'ben', body: '[file] notes.txt (33 B)', file}, ['ben']));
      expect((await store.message(id))?.file).toEqual(file);
      // A page counts a file's base64 too.
      const page = await store.unread('ben', {maxMessages: 10, maxBytes: 30});
      expect(page.messages.map((message) => message.file)).toEqual([file]);
    });

    it('pages a private conversation both ways, skipping other realms and groups, with read flags', async () => {
      const expected: string[] = [];
      await turn(async () => {
        const writes: Array<Promise<number>> = [];
        for (let i = 0; i < 12; i++) {
          const fromAnn = i % 3 !== 0;
          writes.push(send(fromAnn ? {sender: 'fay', recipient: 'gus', body: `m${i}`} : {sender: 'gus', recipient: 'fay', body: `m${i}`},
            [fromAnn ? 'gus' : 'fay']));
          expected.push(`m${i}`);
          writes.push(send({sender: 'fay', recipient: 'gus', recipientRealm: 'beta', body: `remote${i}`}, []));
          writes.push(send({sender: 'fay', group: 'ops', body: `group${i}`}, ['cat']));
        }
        await Promise.all(writes);
      });
      const seen: string[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await store.privateHistory('fay', 'GUS', undefined, {limit: 5, beforeId: before});
        if (page.length === 0) break;
        seen.unshift(...texts(page));
        before = page[0]!.id;
      }
      expect(seen).toEqual(expected);
      const annSide = await store.privateHistory('fay', 'gus', undefined, {limit: 100});
      // fay received m0, m3, m6, m9 and has not read them; what she sent carries no read flag.
      expect(annSide.filter((message) => message.read !== undefined).map((message) => [message.body, message.read]))
        .toEqual([['m0', false], ['m3', false], ['m6', false], ['m9', false]]);
      expect(texts(await store.privateHistory('fay', 'gus', 'beta', {limit: 2}))).toEqual(['remote10', 'remote11']);
      expect(texts(await store.groupHistory('OPS', undefined, {limit: 3}))).toEqual(['group9', 'group10', 'group11']);
      expect(texts(await store.groupHistory('ops', undefined, {limit: 2}, 'gus'))).toEqual([]);
      expect(texts(await store.groupHistory('ops', undefined, {limit: 1}, 'FAY'))).toEqual(['group11']);
    });

    it('lists a conversation with oneself once', async () => {
      await turn(() => Promise.all([0, 1, 2].map((i) => send({sender: 'dan', recipient: 'dan', body: `note${i}`}, ['dan']))));
      expect(texts(await store.privateHistory('dan', 'Dan', undefined, {limit: 50}))).toEqual(['note0', 'note1', 'note2']);
    });
  });

  describe('federation', () => {
    it('saves, replaces, lists and removes realms with their pinned keys', async () => {
      await turn(() => store.saveRealm({name: 'beta', host: 'b.example', port: 1, dial: true, addedAt: 5}));
      await turn(() => store.saveRealm({name: 'BETA', host: 'b2.example', port: 2, dial: false, addedAt: 6}));
      await turn(() => store.saveRealm({name: 'alpha', host: 'a.example', port: 3, dial: true, addedAt: 7}));
      expect(await store.listRealms()).toEqual([
        {name: 'alpha', host: 'a.example', port: 3, dial: true, addedAt: 7},
        {name: 'beta', host: 'b2.example', port: 2, dial: false, addedAt: 5},
      ]);
      await turn(() => store.pinRealmKey('beta', 'key-1', 1));
      await turn(() => store.pinRealmKey('Beta', 'key-2', 2));
      expect(await store.realmKey('BETA')).toBe('key-1');
      await turn(() => store.removeRealm('beta'));
      expect((await store.listRealms()).map((realm) => realm.name)).toEqual(['alpha']);
      expect(await store.realmKey('beta')).toBeUndefined();
    });

    it('keeps the outbox in seq order with the sender copies, and completes it with notices and dropped copies', async () => {
      const copy = {sender: 'ann', recipient: 'zed', recipientRealm: 'gamma', body: 'to gamma', ts: 3};
      const first = await turn(() => store.enqueueOutbox('gamma', '{"n":1}', [copy], 3));
      const second = await turn(() => store.enqueueOutbox('gamma', '{"n":2}', [{...copy, body: 'again'}, {...copy, body: 'twice'}], 4));
      expect(first.localIds).toHaveLength(1);
      expect(second.localIds).toHaveLength(2);
      expect(second.seq).toBeGreaterThan(first.seq);
      expect((await store.message(second.localIds[1]!))?.body).toBe('twice');
      expect(await store.outboxStats('GAMMA')).toEqual({count: 2, lastSeq: second.seq});
      expect(await store.outboxPage('gamma', 0, second.seq, 10)).toEqual([first, second]);
      expect(await store.outboxPage('gamma', first.seq, second.seq, 10)).toEqual([second]);
      expect(await store.outboxPage('gamma', 0, second.seq, 1)).toEqual([first]);
      await turn(() => store.completeOutbox({
        realm: 'gamma', upto: second.seq,
        notices: [{message: {sender: 'gamma', body: 'could not deliver', ts: 5}, recipients: ['ann']}],
        dropMessageIds: second.localIds,
      }));
      expect(await store.outboxStats('gamma')).toEqual({count: 0, lastSeq: 0});
      expect(await store.message(second.localIds[0]!)).toBeUndefined();
      expect((await store.message(first.localIds[0]!))?.body).toBe('to gamma');
      expect(texts((await store.takeUnread('ann', limits)).messages)).toContain('could not deliver');
      store.commit();
    });

    it('stores received messages with their verdicts once, and prunes old ids', async () => {
      const delivery = {message: {sender: 'zed', senderRealm: 'gamma', recipient: 'ben', body: 'from gamma', ts: 8}, recipients: ['ben']};
      await turn(() => store.storeReceived('gamma', [
        {uid: 'u1', verdict: null, deliveries: [delivery]},
        {uid: 'u2', verdict: 'USER_NOT_FOUND', deliveries: []},
      ], 100));
      // A resend after a lost ack is a no-op, never an error.
      await turn(() => store.storeReceived('gamma', [{uid: 'u1', verdict: null, deliveries: []}], 101));
      expect(await store.receivedVerdict('GAMMA', 'u1')).toBeNull();
      expect(await store.receivedVerdict('gamma', 'u2')).toBe('USER_NOT_FOUND');
      expect(await store.receivedVerdict('gamma', 'u3')).toBeUndefined();
      expect(texts((await store.unread('ben', limits, {realm: 'gamma'})).messages)).toEqual(['from gamma']);
      expect(await turn(() => store.pruneReceived(101, 1))).toBe(1);
      expect(await turn(() => store.pruneReceived(101, 10))).toBe(1);
      expect(await store.receivedVerdict('gamma', 'u2')).toBeUndefined();
    });
  });
});
