/**
 * Who may link and unlink realms (issue 9, point 4): addrealm of a realm this daemon does not know is for --admins;
 * any user may link a configured peer at its address; course mode also lets any user link a loopback address.
 * removerealm is for admins and keeps (and reports) the realm's outbox.
 */
import {afterEach, describe, expect, it} from 'vitest';
import type {LineClient, TestDaemon} from '../helpers/daemon.js';
import {link, login, realmEntry, recordingLogger, startRealm, texts, user, waitFor, type RealmOptions} from './helpers.js';

const daemons: TestDaemon[] = [];
const clients: LineClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(daemons.splice(0).map((daemon) => daemon.cleanup()));
});

async function realm(name: string, options: RealmOptions = {}) {
  const logger = recordingLogger();
  const daemon = await startRealm(name, {...options, logger});
  daemons.push(daemon);
  return {daemon, logger};
}

async function client(port: number, name: string): Promise<LineClient> {
  const {client: c} = await user(port, name);
  clients.push(c);
  return c;
}

const ADMIN_ONLY = {status: 'ERROR', message: 'Hanya admin yang boleh melakukan ini', code: 'ADMIN_ONLY'};

describe('addrealm', () => {
  it('links a realm this daemon does not know only for an admin; others are refused before anything is dialled', async () => {
    const beta = await realm('beta');
    const alpha = await realm('alpha', {courseMode: false, admins: ['Root']});
    const alice = await client(alpha.daemon.port, 'alice');
    const root = await client(alpha.daemon.port, 'root');
    expect(await alice.request(`addrealm beta 127.0.0.1 ${beta.daemon.port}`)).toEqual(ADMIN_ONLY);
    // Refused before dialling: not even an address off this machine is tried.
    expect(await alice.request('addrealm gamma 192.0.2.1 80')).toEqual(ADMIN_ONLY);
    expect(alpha.logger.lines.some((line) => line.includes('addrealm refused'))).toBe(true);
    expect((await alice.request('realms')).realms).toEqual([]);
    expect(await root.request(`addrealm beta 127.0.0.1 ${beta.daemon.port}`)).toMatchObject({status: 'OK', realm: 'beta'});
    // Once linked it is known: anyone gets the usual answer.
    expect(await alice.request(`addrealm beta 127.0.0.1 ${beta.daemon.port}`)).toMatchObject({code: 'REALM_EXISTS'});
  });

  it('lets any user link a configured peer at its configured address, not at another one', async () => {
    const beta = await realm('beta');
    const alpha = await realm('alpha', {courseMode: false, peers: {beta: {host: '127.0.0.1', port: beta.daemon.port}}});
    const alice = await client(alpha.daemon.port, 'alice');
    expect(await alice.request('addrealm beta 127.0.0.2 9')).toEqual(ADMIN_ONLY);
    expect(await alice.request('addrealm beta')).toMatchObject({status: 'OK', realm: 'beta'});
  });

  it('in course mode lets any user link a loopback address, and nothing else', async () => {
    const beta = await realm('beta');
    const alpha = await realm('alpha', {courseMode: true});
    const alice = await client(alpha.daemon.port, 'alice');
    expect(await alice.request('addrealm gamma 192.0.2.1 80')).toEqual(ADMIN_ONLY);
    expect(await alice.request('addrealm gamma example.com 80')).toEqual(ADMIN_ONLY);
    expect(await alice.request(`addrealm beta localhost ${beta.daemon.port}`)).toMatchObject({status: 'OK'});
  });
});

describe('removerealm', () => {
  it('is for admins; keeps and reports the outbox, which is delivered when the realm is linked again', async () => {
    let beta = await realm('beta');
    const alpha = await realm('alpha', {admins: ['root']});
    const root = await client(alpha.daemon.port, 'root');
    const alice = await client(alpha.daemon.port, 'alice');
    const bob = await client(beta.daemon.port, 'bob');
    await link({port: alpha.daemon.port, client: root}, 'beta', {port: beta.daemon.port, client: bob}, 'alpha');
    bob.close();
    await beta.daemon.daemon.close();
    await waitFor(async () => (await realmEntry(root, 'beta'))?.state === 'backoff');
    expect(await alice.request('sendprivaterealm beta bob first')).toMatchObject({queued: true});
    expect(await alice.request('sendprivaterealm beta bob second')).toMatchObject({queued: true});

    expect(await alice.request('removerealm beta')).toEqual(ADMIN_ONLY);
    expect(await root.request('removerealm gamma')).toMatchObject({code: 'REALM_NOT_FOUND'});
    expect(await root.request('removerealm BETA')).toEqual({status: 'OK', message: 'Realm removed', realm: 'beta', outbox: 2});
    expect((await root.request('realms')).realms).toEqual([]);
    expect(await alice.request('sendprivaterealm beta bob third')).toMatchObject({code: 'REALM_NOT_FOUND'});

    beta = {...beta, daemon: await beta.daemon.restart()};
    daemons.push(beta.daemon);
    expect(await root.request(`addrealm beta 127.0.0.1 ${beta.daemon.port}`)).toMatchObject({status: 'OK'});
    const bobAgain = await login(beta.daemon.port, 'bob');
    clients.push(bobAgain);
    await waitFor(async () => (await realmEntry(root, 'beta'))?.queued === 0);
    expect(texts(await bobAgain.request('inbox'))).toEqual(['first', 'second']);
  });
});
