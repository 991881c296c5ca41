/** The realm commands of issue 3, row by row, with their exact strings: two in-process realms on loopback. */
import {createServer} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {LineClient} from '../helpers/daemon.js';
import type {TestDaemon} from '../helpers/daemon.js';
import {link, realmEntry, startRealm, texts, user, waitFor, type TestUser} from './helpers.js';

/** A loopback port with nothing listening on it. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as {port: number};
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let alpha: TestDaemon;
let beta: TestDaemon;
let gamma: TestDaemon;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

beforeAll(async () => {
  beta = await startRealm('beta');
  gamma = await startRealm('gamma');
  alpha = await startRealm('alpha', {peers: {Gamma: {host: '127.0.0.1', port: gamma.port}}});
  alice = await user(alpha.port, 'alice');
  bob = await user(beta.port, 'bob');
  carol = await user(beta.port, 'carol');
  await link({port: alpha.port, client: alice.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
  await bob.client.request('addgroup ops');
  await carol.client.request('joingroup ops');
});

afterAll(async () => {
  for (const u of [alice, bob, carol]) u?.client.close();
  await Promise.all([alpha, beta, gamma].map((daemon) => daemon?.cleanup()));
});

describe('every realm command needs a session', () => {
  it('answers Session tidak ditemukan without one, and takes the token inline as the second word', async () => {
    const anonymous = await LineClient.connect(alpha.port);
    for (const line of ['addrealm beta 127.0.0.1 1', 'sendprivaterealm beta bob hi', 'sendgrouprealm beta ops hi', 'getrealminbox beta']) {
      expect(await anonymous.request(line), line).toEqual({status: 'ERROR', message: 'Session tidak ditemukan', code: 'NO_SESSION'});
    }
    expect(await anonymous.request(`sendprivaterealm ${alice.token} beta bob  inline token `)).toMatchObject(
      {status: 'OK', message: 'Message sent to user in realm'});
    expect(await anonymous.request(`getrealminbox ${alice.token} beta`)).toMatchObject({status: 'OK', messages: []});
    anonymous.close();
    expect(texts(await bob.client.request('getrealminbox alpha'))).toEqual(['inline token']);
  });
});

describe('addrealm <realm> [<host> <port>]', () => {
  it('answers Realm sudah ada for a linked realm and for its own name, in any case', async () => {
    for (const line of [`addrealm beta 127.0.0.1 ${beta.port}`, 'addrealm BETA', 'addrealm alpha', `addrealm Alpha 127.0.0.1 ${alpha.port}`]) {
      expect(await alice.client.request(line), line).toEqual({status: 'ERROR', message: 'Realm sudah ada', code: 'REALM_EXISTS'});
    }
  });

  it('answers parameter tidak ada / parameter salah', async () => {
    expect(await alice.client.request('addrealm')).toMatchObject({status: 'ERROR', message: 'parameter tidak ada'});
    expect(await alice.client.request('addrealm delta')).toMatchObject({status: 'ERROR', message: 'parameter tidak ada', code: 'MISSING_PARAMETER'});
    expect(await alice.client.request('addrealm delta 127.0.0.1')).toMatchObject({message: 'parameter tidak ada'});
    expect(await alice.client.request('addrealm delta 127.0.0.1 http')).toMatchObject({status: 'ERROR', message: 'parameter salah', code: 'BAD_PARAMETER'});
    expect(await alice.client.request('addrealm delta 127.0.0.1 70000')).toMatchObject({message: 'parameter salah'});
    expect(await alice.client.request('addrealm del/ta 127.0.0.1 1')).toMatchObject({message: 'parameter salah'});
  });

  it('answers Realm tidak dapat dihubungi and stores nothing when the peer is down or is another realm', async () => {
    const unreachable = {status: 'ERROR', message: 'Realm tidak dapat dihubungi', code: 'REALM_UNREACHABLE'};
    expect(await alice.client.request(`addrealm delta 127.0.0.1 ${await deadPort()}`)).toEqual(unreachable);
    // gamma is up and knows the key, but it is not called delta.
    expect(await alice.client.request(`addrealm delta 127.0.0.1 ${gamma.port}`)).toEqual(unreachable);
    expect(await realmEntry(alice.client, 'delta')).toBeUndefined();
    expect(await alice.client.request('sendprivaterealm delta bob hi')).toMatchObject({message: 'Realm tidak ditemukan'});
  });

  it('links a realm from the --peer directory by name alone and lists it in realms', async () => {
    expect(await alice.client.request('addrealm gamma')).toEqual(
      {status: 'OK', message: 'Realm added successfully', realm: 'gamma', host: '127.0.0.1', port: gamma.port});
    const realms = await alice.client.request('realms');
    expect(realms).toMatchObject({status: 'OK', message: 'Realms', realm: 'alpha'});
    expect(realms.realms).toEqual([
      {name: 'beta', host: '127.0.0.1', port: beta.port, state: 'ready', queued: 0, direction: 'outbound'},
      {name: 'gamma', host: '127.0.0.1', port: gamma.port, state: 'ready', queued: 0, direction: 'outbound'},
    ]);
    // The link is symmetric: gamma lists alpha (it dials us) without anyone running addrealm there.
    const gammaUser = await user(gamma.port, 'gus');
    await waitFor(async () => (await realmEntry(gammaUser.client, 'alpha'))?.state === 'ready');
    expect(await realmEntry(gammaUser.client, 'alpha')).toEqual(
      {name: 'alpha', host: '127.0.0.1', port: alpha.port, state: 'ready', queued: 0, direction: 'inbound'});
    gammaUser.client.close();
  });
});

describe('sendprivaterealm <realm> <user> <text>', () => {
  it('delivers to the user of the other realm and answers with the peer verdict', async () => {
    const reply = await alice.client.request('sendprivaterealm beta bob halo realm');
    expect(reply).toMatchObject({status: 'OK', message: 'Message sent to user in realm', realm: 'beta'});
    expect(reply.queued).toBeUndefined();
    expect(typeof reply.id).toBe('number');
    const inbox = await bob.client.request('getrealminbox alpha');
    expect(inbox).toMatchObject({status: 'OK', message: 'Realm inbox'});
    expect(inbox.messages).toEqual([{
      id: expect.any(Number), msg_from: 'alice@alpha', msg_to: 'bob', msg: 'halo realm', ts: expect.any(String),
      realm_from: 'alpha', realm_to: 'beta',
    }]);
  });

  it('answers Realm tidak ditemukan and User tidak ditemukan (from the other realm)', async () => {
    expect(await alice.client.request('sendprivaterealm nowhere bob hi')).toEqual(
      {status: 'ERROR', message: 'Realm tidak ditemukan', code: 'REALM_NOT_FOUND'});
    expect(await alice.client.request('sendprivaterealm beta nobody hi')).toEqual(
      {status: 'ERROR', message: 'User tidak ditemukan', code: 'USER_NOT_FOUND'});
    // The refused message left nothing behind: no copy in alice's history, no notice.
    expect((await alice.client.request('history nobody@beta')).messages).toEqual([]);
    expect(texts(await alice.client.request('inbox'))).toEqual([]);
    // History of a realm that is not linked is a clear error, not an empty conversation.
    expect(await alice.client.request('history bob@nowhere')).toMatchObject({message: 'Realm tidak ditemukan'});
    expect(await alice.client.request('history group:ops@nowhere')).toMatchObject({message: 'Realm tidak ditemukan'});
  });

  it('answers parameter tidak ada without a text', async () => {
    expect(await alice.client.request('sendprivaterealm beta bob')).toMatchObject({message: 'parameter tidak ada'});
  });
});

describe('sendgrouprealm <realm> <group> <text>', () => {
  it('delivers to every member of the group on the other realm (NAME and group:NAME)', async () => {
    expect(await alice.client.request('sendgrouprealm beta ops halo grup')).toMatchObject(
      {status: 'OK', message: 'Message sent to group in realm', realm: 'beta'});
    expect(await alice.client.request('sendgrouprealm beta group:OPS  course form ')).toMatchObject(
      {status: 'OK', message: 'Message sent to group in realm'});
    for (const member of [bob, carol]) {
      const inbox = await member.client.request('getrealminbox alpha');
      expect(inbox.messages).toEqual([
        {id: expect.any(Number), msg_from: 'alice@alpha', msg_to: member.name, msg: 'halo grup', ts: expect.any(String),
          group: 'ops', realm_from: 'alpha', realm_to: 'beta'},
        expect.objectContaining({msg: 'course form', group: 'ops'}),
      ]);
    }
  });

  it('takes a comma list of users, all or nothing', async () => {
    expect(await alice.client.request('sendgrouprealm beta bob,carol  to both ')).toMatchObject(
      {status: 'OK', message: 'Message sent to group in realm', ids: [expect.any(Number), expect.any(Number)]});
    expect(await alice.client.request('sendgrouprealm beta bob,nobody not for anyone')).toEqual(
      {status: 'ERROR', message: 'User tidak ditemukan', code: 'USER_NOT_FOUND'});
    expect(texts(await bob.client.request('getrealminbox alpha'))).toEqual(['to both']);
    expect(texts(await carol.client.request('getrealminbox alpha'))).toEqual(['to both']);
  });

  it('answers Realm tidak ditemukan and Group tidak ditemukan', async () => {
    expect(await alice.client.request('sendgrouprealm nowhere ops hi')).toEqual(
      {status: 'ERROR', message: 'Realm tidak ditemukan', code: 'REALM_NOT_FOUND'});
    expect(await alice.client.request('sendgrouprealm beta nogroup hi')).toEqual(
      {status: 'ERROR', message: 'Group tidak ditemukan', code: 'GROUP_NOT_FOUND'});
    expect(await alice.client.request('sendgrouprealm beta group:nogroup hi')).toMatchObject({message: 'Group tidak ditemukan'});
  });
});

describe('getrealminbox <realm>', () => {
  it('answers Realm tidak ditemukan for a realm that is not linked', async () => {
    expect(await alice.client.request('getrealminbox nowhere')).toEqual(
      {status: 'ERROR', message: 'Realm tidak ditemukan', code: 'REALM_NOT_FOUND'});
  });

  it('drains: a message is read by whichever of inbox and getrealminbox comes first', async () => {
    await alice.client.request('sendprivaterealm beta bob first');
    await alice.client.request('sendprivaterealm beta bob second');
    const inbox = await bob.client.request('inbox');
    expect(Object.keys(inbox.messages as object)).toEqual(['alice@alpha']);
    expect(texts(inbox)).toEqual(['first', 'second']);
    expect((await bob.client.request('getrealminbox alpha')).messages).toEqual([]);
    await alice.client.request('sendprivaterealm beta bob third');
    expect(texts(await bob.client.request('getrealminbox ALPHA'))).toEqual(['third']);
    expect(texts(await bob.client.request('inbox'))).toEqual([]);
  });
});
