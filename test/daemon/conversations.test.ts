/** conversations, seen and mentions against a real daemon on real sockets (docs/PROTOCOL.md). */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Reply} from '../../common/protocol/replies.js';
import {conversationsOf, seenOf} from '../../common/protocol/reply-shapes.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

let server: TestDaemon;
const clients: LineClient[] = [];

async function login(name: string): Promise<LineClient> {
  const {client} = await registerUser(server.port, name);
  clients.push(client);
  return client;
}

/** Another session of a registered user, on a connection of its own. */
async function session(name: string): Promise<LineClient> {
  const client = await LineClient.connect(server.port);
  clients.push(client);
  await ok(client, `auth ${name} pw`);
  return client;
}

async function ok(client: LineClient, line: string): Promise<Reply> {
  const reply = await client.request(line);
  if (reply.status !== 'OK') throw new Error(`${line}: ${reply.message}`);
  return reply;
}

async function send(client: LineClient, line: string): Promise<number> {
  return (await ok(client, line)).id as number;
}

/** The caller's conversations as the clients read them, by name. */
async function listed(client: LineClient): Promise<Map<string, ReturnType<typeof conversationsOf>[number]>> {
  const all = conversationsOf(await ok(client, 'conversations 500'));
  return new Map(all.map((entry) => [entry.conversation, entry]));
}

beforeAll(async () => {
  server = await startDaemon();
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server.cleanup();
});

describe('conversations', () => {
  it('lists direct and group conversations newest first, with the last message, unread counts and markers', async () => {
    const ana = await login('ana');
    const ben = await login('ben');
    await login('cid');
    await ok(ana, 'addgroup crew');
    await ok(ben, 'joingroup crew');
    await send(ben, 'send ana hello ana');
    await send(ana, 'send cid hi cid');
    const groupId = await send(ben, 'sendgroup crew hi crew');
    const reply = await ok(ana, 'conversations');
    expect(reply.conversations).toEqual([
      {conversation: 'group:crew', kind: 'group', unread: 1, mentions: 0, seen: 0,
        last: expect.objectContaining({id: groupId, msg_from: 'ben', msg_to: 'crew', msg: 'hi crew', group: 'crew'})},
      {conversation: 'cid', kind: 'direct', unread: 0, mentions: 0, seen: 0, last: expect.objectContaining({msg: 'hi cid'})},
      {conversation: 'ben', kind: 'direct', unread: 1, mentions: 0, seen: 0, last: expect.objectContaining({msg: 'hello ana'})},
    ]);
    expect(reply.more).toBe(false);
    // cid has one conversation; the sender's own message is not unread for it.
    expect(conversationsOf(await ok(clients[2]!, 'conversations'))).toEqual([
      expect.objectContaining({conversation: 'ana', unread: 1}),
    ]);
  });

  it('lists a group joined without a message after the ones with messages, without last', async () => {
    const dee = await login('dee');
    const eve = await login('eve');
    await ok(dee, 'addgroup quiet');
    await send(eve, 'send dee first');
    const list = conversationsOf(await ok(dee, 'conversations'));
    expect(list.map((entry) => entry.conversation)).toEqual(['eve', 'group:quiet']);
    expect(list[1]).toEqual({conversation: 'group:quiet', kind: 'group', unread: 0, mentions: 0, seen: 0});
    // A group joined later opens read up to its newest message: its history is not a backlog.
    const lastId = await send(dee, 'sendgroup quiet now it speaks');
    await ok(eve, 'joingroup quiet');
    expect((await listed(eve)).get('group:quiet')).toMatchObject({unread: 0, seen: lastId, last: {id: lastId}});
  });

  it('pages with limit and before, newest first, and says when more follow', async () => {
    const pat = await login('pat');
    const peers = ['p1', 'p2', 'p3', 'p4', 'p5'];
    for (const peer of peers) await login(peer);
    for (const peer of peers) await send(pat, `send ${peer} to ${peer}`);
    const first = await ok(pat, 'conversations 2');
    expect(conversationsOf(first).map((entry) => entry.conversation)).toEqual(['p5', 'p4']);
    expect(first.more).toBe(true);
    const second = await ok(pat, `conversations 2 ${conversationsOf(first)[1]!.last!.id}`);
    expect(conversationsOf(second).map((entry) => entry.conversation)).toEqual(['p3', 'p2']);
    expect(second.more).toBe(true);
    const third = await ok(pat, `conversations 2 ${conversationsOf(second)[1]!.last!.id}`);
    expect(conversationsOf(third).map((entry) => entry.conversation)).toEqual(['p1']);
    expect(third.more).toBe(false);
    // A limit of 0 still lists one; without a limit all five fit the default page of 50.
    const least = await ok(pat, 'conversations 0');
    expect(conversationsOf(least).map((entry) => entry.conversation)).toEqual(['p5']);
    expect(least.more).toBe(true);
    const whole = await ok(pat, 'conversations');
    expect(conversationsOf(whole)).toHaveLength(5);
    expect(whole.more).toBe(false);
    // A page exactly as long as the conversations: nothing more.
    const exact = await ok(pat, 'conversations 5');
    expect(conversationsOf(exact)).toHaveLength(5);
    expect(exact.more).toBe(false);
    // A new message moves its conversation to the top.
    await send(clients.at(-5)!, 'send pat back to you');
    expect(conversationsOf(await ok(pat, 'conversations 1'))[0]).toMatchObject({conversation: 'p1', unread: 1});
  });

  it('refuses a limit or before that is not a whole number', async () => {
    const ana = clients[0]!;
    expect(await ana.request('conversations x')).toMatchObject({status: 'ERROR', code: 'BAD_PARAMETER', message: 'parameter salah'});
    expect(await ana.request('conversations 5 -1')).toMatchObject({code: 'BAD_PARAMETER'});
    expect(await ana.request('conversations 5 1 2')).toMatchObject({code: 'BAD_PARAMETER'});
  });
});

describe('seen', () => {
  it('moves the read marker forward, never back, and recounts what is unread after it', async () => {
    const fay = await login('fay');
    const gus = await login('gus');
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await send(gus, `send fay m${i}`));
    await send(fay, 'send gus my own message');
    expect((await listed(fay)).get('gus')).toMatchObject({unread: 5, seen: 0});
    expect(seenOf(await ok(fay, `seen gus ${ids[1]}`))).toEqual({conversation: 'gus', seen: ids[1], unread: 3, mentions: 0});
    // An older id answers OK and changes nothing.
    expect(seenOf(await ok(fay, `seen gus ${ids[0]}`))).toEqual({conversation: 'gus', seen: ids[1], unread: 3, mentions: 0});
    expect((await listed(fay)).get('gus')).toMatchObject({unread: 3, seen: ids[1]});
    // Past the newest message the marker stops at the newest, so later messages still count.
    const reply = seenOf(await ok(fay, 'seen GUS 999999999'))!;
    expect(reply).toMatchObject({conversation: 'gus', unread: 0});
    expect(reply.seen).toBeGreaterThan(ids[4]!);
    await send(gus, 'send fay after the marker');
    expect((await listed(fay)).get('gus')).toMatchObject({unread: 1});
  });

  it('caps unread and mention counts at 999 ("999 or more") in conversations and seen', async () => {
    const owner = await login('cap_owner');
    const reader = await login('cap_reader');
    await ok(owner, 'addgroup capped');
    await ok(reader, 'joingroup capped');
    // 1,002 messages that each name the reader, pipelined in one write.
    const count = 1002;
    owner.write(Array.from({length: count}, (_, i) => `sendgroup capped cap_reader ${i}\r\n`).join(''));
    const ids: number[] = [];
    for (let i = 0; i < count; i++) ids.push((await owner.next(30_000)).id as number);
    const raw = (await ok(reader, 'conversations')).conversations as Array<Record<string, unknown>>;
    expect(raw.find((entry) => entry.conversation === 'group:capped')).toMatchObject({unread: 999, mentions: 999});
    // Seen up to the first: 1,001 remain, still reported as 999.
    expect(await ok(reader, `seen group:capped ${ids[0]}`)).toMatchObject({seen: ids[0], unread: 999, mentions: 999});
    // Below the cap the exact counts come back.
    expect(await ok(reader, `seen group:capped ${ids[count - 6]}`)).toMatchObject({unread: 5, mentions: 5});
  }, 60_000);

  it('is one truth for every session of a user', async () => {
    const hal = await login('hal');
    const ivy = await login('ivy');
    const other = await session('ivy');
    const ids = [await send(hal, 'send ivy one'), await send(hal, 'send ivy two'), await send(hal, 'send ivy three')];
    await ok(ivy, `seen hal ${ids[1]}`);
    const mine = (await listed(ivy)).get('hal');
    const theirs = (await listed(other)).get('hal');
    expect(mine).toMatchObject({unread: 1, seen: ids[1]});
    expect(theirs).toEqual(mine);
  });

  it('is apart from inbox: inbox neither moves markers nor is changed by them', async () => {
    const jon = await login('jon');
    const kim = await login('kim');
    const a = await send(jon, 'send kim a');
    await send(jon, 'send kim b');
    await ok(kim, `seen jon ${a}`);
    // Both messages are still undelivered: inbox returns them, marker or not.
    const inbox = await ok(kim, 'inbox');
    expect((inbox.messages as Record<string, Array<{msg: string}>>).jon!.map((m) => m.msg)).toEqual(['a', 'b']);
    expect((await listed(kim)).get('jon')).toMatchObject({unread: 1, seen: a});
  });

  it('answers as history does for a conversation it cannot see, and refuses an id that is no whole number', async () => {
    const lea = await login('lea');
    await ok(clients[0]!, 'addgroup closed');
    expect(await lea.request('seen nobody 1')).toMatchObject({code: 'USER_NOT_FOUND', message: 'User tidak ditemukan'});
    expect(await lea.request('seen group:nogroup 1')).toMatchObject({code: 'GROUP_NOT_FOUND'});
    expect(await lea.request('seen group:closed 1')).toMatchObject({code: 'NOT_A_MEMBER', message: 'User bukan anggota group'});
    expect(await lea.request('seen bob@nowhere 1')).toMatchObject({code: 'REALM_NOT_FOUND', message: 'Realm tidak ditemukan'});
    expect(await lea.request('seen ana x')).toMatchObject({code: 'BAD_PARAMETER'});
    expect(await lea.request('seen ana 1.5')).toMatchObject({code: 'BAD_PARAMETER'});
    expect(await lea.request('seen ana')).toMatchObject({code: 'MISSING_PARAMETER'});
    // A conversation with no message yet: OK, nothing to mark.
    expect(seenOf(await ok(lea, 'seen ana 5'))).toEqual({conversation: 'ana', seen: 0, unread: 0, mentions: 0});
  });
});

describe('mentions', () => {
  it('counts group messages naming the reader as a word, @name or name:, never a longer word', async () => {
    const max = await login('max');
    const ned = await login('ned');
    await ok(max, 'addgroup talk');
    await ok(ned, 'joingroup talk');
    await send(ned, 'sendgroup talk hey max how are you');
    await send(ned, 'sendgroup talk @MAX look');
    await send(ned, 'sendgroup talk max: ready?');
    await send(ned, 'sendgroup talk maxa and maximal and smax are not max.');
    await send(ned, 'sendgroup talk nothing here');
    await send(max, 'sendgroup talk I am max, myself');
    expect((await listed(max)).get('group:talk')).toMatchObject({unread: 5, mentions: 4});
    expect((await listed(ned)).get('group:talk')).toMatchObject({unread: 1, mentions: 0});
    // Each entry is flagged for the reader it names, in history and inbox alike.
    const history = (await ok(max, 'history group:talk')).messages as Array<{msg: string; mention?: boolean}>;
    expect(history.filter((m) => m.mention).map((m) => m.msg)).toEqual(
      ['hey max how are you', '@MAX look', 'max: ready?', 'maxa and maximal and smax are not max.']);
    expect(history.every((m) => m.mention === undefined || m.mention === true)).toBe(true);
    const inbox = (await ok(max, 'inbox')).messages as Record<string, Array<{msg: string; mention?: boolean}>>;
    expect(inbox.ned!.filter((m) => m.mention).length).toBe(4);
    expect(((await ok(ned, 'history group:talk')).messages as Array<{mention?: boolean}>).some((m) => m.mention)).toBe(false);
    expect((await listed(max)).get('group:talk')!.last).toMatchObject({text: 'I am max, myself'});
    expect((await listed(max)).get('group:talk')!.last!.mention).toBeUndefined();
  });

  it('recounts mentions after a read marker, and direct messages never count as mentions', async () => {
    const max = await session('max');
    const ned = await session('ned');
    const base = (await listed(max)).get('group:talk')!.last!.id;
    await ok(max, `seen group:talk ${base}`);
    const first = await send(ned, 'sendgroup talk max one');
    await send(ned, 'sendgroup talk plain');
    await send(ned, 'sendgroup talk max two');
    expect((await listed(max)).get('group:talk')).toMatchObject({unread: 3, mentions: 2});
    expect(seenOf(await ok(max, `seen group:talk ${first}`))).toMatchObject({unread: 2, mentions: 1});
    await send(ned, 'send max hi max');
    expect((await listed(max)).get('ned')).toMatchObject({unread: 1, mentions: 0});
  });
});
