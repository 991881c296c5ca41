/**
 * The store against a real daemon for issue 12, points 7–10: read markers that two clients of one user agree on,
 * where the unread part starts, mentions counted and rung by the daemon's flag, and search → jump.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {historyLines} from '../../tui/app/format/history-lines.js';
import type {LineClient} from '../helpers/daemon.js';
import {storeWorld, type StoreWorld} from './helpers.js';

describe('conversations, read markers, mentions and search in the store', () => {
  let world: StoreWorld;
  let bob: LineClient;
  let carol: LineClient;
  let aliceToken: string;
  let open: StoreWorld['open'];

  beforeEach(async () => {
    world = await storeWorld('alice', ['bob', 'carol']);
    ({bob, carol} = world.clients as Record<'bob' | 'carol', LineClient>);
    aliceToken = world.token;
    open = (options) => world.open(options);
  });
  afterEach(() => world.close());

  /** The daemon's unread count of alice's conversation `name`. */
  async function daemonUnread(name: string): Promise<number | undefined> {
    const reply = await bob.request(`conversations ${aliceToken}`) as {conversations?: {conversation: string; unread: number}[]};
    return reply.conversations?.find((entry) => entry.conversation === name)?.unread;
  }

  it('two clients of one user agree on unread once one of them read the conversation', async () => {
    await carol.request('send alice one');
    await carol.request('send alice two');
    // bob's is the newest, read already; carol's stays unread.
    const hi = await bob.request('send alice hi');
    await bob.request(`seen ${aliceToken} bob ${Number(hi.id)}`);
    const first = open();
    const second = open();
    for (const store of [first, second]) await expect.poll(() => store.getState().conversations.carol?.unread).toBe(2);

    first.select('carol');
    await expect.poll(() => first.getState().conversations.carol!.history).toBe('loaded');
    await first.bottomShown('carol');
    expect(await daemonUnread('carol')).toBe(0);
    // The other client reads the list again when a tab comes on screen.
    second.selectTab('groups');
    await expect.poll(() => second.getState().conversations.carol!.unread).toBe(0);
    expect(second.getState().conversations.carol!.seen).toBeGreaterThan(0);

    // A new message is unread again, in the daemon's count too. (The long poll delivers it to one of the two
    // clients: `inbox` drains; the other sees it when it reads the list again.)
    await carol.request('send alice three');
    await expect.poll(() => daemonUnread('carol')).toBe(1);
    second.selectTab('inbox');
    await expect.poll(() => second.getState().conversations.carol!.unread).toBe(1);
  });

  it("does not count again what the daemon's list counted when the long poll brings it later", async () => {
    const sent = [];
    for (const text of ['one', 'two']) sent.push({id: Number((await bob.request(`send alice ${text}`)).id), from: 'bob', to: 'alice', text, ts: new Date().toISOString()});
    // Delivered elsewhere, so only the list counts them here; then the same messages come as if by a late long poll.
    await bob.request(`inbox ${aliceToken}`);
    const store = open();
    await expect.poll(() => store.getState().conversations.bob?.unread).toBe(2);
    store.ingest(sent);
    expect(store.getState().conversations.bob!.unread).toBe(2);
    // A newer one is counted.
    store.ingest([{...sent[1]!, id: sent[1]!.id + 100, text: 'three'}]);
    expect(store.getState().conversations.bob!.unread).toBe(3);
  });

  it('shows where the unread part starts when a conversation comes on screen', async () => {
    await carol.request('send alice old one');
    const last = {id: Number((await carol.request('send alice old two')).id)};
    expect((await bob.request(`seen ${aliceToken} carol ${last.id}`)).status).toBe('OK');
    await carol.request('send alice new one');
    await carol.request('send alice new two');
    const store = open();
    await expect.poll(() => store.getState().conversations.carol?.unread).toBe(2);
    store.jumpToUnread();
    await expect.poll(() => store.getState().conversations.carol!.history).toBe('loaded');
    const carolView = store.getState().conversations.carol!;
    expect(carolView).toMatchObject({markerAfter: last.id, focus: {kind: 'marker', id: last.id}, unread: 0});
    const lines = historyLines(carolView.messages, {width: 60, me: 'alice', realm: 'alpha', markerAfter: carolView.markerAfter});
    const texts = lines.filter((line) => line.kind !== 'day').map((line) => (line.kind === 'marker' ? '── new ──' : line.text));
    expect(texts).toEqual(['old one', 'old two', '── new ──', 'new one', 'new two']);
  });

  it("counts mentions apart from unread, rings for them, and marks them from the daemon's flag", async () => {
    let bells = 0;
    await carol.request('addgroup devs');
    expect((await bob.request(`joingroup ${aliceToken} devs`)).status).toBe('OK');
    await bob.request('send alice hi');
    // Delivered already (elsewhere), so the first long poll brings nothing to ring for.
    await bob.request(`inbox ${aliceToken}`);
    const store = open({bell: true, ringBell: () => bells++});
    await expect.poll(() => store.getState().conversations.bob?.exists).toBe(true);
    store.select('bob');
    await carol.request('sendgroup devs plain message');
    await expect.poll(() => store.getState().conversations['group:devs']?.unread).toBe(1);
    expect(bells).toBe(0);
    await carol.request('sendgroup devs @alice look at this');
    await expect.poll(() => store.getState().conversations['group:devs']?.mentions).toBe(1);
    expect(store.getState().conversations['group:devs']!.unread).toBe(2);
    expect(bells).toBe(1);
    // The daemon's list says the same after a re-read.
    store.selectTab('realms');
    store.selectTab('inbox');
    await expect.poll(() => store.getState().conversations['group:devs']).toMatchObject({unread: 2, mentions: 1});
    store.select('group:devs');
    await expect.poll(() => store.getState().conversations['group:devs']!.messages.length).toBe(2);
    const [plain, named] = store.getState().conversations['group:devs']!.messages;
    expect(plain!.mention).toBeUndefined();
    expect(named!.mention).toBe(true);
    const lines = historyLines(store.getState().conversations['group:devs']!.messages, {width: 60, me: 'alice', realm: 'alpha'});
    expect(lines.filter((line) => line.mention).map((line) => line.text)).toEqual(['@alice look at this']);
  });

  it('searches, and jumps to a result far back in its conversation with the history unbroken', async () => {
    const ids: number[] = [];
    for (let i = 1; i <= 130; i++) {
      const reply = await bob.request(`send alice ${i === 7 ? 'the haystack hides a needle here' : `filler ${i}`}`);
      ids.push(Number(reply.id));
    }
    await carol.request('send alice needles elsewhere');
    const store = open({historyPage: 20});
    await expect.poll(() => store.getState().conversations.carol?.unread).toBe(1);
    await store.search('needle');
    const search = store.getState().search!;
    expect(search.state).toBe('done');
    // The last word also matches as a prefix: `needles` too. The order is the daemon's ranking.
    expect(search.results.map((hit) => `${hit.conversation}: ${hit.text}`).sort()).toEqual([
      'bob: the haystack hides a needle here', 'carol: needles elsewhere',
    ]);
    // Scoped to one conversation.
    await store.search('needle', 'carol');
    expect(store.getState().search!.results.map((hit) => hit.conversation)).toEqual(['carol']);
    await store.search('needle');
    const index = store.getState().search!.results.findIndex((hit) => hit.conversation === 'bob');
    if (index > 0) store.moveSearch(1);
    store.openSearchResult();
    expect(store.getState().search).toBeUndefined();
    expect(store.getState().selected.inbox).toBe('bob');
    await expect.poll(() => store.getState().conversations.bob!.messages.some((message) => message.id === ids[6])).toBe(true);
    const bobView = store.getState().conversations.bob!;
    expect(bobView.focus).toMatchObject({kind: 'found', id: ids[6]});
    const held = bobView.messages.map((message) => message.id);
    // One unbroken stretch from the found message (or before it) up to the newest.
    expect(held).toEqual(ids.slice(ids.indexOf(held[0]!)));
    expect(held.at(-1)).toBe(ids.at(-1));
  });

  it('says what is wrong with a search', async () => {
    const store = open();
    await expect.poll(() => store.getState().connection.kind).toBe('connected');
    await store.submit('/search ...');
    expect(store.getState().status).toMatchObject({tone: 'error', text: expect.stringContaining('usage: /search')});
    await store.submit('/search hello in nobody');
    await expect.poll(() => store.getState().status?.text).toContain('User tidak ditemukan');
  });
});

describe('a search the daemon answers in parts', () => {
  it('fills its results from every part: a match far back is listed as if the daemon had read it in one go', async () => {
    // Shards of 100 ids and no work budget: each search request reads one shard.
    const world = await storeWorld('alice', ['bob'], {sqlite: {searchShardMessages: 100, searchBudgetMs: 0}});
    try {
      const bob = world.clients.bob!;
      const early = Number((await bob.request('send alice the needle is early')).id);
      for (let i = 1; i <= 230; i++) await bob.request(`send alice filler ${i}`);
      const late = Number((await bob.request('send alice a late needle')).id);
      const store = world.open();
      await expect.poll(() => store.getState().connection.kind).toBe('connected');
      await store.search('needle');
      const search = store.getState().search!;
      expect(search).toMatchObject({state: 'done', more: false});
      expect(search.results.map((hit) => hit.id)).toEqual([late, early]);
    } finally {
      await world.close();
    }
  });
});
