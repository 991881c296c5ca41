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
});

describe('wakeups', () => {
  it('hints the recipients of a batch after it committed, never before, and nothing for a batch without deliveries', async () => {
    const hints: WakeupHint[] = [];
    const off = store.wakeups().subscribe((users) => hints.push(users), () => {});
    store.createUser({username: 'ann', fullName: 'a', country: 'x', createdAt: 0}, 'v');
    store.commit();
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'x', ts: 1}, ['ben']);
    store.storeMessage({sender: 'ann', group: 'g', body: 'y', ts: 1}, ['ben', 'cat']);
    expect(hints).toEqual([]);
    store.commit();
    await store.settled();
    expect(hints).toEqual([['ben', 'cat']]);
    off();
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'z', ts: 1}, ['ben']);
    store.commit();
    expect(hints).toHaveLength(1);
  });

  it('says "*" when a batch delivered to more than 100 users', () => {
    const hints: WakeupHint[] = [];
    store.wakeups().subscribe((users) => hints.push(users), () => {});
    store.storeMessage({sender: 'ann', group: 'big', body: 'all', ts: 1}, Array.from({length: 101}, (_, i) => `u${i}`));
    store.commit();
    expect(hints).toEqual(['*']);
  });
});
