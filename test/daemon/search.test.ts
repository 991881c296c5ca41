/** search against a real daemon on real sockets: words, prefixes, visibility, ranking and paging (docs/PROTOCOL.md). */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Reply} from '../../common/protocol/replies.js';
import {ChatClient} from '../../common/client/chat-client.js';
import {nextBeforeOf, searchResultsOf} from '../../common/protocol/reply-shapes.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

let server: TestDaemon;
let ann: LineClient;
let bob: LineClient;
let cat: LineClient;
let dan: LineClient;
const ids: Record<string, number> = {};

async function ok(client: LineClient, line: string): Promise<Reply> {
  const reply = await client.request(line);
  if (reply.status !== 'OK') throw new Error(`${line}: ${reply.message}`);
  return reply;
}

/** The texts a search finds, in the daemon's order. */
async function found(client: LineClient, line: string): Promise<string[]> {
  return searchResultsOf(await ok(client, line)).map((hit) => hit.text);
}

beforeAll(async () => {
  server = await startDaemon();
  ann = (await registerUser(server.port, 'ann')).client;
  bob = (await registerUser(server.port, 'bob')).client;
  cat = (await registerUser(server.port, 'cat')).client;
  dan = (await registerUser(server.port, 'dan')).client;
  await ok(ann, 'addgroup devs');
  await ok(bob, 'joingroup devs');
  ids.private = (await ok(ann, 'send bob Deploy the release on Friday')).id as number;
  ids.reply = (await ok(bob, 'send ann friday works, deploying after lunch')).id as number;
  ids.group = (await ok(bob, 'sendgroup devs the deploy script is broken')).id as number;
  ids.secret = (await ok(cat, 'send dan deploy secret between cat and dan')).id as number;
  ids.self = (await ok(ann, 'send ann note to self: deploy checklist')).id as number;
});

afterAll(async () => {
  for (const client of [ann, bob, cat, dan]) client?.close();
  await server.cleanup();
});

describe('search', () => {
  it('finds every word, whole words, case-insensitively, the last word also as a prefix', async () => {
    expect(await found(ann, 'search friday')).toEqual(expect.arrayContaining(['Deploy the release on Friday', 'friday works, deploying after lunch']));
    expect(await found(ann, 'search friday')).toHaveLength(2);
    expect(await found(ann, 'search DEPLOY+friday')).toEqual(['Deploy the release on Friday']);
    // "deploy" alone is a whole word: not "deploying", unless it is the last word (a prefix).
    expect(await found(ann, 'search deploy+works')).toEqual([]);
    expect(await found(ann, 'search works+deploy')).toEqual(['friday works, deploying after lunch']);
    expect(await found(ann, 'search rel')).toEqual(['Deploy the release on Friday']);
    expect(await found(ann, 'search elease')).toEqual([]);
    expect(await found(ann, 'search works+deployi')).toEqual(['friday works, deploying after lunch']);
    expect(await found(ann, 'search works+deployx')).toEqual([]);
    expect(await found(ann, 'search RELEAS')).toEqual(['Deploy the release on Friday']);
    // A last word of one or two letters matches whole words only.
    expect(await found(ann, 'search on')).toEqual(['Deploy the release on Friday']);
    expect(await found(ann, 'search re')).toEqual([]);
  });

  it('finds only what the caller could read with history', async () => {
    // ann: her private messages, her notes to herself and her group; never cat and dan's conversation.
    expect((await found(ann, 'search deploy')).sort()).toEqual([
      'Deploy the release on Friday', 'friday works, deploying after lunch', 'note to self: deploy checklist', 'the deploy script is broken',
    ].sort());
    // cat is no member of devs and no party of ann's conversations.
    expect(await found(cat, 'search deploy')).toEqual(['deploy secret between cat and dan']);
    expect(await found(cat, 'search script')).toEqual([]);
    expect(await cat.request('search script group:devs')).toMatchObject({code: 'NOT_A_MEMBER'});
    expect(await found(dan, 'search secret dan')).toEqual([]);
    expect(await found(dan, 'search secret cat')).toEqual(['deploy secret between cat and dan']);
    // bob joined devs: he finds the group, and ann's note to herself stays hers.
    expect(await found(bob, 'search checklist')).toEqual([]);
    expect(await found(bob, 'search script *')).toEqual(['the deploy script is broken']);
  });

  it('searches one conversation, and names the conversation of every result', async () => {
    const hits = searchResultsOf(await ok(ann, 'search deploy bob'));
    expect(hits.map((hit) => [hit.text, hit.conversation]).sort()).toEqual([
      ['Deploy the release on Friday', 'bob'], ['friday works, deploying after lunch', 'bob'],
    ]);
    expect(searchResultsOf(await ok(ann, 'search deploy #devs'.replace('#', 'group:')))).toEqual([
      expect.objectContaining({id: ids.group, conversation: 'group:devs', group: 'devs', from: 'bob'}),
    ]);
    expect(searchResultsOf(await ok(ann, 'search deploy ann')).map((hit) => hit.conversation)).toEqual(['ann']);
    expect(searchResultsOf(await ok(bob, 'search friday ann')).every((hit) => hit.conversation === 'ann')).toBe(true);
  });

  it('ranks by relevance, newest first on ties, and pages with limit, before and more', async () => {
    const eve = (await registerUser(server.port, 'eve')).client;
    try {
      const same = [];
      for (let i = 0; i < 3; i++) same.push((await ok(eve, 'send eve zebra crossing')).id as number);
      const dense = (await ok(eve, 'send eve zebra zebra zebra')).id as number;
      const diluted = (await ok(eve, 'send eve a zebra among many other words in a long sentence here')).id as number;
      const all = searchResultsOf(await ok(eve, 'search zebra'));
      expect(all.map((hit) => hit.id)).toEqual([dense, same[2], same[1], same[0], diluted]);
      const first = await ok(eve, 'search zebra * 2');
      expect(searchResultsOf(first).map((hit) => hit.id)).toEqual([dense, same[2]]);
      expect(first.more).toBe(true);
      const older = await ok(eve, `search zebra * 10 ${same[2]}`);
      expect(searchResultsOf(older).map((hit) => hit.id)).toEqual([same[1], same[0]]);
      expect(older.more).toBe(false);
    } finally {
      eve.close();
    }
  });

  it('pages 20 results unless asked, at least 1 and at most 100', async () => {
    const kim = (await registerUser(server.port, 'kim')).client;
    try {
      const count = 102;
      kim.write(Array.from({length: count}, (_, i) => `send kim walrus ${i}\r\n`).join(''));
      for (let i = 0; i < count; i++) expect(await kim.next(30_000)).toMatchObject({status: 'OK'});
      const pageOf = async (line: string) => {
        const reply = await ok(kim, line);
        return {size: searchResultsOf(reply).length, more: reply.more};
      };
      expect(await pageOf('search walrus')).toEqual({size: 20, more: true});
      expect(await pageOf('search walrus * 0')).toEqual({size: 1, more: true});
      expect(await pageOf('search walrus * 101')).toEqual({size: 100, more: true});
      expect(await pageOf('search walrus * 102')).toEqual({size: 100, more: true});
      expect(await pageOf(`search walrus kim 100 999999999`)).toEqual({size: 100, more: true});
    } finally {
      kim.close();
    }
  }, 60_000);

  it('flags results that name the reader', async () => {
    await ok(bob, 'sendgroup devs ann: the deploy is fixed');
    const hits = searchResultsOf(await ok(ann, 'search fixed'));
    expect(hits).toEqual([expect.objectContaining({text: 'ann: the deploy is fixed', mention: true})]);
    expect(searchResultsOf(await ok(bob, 'search fixed'))[0]!.mention).toBeUndefined();
  });

  it('refuses empty text, bad numbers and conversations history refuses', async () => {
    expect(await ann.request('search')).toMatchObject({code: 'MISSING_PARAMETER'});
    expect(await ann.request('search +')).toMatchObject({code: 'BAD_PARAMETER', message: 'parameter salah'});
    expect(await ann.request('search !!')).toMatchObject({code: 'BAD_PARAMETER'});
    expect(await ann.request('search deploy * x')).toMatchObject({code: 'BAD_PARAMETER'});
    expect(await ann.request('search deploy * 5 y')).toMatchObject({code: 'BAD_PARAMETER'});
    expect(await ann.request('search deploy nobody')).toMatchObject({code: 'USER_NOT_FOUND'});
    expect(await ann.request('search deploy group:none')).toMatchObject({code: 'GROUP_NOT_FOUND'});
    expect(await ann.request('search deploy bob@nowhere')).toMatchObject({code: 'REALM_NOT_FOUND'});
    // FTS5 syntax in the text is only words: no operator reaches the index.
    expect(await found(ann, 'search deploy+OR+NOT+"x')).toEqual([]);
    expect(await found(ann, 'search scope')).toEqual([]);
    // The visibility tokens are not text: cat cannot find messages by ann's token (u + hex of "ann").
    expect(await found(cat, `search u${Buffer.from('ann').toString('hex')}`)).toEqual([]);
  });
});

describe('a search that reads far back, answered in parts', () => {
  it('says where it stopped (next_before), and a client that goes on from there gets a full page', async () => {
    // Shards of 100 ids and no budget: every request reads one shard, the least it reads.
    const realm = await startDaemon({}, {sqlite: {searchShardMessages: 100, searchBudgetMs: 0}});
    const {client: eve, token} = await registerUser(realm.port, 'eve');
    try {
      const matches: number[] = [];
      for (let n = 1; n <= 250; n++) {
        const text = n === 10 || n === 120 ? `kiwi and mango ${n}` : n % 2 === 0 ? `kiwi ${n}` : `mango ${n}`;
        const id = (await ok(eve, `send eve ${text}`)).id as number;
        if (text.startsWith('kiwi and')) matches.unshift(id);
      }
      // Each reply reads at most a window of 100 ids, newest first, and says where the next one starts.
      const first = await ok(eve, 'search kiwi+mango');
      expect(first.more).toBe(true);
      const stops: number[] = [];
      const pages: number[][] = [];
      let reply = first;
      for (;;) {
        pages.push(searchResultsOf(reply).map((hit) => hit.id));
        const next = nextBeforeOf(reply);
        if (next === undefined) break;
        expect(reply.more).toBe(true);
        stops.push(next);
        reply = await ok(eve, `search kiwi+mango * 20 ${next}`);
      }
      expect(reply).not.toHaveProperty('next_before');
      expect(reply.more).toBe(false);
      expect(pages.flat()).toEqual(matches);
      // Shards of about 100 ids (a slice that crosses the size stays whole): at least two over 250 messages.
      expect(stops.length).toBeGreaterThanOrEqual(1);
      expect(stops).toEqual([...stops].sort((a, b) => b - a));

      const client = new ChatClient({host: '127.0.0.1', port: realm.port, token, username: 'eve'});
      await client.connect();
      try {
        const whole = await client.searchThrough(['kiwi', 'mango']);
        expect(searchResultsOf(whole).map((hit) => hit.id)).toEqual(matches);
        expect(whole.more).toBe(false);
        // It stops once the page is full, and starts from `before` when asked.
        const one = await client.searchThrough('kiwi mango', {limit: 1});
        expect(searchResultsOf(one).map((hit) => hit.id)).toEqual([matches[0]]);
        expect(one.more).toBe(true);
        expect(searchResultsOf(await client.searchThrough('kiwi mango', {before: matches[0]})).map((hit) => hit.id)).toEqual([matches[1]]);
      } finally {
        client.close();
      }
    } finally {
      eve.close();
      await realm.cleanup();
    }
  });
});
