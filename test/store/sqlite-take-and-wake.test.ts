/** The SQLite store's side of the drain and wake-up interface the PostgreSQL store shares: takeUnread, returnUnread, wakeups(). */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import type {WakeupHint} from '../../daemon/store/wakeups.js';

let store: SqliteStore;
const limits = {maxMessages: 2, maxBytes: 1 << 20};

beforeEach(() => {
  store = new SqliteStore({file: ':memory:'});
});

afterEach(async () => {
  await store.close();
});

describe('takeUnread', () => {
  it('returns one page and marks exactly that page read, in one call', async () => {
    for (const body of ['a', 'b', 'c']) store.storeMessage({sender: 'ann', recipient: 'ben', body, ts: 1}, ['ben']);
    const page = store.takeUnread('ben', limits);
    expect(page.messages.map((message) => message.body)).toEqual(['a', 'b']);
    expect(page.more).toBe(true);
    expect(store.unread('ben', limits).messages.map((message) => message.body)).toEqual(['c']);
    store.returnUnread('ben', page.messages.map((message) => message.id));
    expect(store.unread('ben', {maxMessages: 10, maxBytes: 1 << 20}).messages.map((message) => message.body)).toEqual(['a', 'b', 'c']);
    await store.settled();
  });

  it('marks read only the page it returns when the page is cut by bytes, and nobody else\'s rows', () => {
    const body = (letter: string) => letter.repeat(400);
    for (const letter of ['a', 'b', 'c', 'd']) {
      store.storeMessage({sender: 'ann', recipient: 'ben', body: body(letter), ts: 1}, ['ben']);
      store.storeMessage({sender: 'ann', recipient: 'cat', body: body(letter), ts: 1}, ['cat']);
    }
    const byBytes = {maxMessages: 10, maxBytes: 900};
    const bodies = (page: {messages: readonly {body: string}[]}) => page.messages.map((message) => message.body[0]);
    expect(bodies(store.takeUnread('BEN', byBytes))).toEqual(['a', 'b']);
    expect(bodies(store.takeUnread('ben', byBytes))).toEqual(['c', 'd']);
    expect(store.takeUnread('ben', byBytes).messages).toEqual([]);
    expect(bodies(store.unread('cat', {maxMessages: 10, maxBytes: 1 << 20}))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('marks read only the messages a filtered page returns', () => {
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'from ann 1', ts: 1}, ['ben']);
    store.storeMessage({sender: 'dan', recipient: 'ben', body: 'from dan', ts: 1}, ['ben']);
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'from ann 2', ts: 1}, ['ben']);
    const all = {maxMessages: 10, maxBytes: 1 << 20};
    expect(store.takeUnread('ben', all, {sender: 'ann'}).messages.map((message) => message.body)).toEqual(['from ann 1', 'from ann 2']);
    expect(store.unread('ben', all).messages.map((message) => message.body)).toEqual(['from dan']);
  });
});

describe('wakeups', () => {
  it('hints the recipients as soon as a write delivers, inside the open batch, and nothing for a write without deliveries', () => {
    const hints: WakeupHint[] = [];
    const off = store.wakeups().subscribe((users) => hints.push(users), () => {});
    store.createUser({username: 'ann', fullName: 'a', country: 'x', createdAt: 0}, 'v');
    store.commit();
    expect(hints).toEqual([]);
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'x', ts: 1}, ['ben']);
    // Before the commit: a woken long poll's read joins this batch, and its reply waits for the same commit.
    expect(store.currentBatch().state).toBe('pending');
    expect(hints).toEqual([['ben']]);
    store.storeMessage({sender: 'ann', group: 'g', body: 'y', ts: 1}, ['ben', 'cat']);
    expect(hints).toEqual([['ben'], ['ben', 'cat']]);
    store.commit();
    expect(hints).toHaveLength(2);
    off();
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'z', ts: 1}, ['ben']);
    store.commit();
    expect(hints).toHaveLength(2);
  });

  it('hints the owner of messages given back unread', () => {
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'x', ts: 1}, ['ben']);
    store.commit();
    const page = store.takeUnread('ben', limits);
    const hints: WakeupHint[] = [];
    store.wakeups().subscribe((users) => hints.push(users), () => {});
    store.returnUnread('ben', page.messages.map((message) => message.id));
    expect(hints).toEqual([['ben']]);
  });
});
