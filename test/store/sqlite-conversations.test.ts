/**
 * The SQLite store's conversation rows since migration 9: direct rows and local groups merged into one page, read
 * markers of remote conversations, and a remote sender who shares a local user's name. What every store does is the
 * contract's (contract/conversations.ts).
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';

let store: SqliteStore;
beforeEach(() => {
  store = new SqliteStore({file: ':memory:'});
  for (const username of ['ann', 'ben', 'cat', 'dan']) store.createUser({username, fullName: username, country: 'x', createdAt: 0}, 'v');
});
afterEach(async () => {
  await store.close();
});

const list = (username: string, limit = 10, beforeId?: number) =>
  store.listConversations(username, {limit, ...(beforeId === undefined ? {} : {beforeId})})
    .map((row) => [row.conversation, row.lastId, row.seenId, row.unread]);

describe('a page of conversations, direct rows and local groups merged', () => {
  it('keeps to the page size, newest first, groups without a message last', () => {
    store.createGroup('quiet', 'ann', 1);
    store.createGroup('devs', 'ann', 1);
    store.addMember('devs', 'ben', 1);
    const toBen = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'a', ts: 1}, ['ben']);
    const toDevs = store.storeMessage({sender: 'ben', group: 'devs', body: 'b', ts: 1}, ['ann']);
    const toCat = store.storeMessage({sender: 'ann', recipient: 'cat', body: 'c', ts: 1}, ['cat']);
    store.commit();
    expect(list('ann')).toEqual([['cat', toCat, 0, 0], ['group:devs', toDevs, 0, 1], ['ben', toBen, 0, 0], ['group:quiet', 0, 0, 0]]);
    expect(list('ann', 2)).toEqual([['cat', toCat, 0, 0], ['group:devs', toDevs, 0, 1]]);
    expect(list('ann', 2, toDevs)).toEqual([['ben', toBen, 0, 0], ['group:quiet', 0, 0, 0]]);
    // Groups without a message come last, by name from the end of the alphabet (as the index read them before).
    store.createGroup('alpha', 'ann', 1);
    store.createGroup('zulu', 'ann', 1);
    expect(list('ann').slice(-3)).toEqual([['group:zulu', 0, 0, 0], ['group:quiet', 0, 0, 0], ['group:alpha', 0, 0, 0]]);
  });

  it("answers a marker on a local group the user is not in with nothing, and changes nothing", () => {
    store.createGroup('devs', 'ben', 1);
    const id = store.storeMessage({sender: 'ben', group: 'devs', body: 'hi', ts: 1}, []);
    expect(store.markSeen('ann', {kind: 'group', name: 'devs'}, id)).toEqual({conversation: 'group:devs', lastId: 0, seenId: 0, unread: 0, mentions: 0});
    expect(list('ben')).toEqual([['group:devs', id, 0, 0]]);
  });

  it('forgets the mentions a marker passed, and counts the ones after it', () => {
    store.createGroup('devs', 'ben', 1);
    store.addMember('devs', 'ann', 1);
    const first = store.storeMessage({sender: 'ben', group: 'devs', body: '@ann one', ts: 1}, ['ann']);
    const second = store.storeMessage({sender: 'ben', group: 'devs', body: '@ann two', ts: 1}, ['ann']);
    expect(store.markSeen('ann', {kind: 'group', name: 'devs'}, first)).toEqual({conversation: 'group:devs', lastId: second, seenId: first, unread: 1, mentions: 1});
    expect(store.db.prepare("SELECT message_id FROM mentions WHERE username = 'ann'").pluck().all()).toEqual([second]);
  });

  it('counts nothing unread in a group read up to its newest message', () => {
    store.createGroup('devs', 'ann', 1);
    store.addMember('devs', 'ben', 1);
    const last = store.storeMessage({sender: 'ben', group: 'devs', body: 'hi', ts: 1}, ['ann']);
    expect(store.markSeen('ann', {kind: 'group', name: 'devs'}, last)).toEqual({conversation: 'group:devs', lastId: last, seenId: last, unread: 0, mentions: 0});
    expect(list('ann')).toEqual([['group:devs', last, last, 0]]);
  });
});

describe('read markers and counts of other realms', () => {
  it("moves the marker of one's copy of another realm's group, not a local group's of that name", () => {
    store.createGroup('devs', 'ann', 1);
    const local = store.storeMessage({sender: 'ann', group: 'devs', body: 'here', ts: 1}, []);
    const remote = store.storeMessage({sender: 'ann', group: 'devs', recipientRealm: 'beta', body: 'there', ts: 1}, []);
    expect(store.markSeen('ann', {kind: 'group', name: 'devs', realm: 'beta'}, remote))
      .toEqual({conversation: 'group:devs@beta', lastId: remote, seenId: remote, unread: 0, mentions: 0});
    // The local group's marker did not move (its own message is not unread either).
    expect(list('ann')).toEqual([['group:devs@beta', remote, remote, 0], ['group:devs', local, 0, 0]]);
  });

  it("recounts nothing unread in one's copy of another realm's group (it holds only one's own messages)", () => {
    const first = store.storeMessage({sender: 'ann', group: 'devs', recipientRealm: 'beta', body: 'one', ts: 1}, []);
    const second = store.storeMessage({sender: 'ann', group: 'devs', recipientRealm: 'beta', body: 'two', ts: 1}, []);
    expect(store.markSeen('ann', {kind: 'group', name: 'devs', realm: 'beta'}, first))
      .toEqual({conversation: 'group:devs@beta', lastId: second, seenId: first, unread: 0, mentions: 0});
  });

  it('recounts nothing unread in the conversation with oneself', () => {
    const first = store.storeMessage({sender: 'ann', recipient: 'ann', body: 'note one', ts: 1}, ['ann']);
    const second = store.storeMessage({sender: 'ann', recipient: 'ann', body: 'note two', ts: 1}, ['ann']);
    expect(store.markSeen('ann', {kind: 'user', name: 'ann'}, first)).toEqual({conversation: 'ann', lastId: second, seenId: first, unread: 0, mentions: 0});
  });

  it('counts a message from a remote user who has a local user\'s name as unread', () => {
    const id = store.storeMessage({sender: 'ann', senderRealm: 'beta', recipient: 'ann', body: 'hello from beta', ts: 1}, ['ann']);
    store.commit();
    expect(list('ann')).toEqual([['ann@beta', id, 0, 1]]);
    const later = store.storeMessage({sender: 'ann', senderRealm: 'beta', recipient: 'ann', body: 'again', ts: 1}, ['ann']);
    expect(store.markSeen('ann', {kind: 'user', name: 'ann', realm: 'beta'}, id))
      .toEqual({conversation: 'ann@beta', lastId: later, seenId: id, unread: 1, mentions: 0});
  });
});
