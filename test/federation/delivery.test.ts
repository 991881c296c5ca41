/** Delivery between two realms in both directions, groups, one's own realm, history and inbox shapes. */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {TestDaemon} from '../helpers/daemon.js';
import {link, realmEntry, startRealm, texts, user, type TestUser} from './helpers.js';

let alpha: TestDaemon;
let beta: TestDaemon;
let alice: TestUser;
let andi: TestUser;
let bob: TestUser;
let budi: TestUser;
let bayu: TestUser;

beforeAll(async () => {
  alpha = await startRealm('alpha');
  beta = await startRealm('beta');
  alice = await user(alpha.port, 'alice');
  andi = await user(alpha.port, 'andi');
  bob = await user(beta.port, 'bob');
  budi = await user(beta.port, 'budi');
  bayu = await user(beta.port, 'bayu');
  await link({port: alpha.port, client: alice.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
});

afterAll(async () => {
  for (const u of [alice, andi, bob, budi, bayu]) u?.client.close();
  await Promise.all([alpha, beta].map((daemon) => daemon?.cleanup()));
});

describe('the link is symmetric', () => {
  it('lets beta users write to alpha although only alpha ran addrealm', async () => {
    expect(await realmEntry(bob.client, 'alpha')).toMatchObject({state: 'ready', direction: 'inbound'});
    expect(await bob.client.request('sendprivaterealm alpha alice hello from beta')).toMatchObject(
      {status: 'OK', message: 'Message sent to user in realm', realm: 'alpha'});
    const inbox = await alice.client.request('inbox');
    expect(inbox.messages).toEqual({
      'bob@beta': [{id: expect.any(Number), msg_from: 'bob@beta', msg_to: 'alice', msg: 'hello from beta',
        ts: expect.any(String), realm_from: 'beta', realm_to: 'alpha'}],
    });
  });

  it('carries group messages from beta to a group of alpha', async () => {
    await alice.client.request('addgroup devs');
    await andi.client.request('joingroup devs');
    expect(await bob.client.request('sendgrouprealm alpha devs hi devs')).toMatchObject({message: 'Message sent to group in realm'});
    expect(texts(await alice.client.request('getrealminbox beta'))).toEqual(['hi devs']);
    expect(texts(await andi.client.request('getrealminbox beta'))).toEqual(['hi devs']);
    // alpha's members see the remote message in the group's history too.
    const history = await andi.client.request('history group:devs');
    expect(history.messages).toEqual([expect.objectContaining({msg_from: 'bob@beta', msg_to: 'devs', msg: 'hi devs', group: 'devs'})]);
  });
});

describe('groups on the other realm', () => {
  it('reaches every member (three of them), each once, in order', async () => {
    await bob.client.request('addgroup crew');
    await budi.client.request('joingroup crew');
    await bayu.client.request('joingroup crew');
    for (let i = 1; i <= 5; i++) {
      expect(await alice.client.request(`sendgrouprealm beta crew crew message ${i}`)).toMatchObject({status: 'OK'});
    }
    const expected = [1, 2, 3, 4, 5].map((i) => `crew message ${i}`);
    for (const member of [bob, budi, bayu]) {
      const inbox = await member.client.request('inbox');
      expect(Object.keys(inbox.messages as object)).toEqual(['alice@alpha']);
      expect(texts(inbox), member.name).toEqual(expected);
    }
    // The sender's side keeps its copies as the group conversation on beta.
    const history = await alice.client.request('history group:crew@beta');
    expect(history.messages).toHaveLength(5);
    expect(history.messages).toEqual(expect.arrayContaining([expect.objectContaining({msg_from: 'alice', msg_to: 'crew@beta', group: 'crew'})]));
    // Another user of alpha does not read what alice wrote to a group of beta.
    expect((await andi.client.request('history group:crew@beta')).messages).toEqual([]);
  });
});

describe('history across realms', () => {
  it('shows a private conversation in both directions on both sides', async () => {
    await alice.client.request('sendprivaterealm beta budi ping');
    await budi.client.request('sendprivaterealm alpha alice pong');
    const atAlpha = await alice.client.request('history budi@beta');
    expect((atAlpha.messages as Array<{msg_from: string; msg_to: string; msg: string}>).map((m) => [m.msg_from, m.msg_to, m.msg])).toEqual([
      ['alice', 'budi@beta', 'ping'], ['budi@beta', 'alice', 'pong'],
    ]);
    const atBeta = await budi.client.request('history alice@ALPHA');
    expect((atBeta.messages as Array<{msg_from: string; msg_to: string; msg: string}>).map((m) => [m.msg_from, m.msg_to, m.msg])).toEqual([
      ['alice@alpha', 'budi', 'ping'], ['budi', 'alice@alpha', 'pong'],
    ]);
  });
});

describe("one's own realm (satu realm)", () => {
  it('sendprivaterealm to the own realm works like send', async () => {
    expect(await alice.client.request('sendprivaterealm alpha andi local hello')).toMatchObject(
      {status: 'OK', message: 'Message sent to user in realm'});
    expect(await alice.client.request('sendprivaterealm alpha nobody x')).toMatchObject({message: 'User tidak ditemukan'});
    const inbox = await andi.client.request('getrealminbox alpha');
    expect(inbox.messages).toEqual([{id: expect.any(Number), msg_from: 'alice', msg_to: 'andi', msg: 'local hello', ts: expect.any(String)}]);
  });

  it('sendgrouprealm to the own realm works like sendgroup: members only, no copy to the sender', async () => {
    expect(await andi.client.request('sendgrouprealm alpha devs local group')).toMatchObject(
      {status: 'OK', message: 'Message sent to group in realm'});
    expect(texts(await alice.client.request('getrealminbox alpha'))).toEqual(['local group']);
    expect(texts(await andi.client.request('inbox'))).toEqual([]);
    expect(await alice.client.request('sendgrouprealm alpha nogroup x')).toMatchObject({message: 'Group tidak ditemukan'});
  });

  it('getrealminbox of the own realm returns only local messages', async () => {
    await bob.client.request('sendprivaterealm alpha andi remote one');
    await alice.client.request('send andi local one');
    expect(texts(await andi.client.request('getrealminbox alpha'))).toEqual(['local one']);
    expect(texts(await andi.client.request('getrealminbox beta'))).toEqual(['remote one']);
  });
});
