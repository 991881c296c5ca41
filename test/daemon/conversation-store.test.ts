/** The store's conversation rows and search index under the writes no client command makes directly. */
import {afterEach, describe, expect, it} from 'vitest';
import {conversationToken, userToken} from '../../daemon/store/conversation-keys.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function open(): SqliteStore {
  const store = new SqliteStore({file: ':memory:'});
  stores.push(store);
  store.createUser({username: 'ann', fullName: 'Ann', country: 'x', createdAt: 0}, 'v');
  return store;
}

const names = (store: SqliteStore, username: string) =>
  store.listConversations(username, {limit: 10}).map((row) => [row.conversation, row.lastId]);

describe('a sender copy another realm refused', () => {
  it('leaves the conversation at the message before it, or removes the conversation when none is left', async () => {
    const store = open();
    const first = store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'kept words', ts: 1}], 1);
    const second = store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'refused words', ts: 2}], 2);
    const group = store.enqueueOutbox('beta', '{}', [{sender: 'ann', group: 'ops', recipientRealm: 'beta', body: 'refused too', ts: 3}], 3);
    expect(names(store, 'ann')).toEqual([['group:ops@beta', group.localIds[0]], ['carol@beta', second.localIds[0]]]);
    store.completeOutbox({realm: 'beta', upto: group.seq, notices: [], dropMessageIds: [second.localIds[0]!, group.localIds[0]!]});
    await store.settled();
    expect(names(store, 'ann')).toEqual([['carol@beta', first.localIds[0]]]);
    const search = (words: string[]) => store.searchMessages({words, scope: [userToken('ann')], limit: 10}).map((m) => m.body);
    expect(search(['words'])).toEqual(['kept words']);
    expect(search(['refused'])).toEqual([]);
    expect(store.searchMessages({words: ['kept'], scope: [conversationToken('ann', 'carol@beta')], limit: 10})).toHaveLength(1);
  });

  it('puts delivery-failure notices in no conversation and in no search', async () => {
    const store = open();
    store.completeOutbox({realm: 'beta', upto: 0, dropMessageIds: [], notices: [
      {message: {sender: '~realmchat', recipient: 'ann', body: 'Delivery failed: words', ts: 1}, recipients: ['ann']},
    ]});
    await store.settled();
    expect(names(store, 'ann')).toEqual([]);
    expect(store.searchMessages({words: ['delivery'], scope: [userToken('ann')], limit: 10})).toEqual([]);
    // The notice is still in the inbox, where it belongs.
    expect(store.unread('ann', {maxMessages: 10, maxBytes: 1e6}).messages.map((m) => m.body)).toEqual(['Delivery failed: words']);
  });
});
