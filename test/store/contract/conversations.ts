/**
 * Store contract: conversation rows, read markers, mentions and search, kept by the message writes (storeMessage,
 * storeReceived, enqueueOutbox, completeOutbox's refused copies, addMember), through the Store interface alone.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {conversationToken, groupToken, userToken} from '../../../daemon/store/conversation-keys.js';
import {SEARCH_CANDIDATES, type ConversationTarget, type Store} from '../../../daemon/store/types.js';
import {user, type OpenStore, type StoreFactory} from './factory.js';

export function conversationsContract(open: StoreFactory): void {
  let opened: OpenStore;
  let store: Store;

  beforeEach(async () => {
    opened = await open();
    store = opened.store;
    for (const username of ['ann', 'ben', 'cat']) await store.createUser(user(username), 'v');
    await store.settled();
  });

  afterEach(() => opened.close());

  const list = async (username: string) =>
    (await store.listConversations(username, {limit: 10})).map((row) => [row.conversation, row.lastId, row.seenId, row.unread, row.mentions]);
  const direct = (sender: string, recipient: string, body: string) => store.storeMessage({sender, recipient, body, ts: 1}, [recipient]);
  const toGroup = (sender: string, body: string, recipients: string[]) => store.storeMessage({sender, group: 'devs', body, ts: 1}, recipients);
  const search = async (words: string[], scope: string[], beforeId?: number) =>
    (await store.searchMessages({words, scope, limit: 10, ...(beforeId !== undefined ? {beforeId} : {})})).messages.map((m) => m.body);
  const peer = (name: string, realm?: string): ConversationTarget => ({kind: 'user', name, ...(realm ? {realm} : {})});

  describe('conversations', () => {
    it('counts a private message as unread for its recipient only, newest conversation first', async () => {
      const first = await direct('ann', 'ben', 'hello ben');
      const second = await direct('cat', 'ben', 'hello from cat');
      const third = await direct('ben', 'ann', 'hi ann');
      expect(await list('ben')).toEqual([['ann', third, 0, 1, 0], ['cat', second, 0, 1, 0]]);
      expect(await list('ann')).toEqual([['ben', third, 0, 1, 0]]);
      expect(first).toBeLessThan(third);
      await store.storeMessage({sender: 'ann', recipient: 'ann', body: 'note to self', ts: 1}, ['ann']);
      expect((await list('ann')).map((row) => [row[0], row[3]])).toEqual([['ann', 0], ['ben', 1]]);
      expect((await store.listConversations('ben', {limit: 10, beforeId: third})).map((row) => row.conversation)).toEqual(['cat']);
    });

    it('keeps one row per member of a local group, counts mentions, and starts a new member read up to the newest', async () => {
      expect(await store.createGroup('devs', 'ann', 0)).toBe(true);
      expect(await store.addMember('devs', 'ben', 0)).toBe(true);
      const one = await toGroup('ann', 'hi @ben and Cat', ['ben']);
      const two = await toGroup('ben', 'ben: thanks ann.', ['ann']);
      expect(await list('ann')).toEqual([['group:devs', two, 0, 1, 1]]);
      expect(await list('ben')).toEqual([['group:devs', two, 0, 1, 1]]);
      expect(await store.addMember('devs', 'cat', 0)).toBe(true);
      expect(await list('cat')).toEqual([['group:devs', two, two, 0, 0]]);
      expect(one).toBeLessThan(two);
    });

    it('keeps a batch of received messages of one conversation in one row', async () => {
      await store.storeReceived('beta', [1, 2, 3].map((n) => ({
        uid: `u${n}`, verdict: null,
        deliveries: [{message: {sender: 'carol', senderRealm: 'beta', recipient: 'ann', body: `remote ${n}`, ts: n}, recipients: ['ann']}],
      })), 1);
      const [row] = await store.listConversations('ann', {limit: 10});
      expect([row?.conversation, row?.unread, row?.mentions]).toEqual(['carol@beta', 3, 0]);
      expect(await search(['remote'], [userToken('ann')])).toEqual(['remote 3', 'remote 2', 'remote 1']);
    });
  });

  describe('read markers', () => {
    it('moves forward only, stops at the newest message, and recounts what is after a marker short of it', async () => {
      const ids = [];
      for (const n of [1, 2, 3]) ids.push(await direct('ann', 'ben', `message ${n}`));
      expect(await store.markSeen('ben', peer('ann'), ids[0]!)).toEqual({conversation: 'ann', lastId: ids[2], seenId: ids[0], unread: 2, mentions: 0});
      expect(await store.markSeen('ben', peer('ann'), 0)).toEqual({conversation: 'ann', lastId: ids[2], seenId: ids[0], unread: 2, mentions: 0});
      expect(await store.markSeen('ben', peer('ann'), ids[2]! + 1000)).toEqual({conversation: 'ann', lastId: ids[2], seenId: ids[2], unread: 0, mentions: 0});
      expect(await store.markSeen('ben', peer('nobody'), 5)).toEqual({conversation: 'nobody', lastId: 0, seenId: 0, unread: 0, mentions: 0});
      expect(await store.markSeen('ben', {kind: 'group', name: 'ops', realm: 'beta'}, 5))
        .toEqual({conversation: 'group:ops@beta', lastId: 0, seenId: 0, unread: 0, mentions: 0});
    });

    it('recounts a group\'s unread messages and mentions after the marker, not the reader\'s own', async () => {
      await store.createGroup('devs', 'ann', 0);
      await store.addMember('devs', 'ben', 0);
      const one = await toGroup('ann', 'ben: first', ['ben']);
      await toGroup('ben', 'my own', ['ann']);
      await toGroup('ann', 'plain', ['ben']);
      const four = await toGroup('ann', '@ben again', ['ben']);
      expect((await list('ben'))[0]).toEqual(['group:devs', four, 0, 3, 2]);
      expect(await store.markSeen('ben', {kind: 'group', name: 'devs'}, one)).toEqual({conversation: 'group:devs', lastId: four, seenId: one, unread: 2, mentions: 1});
      expect(await list('ben')).toEqual([['group:devs', four, one, 2, 1]]);
      const five = await toGroup('ann', 'ben, last', ['ben']);
      expect(await list('ben')).toEqual([['group:devs', five, one, 3, 2]]);
      expect(await store.markSeen('ben', {kind: 'group', name: 'DEVS'}, four)).toEqual({conversation: 'group:devs', lastId: five, seenId: four, unread: 1, mentions: 1});
    });

    it('recounts a conversation with a user of another realm', async () => {
      const received = (n: number) => ({uid: `r${n}`, verdict: null,
        deliveries: [{message: {sender: 'carol', senderRealm: 'beta', recipient: 'ann', body: `from carol ${n}`, ts: n}, recipients: ['ann']}]});
      await store.storeReceived('beta', [received(1), received(2)], 1);
      await store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'reply', ts: 3}], 3);
      const [row] = await store.listConversations('ann', {limit: 10});
      expect(row?.unread).toBe(2);
      const first = (await store.privateHistory('ann', 'carol', 'beta', {limit: 10}))[0]!.id;
      expect(await store.markSeen('ann', peer('carol', 'beta'), first)).toMatchObject({conversation: 'carol@beta', seenId: first, unread: 1});
    });
  });

  describe('search', () => {
    it('finds messages holding every word, the last as a prefix, in the caller\'s scope only, best first', async () => {
      await direct('ann', 'ben', 'the deploy failed again');
      await direct('ann', 'cat', 'deploy deployment deployed');
      await direct('ben', 'ann', 'Café crème');
      await store.createGroup('devs', 'ann', 0);
      await toGroup('ann', 'group deploy notes', []);
      expect(await search(['deploy'], [userToken('ben')])).toEqual(['the deploy failed again']);
      expect(await search(['deplo'], [userToken('ann')])).toEqual(['deploy deployment deployed', 'the deploy failed again']);
      expect(await search(['deploy', 'fai'], [userToken('ann')])).toEqual(['the deploy failed again']);
      expect(await search(['deploy'], [userToken('ann'), groupToken('devs')])).toHaveLength(3);
      expect(await search(['deploy'], [conversationToken('ann', 'cat')])).toEqual(['deploy deployment deployed']);
      expect(await search(['cafe', 'creme'], [userToken('ann')])).toEqual(['Café crème']);
      // A last word of one or two letters matches whole words only (as the SQLite index keeps 3-letter prefixes).
      expect(await search(['de'], [userToken('ann')])).toEqual([]);
      expect(await search(['nothing'], [userToken('ann')])).toEqual([]);
      expect(await search([], [userToken('ann')])).toEqual([]);
      expect(await search(['deploy'], [])).toEqual([]);
    });

    it('pages before an id', async () => {
      const ids = [];
      for (const n of [1, 2, 3]) ids.push(await direct('ann', 'ben', `page word ${n}`));
      expect(await search(['word'], [userToken('ann')], ids[2])).toEqual(['page word 2', 'page word 1']);
      // Every message was looked at: a page cut by its limit says nothing of older messages.
      expect(await store.searchMessages({words: ['word'], scope: [userToken('ann')], limit: 1}))
        .toEqual({messages: [expect.objectContaining({body: 'page word 3'})]});
    });

    it('ranks the newest SEARCH_CANDIDATES matches, and says where the older ones start', async () => {
      const ids: number[] = [];
      for (let n = 0; n <= SEARCH_CANDIDATES; n++) ids.push(await direct('ann', 'ben', n === 0 ? 'tea tea tea' : `tea ${n}`));
      await store.settled();
      const page = await store.searchMessages({words: ['tea'], scope: [userToken('ann')], limit: 5});
      expect(page.messages.map((m) => m.body)).not.toContain('tea tea tea'); // the best match, past the newest 1,000
      expect(page.nextBefore).toBe(ids[1]);
      const older = await store.searchMessages({words: ['tea'], scope: [userToken('ann')], limit: 5, beforeId: page.nextBefore});
      expect(older).toEqual({messages: [expect.objectContaining({id: ids[0], body: 'tea tea tea'})]});
    });
  });

  describe('a sender copy another realm refused', () => {
    it('leaves the conversation at the message before it, or removes the conversation when none is left', async () => {
      const first = await store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'kept words', ts: 1}], 1);
      const second = await store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'refused words', ts: 2}], 2);
      const group = await store.enqueueOutbox('beta', '{}', [{sender: 'ann', group: 'ops', recipientRealm: 'beta', body: 'refused too', ts: 3}], 3);
      const names = async () => (await list('ann')).map((row) => [row[0], row[1]]);
      expect(await names()).toEqual([['group:ops@beta', group.localIds[0]], ['carol@beta', second.localIds[0]]]);
      await store.completeOutbox({realm: 'beta', upto: group.seq, notices: [], dropMessageIds: [second.localIds[0]!, group.localIds[0]!]});
      await store.settled();
      expect(await names()).toEqual([['carol@beta', first.localIds[0]]]);
      expect(await search(['words'], [userToken('ann')])).toEqual(['kept words']);
      expect(await search(['refused'], [userToken('ann')])).toEqual([]);
      expect(await search(['kept'], [conversationToken('ann', 'carol@beta')])).toHaveLength(1);
    });

    it('puts delivery-failure notices in no conversation and in no search', async () => {
      await store.completeOutbox({realm: 'beta', upto: 0, dropMessageIds: [], notices: [
        {message: {sender: '~realmchat', recipient: 'ann', body: 'Delivery failed: words', ts: 1}, recipients: ['ann']},
      ]});
      await store.settled();
      expect(await list('ann')).toEqual([]);
      expect(await search(['delivery'], [userToken('ann')])).toEqual([]);
      // The notice is still in the inbox, where it belongs.
      expect((await store.unread('ann', {maxMessages: 10, maxBytes: 1e6})).messages.map((m) => m.body)).toEqual(['Delivery failed: words']);
    });
  });
}
