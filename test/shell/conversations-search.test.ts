/** realmchat conversations and realmchat search (issue 12, points 7 and 10): text and --json, usage errors exit 2. */
import {describe, expect, it} from 'vitest';
import {planSearch} from '../../tui/shell/search-command.js';
import {LineClient} from '../helpers/daemon.js';
import {cli, daemonPerTest} from './cli-helpers.js';

// Shards of 100 ids and no work budget: a search request reads one shard, and the shell goes on from where it stopped.
const {server: daemonServer, user} = daemonPerTest({sqlite: {searchShardMessages: 100, searchBudgetMs: 0}});

/** alice, bob and carol; #devs with all three; a few messages for alice. */
async function threeUsers(): Promise<{alice: string; bob: string; carol: string}> {
  const [alice, bob, carol] = [user(), user(), user()];
  await cli([...daemonServer(), 'register', 'alice', 'pw', 'Alice', 'id'], alice);
  await cli([...daemonServer(), 'register', 'bob', 'pw', 'Bob', 'id'], bob);
  await cli([...daemonServer(), 'register', 'carol', 'pw', 'Carol', 'id'], carol);
  await cli(['addgroup', 'devs'], carol);
  await cli(['joingroup', 'devs'], alice);
  await cli(['send', 'alice', 'the deploy is done'], bob);
  await cli(['sendgroup', 'devs', 'alice: can you check the deploy logs?'], carol);
  await cli(['sendgroup', 'devs', 'lunch at noon'], carol);
  return {alice, bob, carol};
}

describe('realmchat conversations', () => {
  it('lists the conversations newest first with unread and mention counts, as text and as JSON', async () => {
    const {alice} = await threeUsers();
    const text = await cli(['conversations'], alice);
    expect(text).toMatchObject({code: 0, stderr: ''});
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CONVERSATION\s+UNREAD\s+MENTIONS\s+LAST MESSAGE$/);
    expect(lines[1]).toMatch(/^#devs\s+2\s+@1\s+\S+ carol: lunch at noon$/);
    expect(lines[2]).toMatch(/^bob\s+1\s+0\s+\S+ bob: the deploy is done$/);
    const json = await cli(['conversations', '--json'], alice);
    const reply = JSON.parse(json.stdout) as {status: string; conversations: {conversation: string; unread: number; mentions: number}[]};
    expect(reply.status).toBe('OK');
    expect(reply.conversations.map(({conversation, unread, mentions}) => [conversation, unread, mentions])).toEqual([['group:devs', 2, 1], ['bob', 1, 0]]);
    // Paging: one per page, with the next page named.
    const first = await cli(['conversations', '1'], alice);
    expect(first.stdout).toMatch(/More conversations: realmchat conversations 1 \d+/);
    const next = /realmchat conversations 1 (\d+)/.exec(first.stdout)![1]!;
    expect((await cli(['conversations', '1', next], alice)).stdout).toMatch(/^bob\s/m);
  });

  it('says when there is none, and exits 2 on bad parameters', async () => {
    const alone = user();
    await cli([...daemonServer(), 'register', 'dave', 'pw', 'Dave', 'id'], alone);
    expect((await cli(['conversations'], alone)).stdout).toContain('No conversations yet');
    const bad = await cli(['conversations', 'many'], alone);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage:   realmchat conversations [limit] [before]');
  });
});

describe('realmchat search', () => {
  it('finds a match far back in the history, which the daemon reaches in several requests', async () => {
    const {alice} = await threeUsers();
    const bob = await LineClient.connect(Number(daemonServer()[1]!.split(':')[1]));
    try {
      const token = (await bob.request('auth bob pw')).tokenid as string;
      await bob.request(`send ${token} alice an old invoice`);
      for (let i = 1; i <= 230; i++) await bob.request(`send ${token} alice filler ${i}`);
      const found = await cli(['search', 'invoice', '--json'], alice);
      const reply = JSON.parse(found.stdout) as {results: {msg: string}[]; more: boolean; next_before?: number};
      expect(reply.results.map((hit) => hit.msg)).toEqual(['an old invoice']);
      expect(reply.more).toBe(false);
      expect(reply).not.toHaveProperty('next_before');
    } finally {
      bob.close();
    }
  });

  it('finds messages in all conversations or one, as text (words highlighted) and as JSON', async () => {
    const {alice} = await threeUsers();
    const all = await cli(['search', 'deploy'], alice);
    expect(all.code).toBe(0);
    // The daemon's ranking decides the order; each line is `[time] from → where: text`.
    expect(all.stdout.trimEnd().split('\n').map((line) => line.replace(/^\[[^\]]+\] /, '')).sort()).toEqual([
      'bob → you: the deploy is done', 'carol → #devs: alice: can you check the deploy logs?',
    ]);
    // Several words: every one must occur; the last one (three letters or more) also as a prefix.
    expect((await cli(['search', 'deploy', 'lo'], alice)).stdout).toBe('No messages match deploy lo.\n');
    expect((await cli(['search', 'deploy', 'log'], alice)).stdout).toMatch(/^\[\S+\] carol → #devs: .*deploy logs\?\n$/);
    const scoped = await cli(['search', 'deploy', '--in', '#devs', '--json'], alice);
    const reply = JSON.parse(scoped.stdout) as {status: string; results: {conversation: string; msg: string; mention?: boolean}[]};
    expect(reply.results).toEqual([expect.objectContaining({conversation: 'group:devs', mention: true})]);
    expect((await cli(['search', 'deploy', '--in=bob', '--limit', '1'], alice)).stdout).toMatch(/bob → you: the deploy is done/);
    expect((await cli(['search', 'nothing', 'here'], alice)).stdout).toBe('No messages match nothing here.\n');
    // Colours on a terminal: the words stand out.
    const colored = await cli(['search', 'lunch'], alice, {isTTY: true, env: {}});
    expect(colored.stdout).toContain('\u001B[33m\u001B[1mlunch');
  });

  it('exits 2 on usage errors, before connecting', async () => {
    const alice = user();
    for (const argv of [['search'], ['search', '...'], ['search', 'x', '--limit', '0'], ['search', 'x', '--limit', '500'], ['search', 'x', '--in'],
      ['search', 'x', '--in', 'no/such']]) {
      const result = await cli([...daemonServer(), ...argv], alice);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(/realmchat search|--in needs a value/);
    }
    expect((await cli(['send', 'bob', 'hi', '--in', 'x'], alice)).code).toBe(2);
  });

  it('joins the words with + and reads --in and --limit anywhere among them', () => {
    expect(planSearch(['hello', 'world'])).toEqual({kind: 'search', args: ['hello+world', '*']});
    expect(planSearch(['--in', '#devs', 'hello', '--limit=5'])).toEqual({kind: 'search', args: ['hello', '#devs', '5']});
    expect(planSearch(['hello', '--', '--in'])).toEqual({kind: 'search', args: ['hello+--in', '*']});
    expect(planSearch(['--limit', 'x', 'hi'])).toMatchObject({kind: 'usage', text: expect.stringContaining('--limit must be a whole number')});
  });

  it('works in the line mode too', async () => {
    const {alice} = await threeUsers();
    const result = await cli(['repl'], alice, {input: 'search lunch --in #devs\nsearch\n'});
    expect(result.stdout).toMatch(/carol → #devs: lunch at noon/);
    expect(result.stderr).toContain('realmchat search: give the words to look for');
  });
});
