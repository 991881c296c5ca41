/** Store contract: what each data method keeps and answers, through the Store interface alone. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Store} from '../../../daemon/store/types.js';
import {user, type OpenStore, type StoreFactory} from './factory.js';

const LIMITS = {maxMessages: 100, maxBytes: 1 << 20};

export function recordsContract(open: StoreFactory): void {
  let opened: OpenStore;
  let store: Store;

  beforeEach(async () => {
    opened = await open();
    store = opened.store;
    for (const username of ['ann', 'ben', 'cat']) await store.createUser(user(username), `verifier-${username}`);
    await store.settled();
  });

  afterEach(() => opened.close());

  const bodies = (messages: Array<{body: string}>) => messages.map((message) => message.body);

  describe('users and sessions', () => {
    it('creates a user once, finds it in any case, and keeps its verifier', async () => {
      expect(await store.createUser(user('ANN'), 'other')).toBe(false);
      expect(await store.getUser('ANN')).toEqual({username: 'ann', fullName: 'ann', country: 'x', createdAt: 0});
      expect(await store.getUser('nobody')).toBeUndefined();
      expect(await store.getPassword('Ben')).toEqual({username: 'ben', verifier: 'verifier-ben'});
      expect(await store.getPassword('nobody')).toBeUndefined();
    });

    it('pages users by name, case-insensitively', async () => {
      await store.createUser(user('Dora'), 'v');
      expect(await store.listUsers({limit: 2, after: ''})).toEqual(['ann', 'ben']);
      expect(await store.listUsers({limit: 10, after: 'BEN'})).toEqual(['cat', 'Dora']);
    });

    it('keeps a session until it is deleted', async () => {
      await store.createSession('token-1', 'ann', 1);
      expect(await store.sessionUser('token-1')).toBe('ann');
      expect(await store.sessionUser('token-2')).toBeUndefined();
      await store.deleteSession('token-1');
      expect(await store.sessionUser('token-1')).toBeUndefined();
    });
  });

  describe('groups', () => {
    it('creates a group with its creator as member; members join once', async () => {
      expect(await store.createGroup('Devs', 'ann', 1)).toBe(true);
      expect(await store.createGroup('devs', 'ben', 2)).toBe(false);
      expect(await store.groupName('DEVS')).toBe('Devs');
      expect(await store.groupName('ops')).toBeUndefined();
      expect(await store.addMember('Devs', 'ben', 3)).toBe(true);
      expect(await store.addMember('Devs', 'ben', 4)).toBe(false);
      expect(await store.isMember('Devs', 'BEN')).toBe(true);
      expect(await store.isMember('Devs', 'cat')).toBe(false);
      expect(await store.members('Devs')).toEqual(['ann', 'ben']);
      expect(await store.groupsOf('ben')).toEqual(['Devs']);
      expect(await store.groupsCreatedBy('ann')).toBe(1);
      expect(await store.groupsCreatedBy('ben')).toBe(0);
    });

    it('pages groups by name with member counts and membership', async () => {
      for (const name of ['alpha', 'Bravo', 'charlie']) await store.createGroup(name, 'ann', 1);
      await store.addMember('Bravo', 'ben', 2);
      expect(await store.listGroups('ben', {limit: 2, after: ''})).toEqual([
        {name: 'alpha', members: 1, isMember: false, createdAt: 1},
        {name: 'Bravo', members: 2, isMember: true, createdAt: 1},
      ]);
      expect((await store.listGroups('ben', {limit: 10, after: 'BRAVO'})).map((group) => group.name)).toEqual(['charlie']);
    });
  });

  describe('messages and inboxes', () => {
    it('delivers a message to each recipient, in order, until it is marked read', async () => {
      const first = await store.storeMessage({sender: 'ann', recipient: 'ben', body: 'one', ts: 1}, ['ben']);
      await store.storeMessage({sender: 'cat', group: 'devs', body: 'two', ts: 2}, ['ben', 'ann']);
      expect(await store.hasUnread('ben')).toBe(true);
      expect(await store.hasUnread('cat')).toBe(false);
      const page = await store.unread('ben', LIMITS);
      expect(bodies(page.messages)).toEqual(['one', 'two']);
      expect(page.more).toBe(false);
      expect(page.messages[0]).toMatchObject({id: first, sender: 'ann', recipient: 'ben', ts: 1});
      expect(await store.message(first)).toMatchObject({id: first, body: 'one'});
      expect(await store.message(first + 1000)).toBeUndefined();
      await store.markRead('ben', [first]);
      expect(bodies((await store.unread('ben', LIMITS)).messages)).toEqual(['two']);
      expect(bodies((await store.unread('ann', LIMITS)).messages)).toEqual(['two']);
    });

    it('pages an inbox by count and by bytes (one message always fits), saying when more remain', async () => {
      for (let i = 0; i < 3; i++) await store.storeMessage({sender: 'ann', recipient: 'ben', body: `m${i}-${'x'.repeat(100)}`, ts: i}, ['ben']);
      const byCount = await store.unread('ben', {maxMessages: 2, maxBytes: 1 << 20});
      expect(byCount.messages).toHaveLength(2);
      expect(byCount.more).toBe(true);
      const byBytes = await store.unread('ben', {maxMessages: 100, maxBytes: 10});
      expect(byBytes.messages).toHaveLength(1);
      expect(byBytes.more).toBe(true);
    });

    it('filters an inbox by realm and by local sender, and counts unread bytes per sender', async () => {
      await store.storeMessage({sender: 'ann', recipient: 'cat', body: 'local', ts: 1}, ['cat']);
      await store.storeMessage({sender: 'zed', senderRealm: 'beta', recipient: 'cat', body: 'remote', ts: 2}, ['cat']);
      await store.storeMessage({sender: 'ben', recipient: 'cat', body: 'from ben', ts: 3}, ['cat']);
      expect(bodies((await store.unread('cat', LIMITS, {realm: 'beta'})).messages)).toEqual(['remote']);
      expect(bodies((await store.unread('cat', LIMITS, {realm: null})).messages)).toEqual(['local', 'from ben']);
      expect(bodies((await store.unread('cat', LIMITS, {sender: 'ben'})).messages)).toEqual(['from ben']);
      expect(await store.unreadBytesFrom('cat', 'ann', null)).toBe(Buffer.byteLength('local'));
      expect(await store.unreadBytesFrom('cat', 'zed', 'beta')).toBe(Buffer.byteLength('remote'));
      expect(await store.unreadBytesFrom('cat', 'zed', null)).toBe(0);
    });

    it('reads a group history, and one sender\'s part of it', async () => {
      await store.createGroup('devs', 'ann', 1);
      await store.storeMessage({sender: 'ann', group: 'devs', body: 'g1', ts: 1}, []);
      await store.storeMessage({sender: 'ben', group: 'devs', body: 'g2', ts: 2}, ['ann']);
      await store.storeMessage({sender: 'ann', group: 'ops', recipientRealm: 'beta', body: 'remote group', ts: 3}, []);
      expect(bodies(await store.groupHistory('devs', undefined, {limit: 10}))).toEqual(['g1', 'g2']);
      expect(bodies(await store.groupHistory('devs', undefined, {limit: 1}))).toEqual(['g2']);
      expect(bodies(await store.groupHistory('ops', 'beta', {limit: 10}, 'ann'))).toEqual(['remote group']);
      expect(await store.groupHistory('ops', 'beta', {limit: 10}, 'ben')).toEqual([]);
    });

    it('stores a file once and names it from its message', async () => {
      const content = Buffer.from('file content');
      const sha256 = await store.putBlob(content);
      expect(await store.putBlob(Buffer.from('file content'))).toBe(sha256);
      expect((await store.readBlob(sha256))?.equals(content)).toBe(true);
      expect(await store.readBlob('0'.repeat(64))).toBeUndefined();
      const file = {name: 'a.txt', size: content.length, sha256};
      const id = await store.storeMessage({sender: 'ann', recipient: 'ben', body: '[file] a.txt (12 B)', ts: 1, file}, ['ben']);
      expect((await store.message(id))?.file).toEqual(file);
    });
  });

  describe('federation records', () => {
    const beta = {name: 'Beta', host: '127.0.0.1', port: 7001, dial: true, addedAt: 5};

    it('saves, replaces and removes linked realms', async () => {
      await store.saveRealm(beta);
      await store.saveRealm({...beta, port: 7002});
      expect(await store.listRealms()).toEqual([{...beta, port: 7002}]);
      await store.removeRealm('Beta');
      expect(await store.listRealms()).toEqual([]);
    });

    it('keeps an outbox in seq order with the sender copies, and settles it by acknowledgement', async () => {
      await store.saveRealm(beta);
      const copy = {sender: 'ann', recipient: 'zed', recipientRealm: 'Beta', body: 'hi', ts: 1};
      const first = await store.enqueueOutbox('Beta', '{"n":1}', [copy], 1);
      const second = await store.enqueueOutbox('Beta', '{"n":2}', [{...copy, body: 'again'}], 2);
      expect(second.seq).toBeGreaterThan(first.seq);
      expect(first).toMatchObject({realm: 'Beta', body: '{"n":1}'});
      expect(first.localIds).toHaveLength(1);
      expect(await store.outboxStats('Beta')).toEqual({count: 2, lastSeq: second.seq});
      expect((await store.outboxPage('Beta', 0, second.seq, 10)).map((row) => row.body)).toEqual(['{"n":1}', '{"n":2}']);
      expect((await store.outboxPage('Beta', first.seq, second.seq, 10)).map((row) => row.seq)).toEqual([second.seq]);
      expect(await store.outboxPage('Beta', 0, second.seq, 1)).toHaveLength(1);
      expect(bodies(await store.privateHistory('ann', 'zed', 'Beta', {limit: 10}))).toEqual(['hi', 'again']);
      // The first was delivered; the second refused while its sender waited: its copy goes, and a notice comes.
      await store.completeOutbox({
        realm: 'Beta', upto: second.seq, dropMessageIds: second.localIds,
        notices: [{message: {sender: 'Beta', body: 'not delivered', ts: 3}, recipients: ['ann']}],
      });
      expect(await store.outboxStats('Beta')).toEqual({count: 0, lastSeq: 0});
      expect(bodies(await store.privateHistory('ann', 'zed', 'Beta', {limit: 10}))).toEqual(['hi']);
      expect(bodies((await store.unread('ann', LIMITS)).messages)).toEqual(['not delivered']);
    });

    it('keeps received message ids with their verdicts, delivers the accepted ones, and prunes old ids', async () => {
      expect(await store.receivedVerdict('Beta', 'id-1')).toBeUndefined();
      await store.storeReceived('Beta', [
        {uid: 'id-1', verdict: null, deliveries: [{message: {sender: 'zed', senderRealm: 'Beta', recipient: 'ann', body: 'in', ts: 1}, recipients: ['ann']}]},
        {uid: 'id-2', verdict: 'USER_NOT_FOUND', deliveries: []},
      ], 100);
      await store.storeReceived('Beta', [{uid: 'id-3', verdict: null, deliveries: []}], 200);
      expect(await store.receivedVerdict('Beta', 'id-1')).toBeNull();
      expect(await store.receivedVerdict('Beta', 'id-2')).toBe('USER_NOT_FOUND');
      expect(await store.receivedVerdict('Gamma', 'id-1')).toBeUndefined();
      expect(bodies((await store.unread('ann', LIMITS, {realm: 'Beta'})).messages)).toEqual(['in']);
      // At most `limit` ids stored before `before` go per call.
      expect(await store.pruneReceived(150, 1)).toBe(1);
      expect(await store.pruneReceived(150, 10)).toBe(1);
      expect(await store.pruneReceived(150, 10)).toBe(0);
      expect(await store.receivedVerdict('Beta', 'id-1')).toBeUndefined();
      expect(await store.receivedVerdict('Beta', 'id-3')).toBeNull();
    });

    it('pins a realm key, and forgets it with the realm', async () => {
      await store.saveRealm(beta);
      expect(await store.realmKey('Beta')).toBeUndefined();
      await store.pinRealmKey('Beta', 'key-b', 1);
      expect(await store.realmKey('Beta')).toBe('key-b');
      await store.removeRealm('Beta');
      expect(await store.realmKey('Beta')).toBeUndefined();
    });
  });
}
