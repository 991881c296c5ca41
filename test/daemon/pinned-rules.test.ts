/**
 * Rules that mutation testing showed no test noticed (issue 9, "Tests the project keeps"): group history is for
 * members, `more` in history pages, the ids in OK replies, and sendgrouprealm to the daemon's own realm.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Reply} from '../../common/protocol/replies.js';
import {registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

let server: TestDaemon;
beforeAll(async () => {
  server = await startDaemon({realm: 'alpha'});
});
afterAll(async () => {
  await server.cleanup();
});

type WireMessage = {id: number; msg: string; msg_from: string; msg_to: string; group?: string};
const messagesOf = (reply: Reply) => reply.messages as WireMessage[];
const inboxOf = (reply: Reply) => reply.messages as Record<string, WireMessage[]>;

describe('history group:NAME', () => {
  it('is for members only: a non-member gets User bukan anggota group, a member the messages', async () => {
    const {client: owner} = await registerUser(server.port, 'hg_owner');
    const {client: outsider} = await registerUser(server.port, 'hg_outsider');
    expect(await owner.request('addgroup secrets')).toMatchObject({status: 'OK'});
    expect(await owner.request('sendgroup secrets the plan')).toMatchObject({status: 'OK'});
    const refused = {status: 'ERROR', message: 'User bukan anggota group', code: 'NOT_A_MEMBER'};
    expect(await outsider.request('history group:secrets')).toEqual(refused);
    expect(await outsider.request('history group:SECRETS 5')).toEqual(refused);
    expect(await outsider.request('history group:nosuchgroup')).toEqual(
      {status: 'ERROR', message: 'Group tidak ditemukan', code: 'GROUP_NOT_FOUND'});
    expect(messagesOf(await owner.request('history group:secrets')).map((m) => m.msg)).toEqual(['the plan']);
    // Joining gives the whole history, older messages included.
    expect(await outsider.request('joingroup secrets')).toMatchObject({status: 'OK'});
    const page = await outsider.request('history group:secrets');
    expect(page).toMatchObject({status: 'OK', more: false});
    expect(messagesOf(page).map((m) => m.msg)).toEqual(['the plan']);
    owner.close();
    outsider.close();
  });
});

describe('history paging', () => {
  it('says more only when older messages remain: false with exactly `limit` messages, true with limit + 1', async () => {
    const {client: a} = await registerUser(server.port, 'hp_a');
    const {client: b} = await registerUser(server.port, 'hp_b');
    for (const text of ['m1', 'm2', 'm3']) expect(await a.request(`send hp_b ${text}`)).toMatchObject({status: 'OK'});
    const exact = await a.request('history hp_b 3');
    expect(messagesOf(exact).map((m) => m.msg)).toEqual(['m1', 'm2', 'm3']);
    expect(exact.more).toBe(false);
    const larger = await b.request('history hp_a 4');
    expect(messagesOf(larger).map((m) => m.msg)).toEqual(['m1', 'm2', 'm3']);
    expect(larger.more).toBe(false);
    expect(await a.request('send hp_b m4')).toMatchObject({status: 'OK'});
    const over = await a.request('history hp_b 3');
    expect(messagesOf(over).map((m) => m.msg)).toEqual(['m2', 'm3', 'm4']);
    expect(over.more).toBe(true);
    const older = await a.request(`history hp_b 1 ${messagesOf(over)[0]!.id}`);
    expect(messagesOf(older).map((m) => m.msg)).toEqual(['m1']);
    expect(older.more).toBe(false);
    const limitOne = await a.request('history hp_b 1');
    expect(messagesOf(limitOne).map((m) => m.msg)).toEqual(['m4']);
    expect(limitOne.more).toBe(true);
    a.close();
    b.close();
  });

  it('pages group history the same way', async () => {
    const {client: a} = await registerUser(server.port, 'hpg_a');
    expect(await a.request('addgroup pagers')).toMatchObject({status: 'OK'});
    for (const text of ['g1', 'g2']) expect(await a.request(`sendgroup pagers ${text}`)).toMatchObject({status: 'OK'});
    expect(await a.request('history group:pagers 2')).toMatchObject({status: 'OK', more: false});
    expect(await a.request('sendgroup pagers g3')).toMatchObject({status: 'OK'});
    const page = await a.request('history group:pagers 2');
    expect(messagesOf(page).map((m) => m.msg)).toEqual(['g2', 'g3']);
    expect(page.more).toBe(true);
    a.close();
  });
});

describe('message ids in OK replies', () => {
  it('gives send and sendgroup increasing ids, the ones history and inbox show', async () => {
    const {client: a} = await registerUser(server.port, 'id_a');
    const {client: b} = await registerUser(server.port, 'id_b');
    expect(await a.request('addgroup idgroup')).toMatchObject({status: 'OK'});
    expect(await b.request('joingroup idgroup')).toMatchObject({status: 'OK'});
    const sent = [
      await a.request('send id_b first'),
      await a.request('sendgroup idgroup second'),
      await b.request('send id_a third'),
      await a.request('sendgroup group:idgroup fourth'),
    ];
    expect(sent.map((reply) => reply.message)).toEqual(['Message sent', 'Message sent to group', 'Message sent', 'Message sent to group']);
    const ids = sent.map((reply) => reply.id as number);
    for (const id of ids) expect(Number.isInteger(id) && id > 0).toBe(true);
    for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
    const privateHistory = messagesOf(await a.request('history id_b'));
    expect(privateHistory.map((m) => [m.id, m.msg])).toEqual([[ids[0], 'first'], [ids[2], 'third']]);
    const groupHistory = messagesOf(await b.request('history group:idgroup'));
    expect(groupHistory.map((m) => [m.id, m.msg])).toEqual([[ids[1], 'second'], [ids[3], 'fourth']]);
    const inbox = inboxOf(await b.request('inbox')).id_a!;
    expect(inbox.map((m) => [m.id, m.msg])).toEqual([[ids[0], 'first'], [ids[1], 'second'], [ids[3], 'fourth']]);
    a.close();
    b.close();
  });
});

describe('sendgrouprealm to the own realm', () => {
  it('delivers a group message locally, like sendgroup, with its id', async () => {
    const {client: a} = await registerUser(server.port, 'own_a');
    const {client: b} = await registerUser(server.port, 'own_b');
    const {client: c} = await registerUser(server.port, 'own_c');
    expect(await a.request('addgroup owngroup')).toMatchObject({status: 'OK'});
    expect(await b.request('joingroup owngroup')).toMatchObject({status: 'OK'});
    const reply = await a.request('sendgrouprealm alpha owngroup hello own realm');
    expect(reply).toMatchObject({status: 'OK', message: 'Message sent to group in realm'});
    const inbox = inboxOf(await b.request('inbox')).own_a!;
    expect(inbox).toEqual([expect.objectContaining({id: reply.id, msg: 'hello own realm', group: 'owngroup', msg_from: 'own_a'})]);
    expect(messagesOf(await a.request('history group:owngroup')).map((m) => [m.id, m.msg])).toEqual([[reply.id, 'hello own realm']]);
    // In any case of the realm's name, and in the group: form.
    expect(await a.request('sendgrouprealm ALPHA group:owngroup again')).toMatchObject({status: 'OK'});
    expect(inboxOf(await b.request('inbox')).own_a!.map((m) => m.msg)).toEqual(['again']);
    // The group's rules hold: members only, existing groups only.
    expect(await c.request('sendgrouprealm alpha owngroup hi')).toEqual(
      {status: 'ERROR', message: 'User bukan anggota group', code: 'NOT_A_MEMBER'});
    expect(await a.request('sendgrouprealm alpha nogroup hi')).toMatchObject({status: 'ERROR', code: 'GROUP_NOT_FOUND'});
    for (const client of [a, b, c]) client.close();
  });

  it('delivers to a list of local users, all or nothing, one id each', async () => {
    const {client: a} = await registerUser(server.port, 'list_a');
    const {client: b} = await registerUser(server.port, 'list_b');
    const {client: c} = await registerUser(server.port, 'list_c');
    expect(await a.request('sendgrouprealm alpha list_b,nobody_here hi')).toEqual(
      {status: 'ERROR', message: 'User tidak ditemukan', code: 'USER_NOT_FOUND'});
    expect(inboxOf(await b.request('inbox'))).toEqual({});
    const reply = await a.request('sendgrouprealm alpha list_b,LIST_C,list_b to both');
    expect(reply).toMatchObject({status: 'OK', message: 'Message sent to group in realm'});
    const ids = reply.ids as number[];
    expect(ids).toHaveLength(2);
    expect(ids[1]!).toBeGreaterThan(ids[0]!);
    expect(inboxOf(await b.request('inbox')).list_a).toEqual([expect.objectContaining({id: ids[0], msg: 'to both', msg_to: 'list_b'})]);
    expect(inboxOf(await c.request('inbox')).list_a).toEqual([expect.objectContaining({id: ids[1], msg: 'to both', msg_to: 'list_c'})]);
    for (const client of [a, b, c]) client.close();
  });
});

describe('replies that name what they did', () => {
  it('addgroup and joingroup name the group; sendprivaterealm to the own realm gives the message id', async () => {
    const {client: a} = await registerUser(server.port, 'named_a');
    const {client: b} = await registerUser(server.port, 'named_b');
    expect(await a.request('addgroup namedgroup')).toEqual({status: 'OK', message: 'Add group successful', group: 'namedgroup'});
    expect(await b.request('joingroup namedgroup')).toEqual({status: 'OK', message: 'Join group successful', group: 'namedgroup'});
    const sent = await a.request('sendprivaterealm alpha named_b hi');
    expect(sent).toMatchObject({status: 'OK', message: 'Message sent to user in realm'});
    expect(messagesOf(await b.request('history named_a')).map((m) => [m.id, m.msg])).toEqual([[sent.id, 'hi']]);
    a.close();
    b.close();
  });

  it('reads `history user@OWNREALM` as the local conversation, in any case', async () => {
    const {client: a} = await registerUser(server.port, 'own_hist_a');
    await registerUser(server.port, 'own_hist_b');
    expect(await a.request('send own_hist_b local')).toMatchObject({status: 'OK'});
    for (const line of ['history own_hist_b@alpha', 'history own_hist_b@ALPHA']) {
      expect(messagesOf(await a.request(line)).map((m) => m.msg), line).toEqual(['local']);
    }
    a.close();
  });
});

describe('pages on a fresh daemon', () => {
  it('say more only past the limit (groups, getusers, getgroups), and a history page always holds the newest message', async () => {
    const fresh = await startDaemon({realm: 'alpha', historyMaxBytes: 50});
    try {
      const {client: a, token} = await registerUser(fresh.port, 'pa');
      await registerUser(fresh.port, 'pb');
      for (const name of ['g1', 'g2']) expect(await a.request(`addgroup ${name}`)).toMatchObject({status: 'OK'});
      expect(await a.request('groups 2')).toMatchObject({status: 'OK', more: false});
      expect(await a.request('groups 1')).toMatchObject({status: 'OK', more: true});
      expect(await a.request(`getusers ${token} 2`)).toMatchObject({status: 'OK', users: [{username: 'pa'}, {username: 'pb'}], more: false});
      expect(await a.request(`getusers ${token} 1`)).toMatchObject({status: 'OK', more: true});
      expect(await a.request(`getgroups ${token} 2`)).toMatchObject({status: 'OK', groups: [{group: 'g1'}, {group: 'g2'}], more: false});
      expect(await a.request(`getgroups ${token} 1`)).toMatchObject({status: 'OK', groups: [{group: 'g1'}], more: true});
      const big = 'x'.repeat(100);
      expect(await a.request(`send pb ${big}`)).toMatchObject({status: 'OK'});
      const page = await a.request('history pb');
      expect(messagesOf(page).map((m) => m.msg)).toEqual([big]);
      expect(page.more).toBe(false);
      a.close();
    } finally {
      await fresh.cleanup();
    }
  });
});
