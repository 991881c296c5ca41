/**
 * SQLite's search indexer (search-indexer.ts): the index is written after the commit, off the answering path. What
 * conversations and search mean on every store is the Store contract's (test/store/contract/conversations.ts).
 */
import {afterEach, describe, expect, it} from 'vitest';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {scopeTokensOf, userToken} from '../../daemon/store/conversation-keys.js';
import {INDEXER_SQL} from '../../daemon/store/search-indexer.js';
import {SEARCH_CANDIDATES, type NewMessage} from '../../daemon/store/types.js';
import {SEARCH_BUDGET_MS, SqliteStore, type SqliteStoreOptions} from '../../daemon/store/sqlite-store.js';

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function open(searchShardMessages?: number, options: Partial<SqliteStoreOptions> = {}): SqliteStore {
  const store = new SqliteStore({file: ':memory:', searchShardMessages, ...options});
  stores.push(store);
  store.createUser({username: 'ann', fullName: 'Ann', country: 'x', createdAt: 0}, 'v');
  return store;
}

describe('the search index, kept off the answering path', () => {
  const indexed = (store: SqliteStore) => store.db.prepare('SELECT rowid FROM message_search ORDER BY rowid').pluck().all();
  const mark = (store: SqliteStore) => store.db.prepare('SELECT indexed_upto FROM search_progress').pluck().get();
  const send = (store: SqliteStore, body: string) => store.storeMessage({sender: 'ann', recipient: 'bob', body, ts: 1}, ['bob']);

  it('indexes a message in a slice of its own after the commit that stored it, and moves the mark with it', async () => {
    const store = open();
    store.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
    const id = send(store, 'quiet words');
    store.commit();
    expect(indexed(store)).toEqual([]); // not by the write that stored it
    await expect.poll(() => indexed(store), {timeout: 5_000}).toEqual([id]);
    expect(mark(store)).toBe(id);
  });

  it('finds what was stored before a search, whenever the indexer runs', () => {
    const store = open();
    store.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
    send(store, 'first words');
    const second = send(store, 'second words');
    // Same turn, nothing committed or indexed yet: the search catches up first.
    expect(store.searchMessages({words: ['words'], scope: [userToken('bob')], limit: 10}).messages.map((m) => m.body))
      .toEqual(['second words', 'first words']);
    expect(mark(store)).toBe(second);
  });

  it('keeps the mark where it was when an older indexed message is deleted: newer unindexed messages are indexed later', async () => {
    const store = open();
    store.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
    const refused = store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'refused words', ts: 1}], 1);
    const search = (word: string) => store.searchMessages({words: [word], scope: [userToken('ann')], limit: 10}).messages.map((m) => m.body);
    expect(search('refused')).toEqual(['refused words']); // indexed now: the mark is at it
    send(store, 'newer words'); // not indexed yet
    store.completeOutbox({realm: 'beta', upto: refused.seq, notices: [], dropMessageIds: [refused.localIds[0]!]});
    await store.settled();
    expect(search('newer')).toEqual(['newer words']);
    expect(search('refused')).toEqual([]);
  });

  it('indexes the next message when it reuses the id of a deleted, indexed one', async () => {
    const store = open();
    store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'kept words', ts: 1}], 1);
    const refused = store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'refused words', ts: 2}], 2);
    const search = (word: string) => store.searchMessages({words: [word], scope: [userToken('ann')], limit: 10}).messages.map((m) => m.body);
    expect(search('refused')).toEqual(['refused words']); // indexed now
    store.completeOutbox({realm: 'beta', upto: refused.seq, notices: [], dropMessageIds: [refused.localIds[0]!]});
    const next = store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'later words', ts: 3}], 3);
    expect(next.localIds[0]).toBe(refused.localIds[0]); // SQLite gave the newest id again
    await store.settled();
    expect(search('words')).toEqual(['later words', 'kept words']);
    // The refused copy's words went with it: they do not find the message that took its id, whose own words do.
    expect(search('refused')).toEqual([]);
    expect(search('later')).toEqual(['later words']);
    expect(search('refused')).toEqual([]);
  });
});

describe('the full-text index in shards (migration 13)', () => {
  const shards = (store: SqliteStore) => store.db.prepare('SELECT shard, above FROM search_shards ORDER BY shard').raw().all();
  const rowids = (store: SqliteStore, table: string) => store.db.prepare(`SELECT rowid FROM ${table} ORDER BY rowid`).pluck().all();
  const search = (store: SqliteStore, word: string, beforeId?: number) =>
    store.searchMessages({words: [word], scope: [userToken('ann')], limit: 50, beforeId}).messages.map((m) => m.body);
  /** Stores `count` messages ann → bob, each indexed by a search before the next: one slice each. */
  function sendIndexed(store: SqliteStore, count: number, from = 1): number[] {
    const ids: number[] = [];
    for (let n = from; n < from + count; n++) {
      ids.push(store.storeMessage({sender: 'ann', recipient: 'bob', body: `note ${n}`, ts: n}, ['bob']));
      search(store, 'none');
    }
    return ids;
  }

  it('starts a new shard when the newest spans the shard size, and a search reads them all, newest first', () => {
    const store = open(3);
    store.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
    const ids = sendIndexed(store, 8);
    expect(shards(store)).toEqual([[0, 0], [1, 3], [2, 6]]);
    expect(rowids(store, 'message_search')).toEqual(ids.slice(0, 3));
    expect(rowids(store, 'message_search_1')).toEqual(ids.slice(3, 6));
    expect(rowids(store, 'message_search_2')).toEqual(ids.slice(6));
    expect(search(store, 'note')).toEqual(['note 8', 'note 7', 'note 6', 'note 5', 'note 4', 'note 3', 'note 2', 'note 1']);
    // Paging back: the shards wholly above the cursor are not asked, the rest in order.
    expect(search(store, 'note', ids[5])).toEqual(['note 5', 'note 4', 'note 3', 'note 2', 'note 1']);
    expect(search(store, 'note', ids[3])).toEqual(['note 3', 'note 2', 'note 1']);
    expect(search(store, 'note', ids[0])).toEqual([]);
    // A slice that crosses the size stays whole in the shard it started in (the next one starts after it).
    for (let n = 9; n <= 12; n++) store.storeMessage({sender: 'ann', recipient: 'bob', body: `note ${n}`, ts: n}, ['bob']);
    expect(search(store, 'note').length).toBe(12);
    expect(rowids(store, 'message_search_2')).toEqual([7, 8, 9, 10, 11, 12]);
  });

  it('merges every shard that takes no more messages, in steps after the slices, and finds the same', async () => {
    const store = open(3);
    store.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
    // Slices of one message: each shard holds three segments until it is merged.
    for (let n = 1; n <= 10; n++) {
      store.storeMessage({sender: 'ann', recipient: 'bob', body: `note ${n}`, ts: n}, ['bob']);
      store.commit();
      await expect.poll(() => store.db.prepare('SELECT indexed_upto FROM search_progress').pluck().get(), {timeout: 5_000}).toBe(n);
    }
    const merged = () => store.db.prepare('SELECT shard, merged FROM search_shards ORDER BY shard').raw().all();
    await expect.poll(merged, {timeout: 5_000}).toEqual([[0, 1], [1, 1], [2, 1], [3, 0]]); // the newest stays open
    for (const table of ['message_search', 'message_search_1', 'message_search_2', 'message_search_3']) {
      store.db.prepare(`INSERT INTO ${table} (${table}) VALUES ('integrity-check')`).run();
    }
    // One segment left in each merged shard: FTS5 keeps a segment's pages in rows above 10 of its _data table (1 and
    // 10 are its averages and its structure); a shard of three one-message slices has three until merged.
    for (const table of ['message_search', 'message_search_1', 'message_search_2']) {
      expect(store.db.prepare(`SELECT count(*) FROM ${table}_data WHERE id > 10`).pluck().get(), table).toBe(1);
    }
    expect(search(store, 'note')).toEqual(Array.from({length: 10}, (_, n) => `note ${10 - n}`));
    expect(search(store, 'note', 4)).toEqual(['note 3', 'note 2', 'note 1']);
  });

  it('ranks the newest SEARCH_CANDIDATES matches across shards, and no older one', () => {
    const store = open(400);
    store.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
    // The oldest message matches best (two of the words) but lies past the newest SEARCH_CANDIDATES matches.
    store.storeMessage({sender: 'ann', recipient: 'bob', body: 'tea tea tea tea', ts: 0}, ['bob']);
    for (let n = 1; n <= SEARCH_CANDIDATES; n++) {
      store.storeMessage({sender: 'ann', recipient: 'bob', body: `tea ${n}`, ts: n}, ['bob']);
      if (n % 200 === 0) search(store, 'none'); // a slice every 200 messages
    }
    expect(shards(store).length).toBe(3);
    const found = store.searchMessages({words: ['tea'], scope: [userToken('ann')], limit: SEARCH_CANDIDATES + 1}).messages;
    expect(found.length).toBe(SEARCH_CANDIDATES);
    expect(found.map((m) => m.body)).not.toContain('tea tea tea tea');
    expect(new Set(found.map((m) => m.body)).size).toBe(SEARCH_CANDIDATES);
    // The page says where the older matches start, and asking from there finds the one left out.
    const page = store.searchMessages({words: ['tea'], scope: [userToken('ann')], limit: 10});
    expect(page.nextBefore).toBe(Math.min(...found.map((m) => m.id)));
    const older = store.searchMessages({words: ['tea'], scope: [userToken('ann')], limit: 10, beforeId: page.nextBefore});
    expect(older.messages.map((m) => m.body)).toEqual(['tea tea tea tea']);
    expect(older.nextBefore).toBeUndefined();
  });

  it('deletes a refused sender copy from the shard that holds it', () => {
    const store = open(2);
    store.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
    const refused = store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'note refused', ts: 1}], 1);
    sendIndexed(store, 5, 2);
    expect(shards(store).length).toBe(3);
    expect(rowids(store, 'message_search')).toContain(refused.localIds[0]);
    store.completeOutbox({realm: 'beta', upto: refused.seq, notices: [], dropMessageIds: [refused.localIds[0]!]});
    expect(rowids(store, 'message_search')).not.toContain(refused.localIds[0]);
    expect(search(store, 'refused')).toEqual([]);
    expect(search(store, 'note')).toEqual(['note 6', 'note 5', 'note 4', 'note 3', 'note 2']);
  });

  it('moves the start of the newest shard down with the mark when its messages are deleted: their ids are found again there', () => {
    const store = open(2);
    const copy = (body: string) => ({sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body, ts: 1});
    store.enqueueOutbox('beta', '{}', [copy('note kept')], 1);
    const first = store.enqueueOutbox('beta', '{}', [copy('note refused')], 2);
    search(store, 'none');
    const later = store.enqueueOutbox('beta', '{}', [copy('note refused'), copy('note refused')], 3);
    search(store, 'none');
    const [a, b, c] = [...first.localIds, ...later.localIds];
    expect(shards(store)).toEqual([[0, 0], [1, a]]);
    expect(rowids(store, 'message_search_1')).toEqual([b, c]);
    // Every message from shard 1's start on is refused: the newest left is below it, and so is the mark.
    store.completeOutbox({realm: 'beta', upto: later.seq, notices: [], dropMessageIds: [a!, b!, c!]});
    expect(shards(store)).toEqual([[0, 0], [1, a! - 1]]);
    // The next message takes the first deleted id again and goes to the newest shard, where a delete finds it.
    const again = store.enqueueOutbox('beta', '{}', [copy('note again')], 4);
    expect(again.localIds[0]).toBe(a);
    expect(search(store, 'note')).toEqual(['note again', 'note kept']);
    expect(rowids(store, 'message_search_1')).toEqual([a]);
    store.completeOutbox({realm: 'beta', upto: again.seq, notices: [], dropMessageIds: [a!]});
    expect(rowids(store, 'message_search_1')).toEqual([]);
    expect(search(store, 'note')).toEqual(['note kept']);
  });
});

describe("a search's work budget", () => {
  const words = ['apple', 'banana'];
  /**
   * 1,000 messages ann → bob in shards of 100, indexed: `apple` and `banana` in every other one, never together, but
   * in message `together`. A search for both reads both lists to the end of the history.
   */
  function filled(options: Partial<SqliteStoreOptions>, together: number): SqliteStore {
    return fill(open(100, options), together);
  }
  function fill(store: SqliteStore, together: number): SqliteStore {
    store.createUser({username: 'ann', fullName: 'Ann', country: 'x', createdAt: 0}, 'v');
    store.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
    for (let n = 1; n <= 1000; n++) {
      const body = n === together ? 'apple and banana' : n % 2 === 0 ? `apple ${n}` : `banana ${n}`;
      store.storeMessage({sender: 'ann', recipient: 'bob', body, ts: n}, ['bob']);
      if (n % 100 === 0) store.searchMessages({words: ['none'], scope: [userToken('ann')], limit: 1}); // a slice of 100
    }
    return store;
  }
  const searchFrom = (store: SqliteStore, beforeId?: number) =>
    store.searchMessages({words, scope: [userToken('ann')], limit: 10, ...(beforeId === undefined ? {} : {beforeId})});

  it('stops after the shard in which the budget ran out, and the pages from where it stopped find the rest', () => {
    // A clock that moves 5 ms each time it is read: the search reads it once to start and once after each shard,
    // so the second shard ends 10 ms after the start, when a budget of 10 is spent.
    let ms = 0;
    const store = filled({clock: () => (ms += 5), searchBudgetMs: 10}, 42);
    const first = searchFrom(store);
    expect(first.messages).toEqual([]);
    expect(first.nextBefore).toBe(801); // shards of 100 ids: 1000-901, 900-801
    const stops: number[] = [];
    let page = first;
    while (page.nextBefore !== undefined) {
      stops.push(page.nextBefore);
      page = searchFrom(store, page.nextBefore);
      if (page.messages.length > 0) break;
    }
    expect(stops).toEqual([801, 601, 401, 201]); // the last request reads shards 1 and 0
    expect(page.messages.map((m) => m.body)).toEqual(['apple and banana']);
    expect(page.nextBefore).toBeUndefined(); // the shard that holds id 1 was the last
  });

  it('spends SEARCH_BUDGET_MS when the store is given no budget', () => {
    // Each shard takes the whole default budget on this clock: a request reads one.
    let ms = 0;
    const store = filled({clock: () => (ms += SEARCH_BUDGET_MS)}, 42);
    expect(searchFrom(store)).toEqual({messages: [], nextBefore: 901});
  });

  it('reads every shard in one request while the budget lasts, and says nothing of older messages when none are left', () => {
    const store = filled({clock: () => 0}, 42);
    expect(searchFrom(store)).toEqual({messages: [expect.objectContaining({id: 42, body: 'apple and banana'})]});
  });

  it('reads one shard at least, however small the budget, and says nothing of older messages after the oldest', () => {
    const store = filled({searchBudgetMs: 0}, 950);
    const page = searchFrom(store);
    expect(page.messages.map((m) => m.body)).toEqual(['apple and banana']);
    expect(page.nextBefore).toBe(901);
    expect(searchFrom(store, 201)).toEqual({messages: [], nextBefore: 101});
    expect(searchFrom(store, 101)).toEqual({messages: []});
  });

  it('reads an index upgraded whole (shard 0, larger than a shard) in one go, and stops at the shards after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realmchat-search-budget-'));
    try {
      const file = join(dir, 'realm.db');
      const whole = new SqliteStore({file, checkpointIntervalMs: 0});
      fill(whole, 42);
      await whole.close();
      let ms = 0;
      const store = new SqliteStore({file, checkpointIntervalMs: 0, searchShardMessages: 100, clock: () => (ms += 4), searchBudgetMs: 10});
      stores.push(store);
      // 300 messages more (never together) make three shards of 100 after the first.
      for (let n = 1001; n <= 1300; n++) {
        store.storeMessage({sender: 'ann', recipient: 'bob', body: n % 2 === 0 ? `apple ${n}` : `banana ${n}`, ts: n}, ['bob']);
        if (n % 100 === 0) searchFrom(store);
      }
      expect(store.db.prepare('SELECT shard, above FROM search_shards ORDER BY shard').raw().all()).toEqual([[0, 0], [1, 1000], [2, 1100], [3, 1200]]);
      expect(searchFrom(store)).toEqual({messages: [], nextBefore: 1001});
      expect(searchFrom(store, 1001).messages.map((m) => m.id)).toEqual([42]);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });
});

describe('the search index across a restart', () => {
  it('indexes after a reopen what the last run stored and never indexed, each message once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realmchat-index-'));
    try {
      const file = join(dir, 'realm.db');
      const first = new SqliteStore({file});
      first.createUser({username: 'ann', fullName: 'Ann', country: 'x', createdAt: 0}, 'v');
      first.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
      first.storeMessage({sender: 'ann', recipient: 'bob', body: 'early words', ts: 1}, ['bob']);
      first.searchMessages({words: ['early'], scope: [userToken('bob')], limit: 1}); // indexes the first
      first.storeMessage({sender: 'ann', recipient: 'bob', body: 'late words', ts: 2}, ['bob']);
      await first.close(); // before any slice ran

      const second = new SqliteStore({file});
      stores.push(second);
      const count = () => second.db.prepare('SELECT count(*) FROM message_search').pluck().get();
      await expect.poll(count, {timeout: 5_000}).toBe(2);
      expect(second.searchMessages({words: ['words'], scope: [userToken('bob')], limit: 10}).messages.map((m) => m.body))
        .toEqual(['late words', 'early words']);
    } finally {
      for (const store of stores.splice(0)) await store.close();
      rmSync(dir, {recursive: true, force: true});
    }
  });
});

describe("the indexer's visibility tokens, built in SQL", () => {
  // Every kind of message the store keeps; names in mixed case, with the characters a name may hold.
  const kinds: Array<[string, NewMessage]> = [
    ['private', {sender: 'Ann', recipient: 'bob.x', body: 'b', ts: 1}],
    ['to oneself', {sender: 'ann', recipient: 'ANN', body: 'b', ts: 1}],
    ['local group', {sender: 'ann', group: 'Dev-s', body: 'b', ts: 1}],
    ['remote group, from its realm', {sender: 'carol', senderRealm: 'beta', group: 'devs', body: 'b', ts: 1}],
    ["one's own copy of a remote group's message", {sender: 'ann', group: 'devs', recipientRealm: 'Beta', body: 'b', ts: 1}],
    ['from another realm', {sender: 'Carol_1', senderRealm: 'beta', recipient: 'ann', body: 'b', ts: 1}],
    ['to another realm', {sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'b', ts: 1}],
  ];

  it.each(kinds)('%s: the same tokens as scopeTokensOf', (_kind, message) => {
    const store = open();
    const id = store.storeMessage(message, []);
    // SQLite's hex() writes capitals; the index's tokenizer folds case, so only the letters' case may differ.
    const tokens = store.db.prepare<[number], string>(INDEXER_SQL.tokensOf).pluck().get(id)!;
    expect(tokens.toLowerCase()).toBe(scopeTokensOf(message));
  });

  it('leaves out a delivery-failure notice, which belongs to no conversation', async () => {
    const store = open();
    const notice = store.storeMessage({sender: '~realmchat', recipient: 'ann', body: 'not delivered', ts: 1}, ['ann']);
    const kept = store.storeMessage({sender: 'ann', recipient: 'bob', body: 'delivered', ts: 2}, ['bob']);
    store.commit();
    expect(scopeTokensOf({sender: '~realmchat', recipient: 'ann'})).toBe('');
    await expect.poll(() => store.db.prepare('SELECT indexed_upto FROM search_progress').pluck().get(), {timeout: 5_000}).toBe(kept);
    expect(store.db.prepare('SELECT rowid FROM message_search').pluck().all()).toEqual([kept]);
    expect(notice).toBeLessThan(kept);
  });
});

describe('the private-history index, filled by the same slices (migration 10)', () => {
  const pairs = (store: SqliteStore) => store.db.prepare('SELECT id FROM message_pairs ORDER BY id').pluck().all();
  const catchUp = (store: SqliteStore) => store.searchMessages({words: ['x'], scope: [userToken('ann')], limit: 1}).messages;
  const bodies = (messages: Array<{body: string}>) => messages.map((message) => message.body);

  function conversation() {
    const store = open();
    for (const name of ['bob', 'cat']) store.createUser({username: name, fullName: name, country: 'x', createdAt: 0}, 'v');
    const say = (from: string, to: string, body: string) => store.storeMessage({sender: from, recipient: to, body, ts: 1}, [to]);
    const indexed = ['i1', 'i2', 'i3'].map((body, n) => say(n % 2 === 0 ? 'ann' : 'bob', n % 2 === 0 ? 'bob' : 'ann', body));
    say('ann', 'cat', 'not ours'); // indexed too, in another conversation
    catchUp(store);
    const tail = ['t1', 't2', 't3'].map((body, n) => say(n % 2 === 0 ? 'bob' : 'ann', n % 2 === 0 ? 'ann' : 'bob', body));
    say('cat', 'ann', 'not ours either'); // above the mark, in another conversation
    return {store, indexed, tail};
  }

  it('pages a conversation across the mark: what the index holds, then the newer messages read from the table', () => {
    const {store, indexed, tail} = conversation();
    expect(pairs(store)).toEqual([...indexed, indexed[2]! + 1]); // the slice took everything up to the mark, no more
    const page = (reader: string, peer: string, beforeId?: number) =>
      bodies(store.privateHistory(reader, peer, undefined, {limit: 4, beforeId}));
    expect(page('ann', 'bob')).toEqual(['i3', 't1', 't2', 't3']);
    expect(page('BOB', 'Ann')).toEqual(['i3', 't1', 't2', 't3']);
    expect(page('ann', 'bob', tail[1])).toEqual(['i1', 'i2', 'i3', 't1']);
    expect(page('ann', 'bob', indexed[2])).toEqual(['i1', 'i2']);
    expect(bodies(store.privateHistory('ann', 'cat', undefined, {limit: 10}))).toEqual(['not ours', 'not ours either']);
  });

  it('counts what is unread after a marker across the mark', async () => {
    const {store, indexed} = conversation();
    // bob received i1 and i3 (indexed) and t2 (not yet): after a marker at i1, i3 and t2 are unread.
    expect(await store.markSeen('bob', {kind: 'user', name: 'ann'}, indexed[0]!)).toMatchObject({unread: 2});
    catchUp(store);
    expect(await store.markSeen('bob', {kind: 'user', name: 'ann'}, indexed[0]!)).toMatchObject({unread: 2});
  });

  it('drops the entry of a deleted sender copy with it: the message that reuses its id is only in its own conversation', () => {
    const store = open();
    store.createUser({username: 'bob', fullName: 'Bob', country: 'x', createdAt: 0}, 'v');
    const refused = store.enqueueOutbox('beta', '{}', [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: 'refused', ts: 1}], 1);
    const id = refused.localIds[0]!;
    catchUp(store);
    expect(pairs(store)).toEqual([id]);
    store.completeOutbox({realm: 'beta', upto: refused.seq, notices: [], dropMessageIds: [id]});
    expect(pairs(store)).toEqual([]);
    expect(store.storeMessage({sender: 'ann', recipient: 'bob', body: 'to bob', ts: 2}, ['bob'])).toBe(id);
    catchUp(store);
    expect(store.db.prepare('SELECT sender, recipient, id FROM message_pairs').raw().all()).toEqual([['ann', 'bob', id]]);
    expect(store.privateHistory('ann', 'carol', 'beta', {limit: 10})).toEqual([]);
    expect(bodies(store.privateHistory('ann', 'bob', undefined, {limit: 10}))).toEqual(['to bob']);
  });
});
