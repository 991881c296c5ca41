/**
 * Crashes of the built realmchatd (dist/daemon/cli.js, so `npm run build` first): kill -9 of the sending realm
 * right after a queued OK, and kill -9 of the receiving realm in the middle of a burst (of cross-realm and local
 * sends). Nothing accepted is lost, nothing arrives twice, and a canary user on the other realm is served throughout.
 */
import type {ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {registerUser} from '../helpers/daemon.js';
import {REALMCHATD_BIN as BIN, startRealmchatd} from '../../bench/realmchatd-process.js';
import {Canary} from '../helpers/canary.js';
import {login, realmEntry, texts, waitFor} from './helpers.js';

const children = new Set<ChildProcess>();
const dirs: string[] = [];
const clients: Array<{close(): void}> = [];

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('dist/daemon/cli.js is missing: run `npm run build` first');
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-crash-'));
  dirs.push(dir);
  return dir;
}

interface Realm {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

/** Starts realmchatd in course mode (--demo-users: any user may addrealm a loopback realm, keys pinned on first use). */
async function startRealm(realm: string, data: string, port = 0): Promise<Realm> {
  const daemon = await startRealmchatd(['--realm', realm, '--port', String(port), '--data', data,
    '--demo-users', '--log-level', 'warn']);
  children.add(daemon.child);
  void daemon.exited.then(() => children.delete(daemon.child));
  return {child: daemon.child, port: daemon.port, exited: daemon.exited.then(() => undefined)};
}

async function kill(realm: Realm, signal: NodeJS.Signals): Promise<void> {
  realm.child.kill(signal);
  await realm.exited;
}

async function setUp() {
  const dataA = tempDir();
  const dataB = tempDir();
  const beta = await startRealm('beta', dataB);
  const alpha = await startRealm('alpha', dataA);
  const alice = await registerUser(alpha.port, 'alice');
  const bob = await registerUser(beta.port, 'bob');
  clients.push(alice.client, bob.client);
  expect(await alice.client.request(`addrealm beta 127.0.0.1 ${beta.port}`)).toMatchObject({status: 'OK'});
  return {dataA, dataB, alpha, beta, alice: alice.client};
}

describe('kill -9', () => {
  it('of the sending realm right after a queued OK: the message still arrives after the restart', async () => {
    const {dataA, dataB, alpha, beta, alice} = await setUp();
    await kill(beta, 'SIGTERM');
    await waitFor(async () => (await realmEntry(alice, 'beta'))?.state === 'backoff', 10_000, 'alpha to see beta down');
    expect(await alice.request('sendprivaterealm beta bob survives kill -9')).toMatchObject(
      {status: 'OK', queued: true, message: 'Message queued for user in realm'});
    await kill(alpha, 'SIGKILL');

    const alpha2 = await startRealm('alpha', dataA, alpha.port);
    const beta2 = await startRealm('beta', dataB, beta.port);
    const alice2 = await login(alpha2.port, 'alice');
    clients.push(alice2);
    await waitFor(async () => (await realmEntry(alice2, 'beta'))?.queued === 0, 20_000, 'the outbox to drain');
    const bob = await login(beta2.port, 'bob');
    clients.push(bob);
    expect(texts(await bob.request('inbox'))).toEqual(['survives kill -9']);
    expect(texts(await bob.request('inbox'))).toEqual([]);
  });

  it('of the receiving realm in the middle of a burst: every message arrives exactly once, in order, from its sender', async () => {
    const {dataB, alpha, beta, alice} = await setUp();
    const senders = [alice];
    for (const name of ['s2', 's3']) {
      const {client} = await registerUser(alpha.port, name);
      clients.push(client);
      senders.push(client);
    }
    // Local load on beta too: its kill -9 lands in the middle of group commits of local sends.
    const {client: carol} = await registerUser(beta.port, 'carol');
    clients.push(carol);
    const canary = await Canary.register(alpha.port);
    clients.push(canary);
    await canary.isServed('before the kill');
    const names = ['alice', 's2', 's3'];
    const perSender = 120;
    let replies = 0;
    const load = senders.map(async (client, index) => {
      for (let i = 0; i < perSender; i++) {
        const reply = await client.request(`sendprivaterealm beta bob ${names[index]} ${i}`);
        expect(reply.status).toBe('OK');
        replies++;
      }
    });
    const localAcked: string[] = [];
    const localLoad = (async () => {
      for (let i = 0; ; i++) {
        const reply = await Promise.race([carol.request(`send bob carol ${i}`), carol.closed.then(() => undefined)]);
        if (reply?.status !== 'OK') return;
        localAcked.push(`carol ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 10)); // below the default 50 messages/s of one user
      }
    })();
    await waitFor(() => replies >= 90 && localAcked.length > 0, 20_000, 'the burst to get going');
    await kill(beta, 'SIGKILL');
    await localLoad;
    await canary.isServed('while beta is dead');
    await waitFor(() => replies >= 180, 20_000, 'sends while beta is dead');
    await canary.isServed('while beta is dead and alpha queues');
    const beta2 = await startRealm('beta', dataB, beta.port);
    await Promise.all(load);
    await waitFor(async () => (await realmEntry(alice, 'beta'))?.queued === 0, 20_000, 'the outbox to drain');
    await canary.isServed('after the restart');

    const bob = await login(beta2.port, 'bob');
    clients.push(bob);
    const received: Array<[string, string]> = [];
    for (;;) {
      const reply = await bob.request('inbox');
      for (const [from, messages] of Object.entries(reply.messages as Record<string, Array<{msg: string}>>)) {
        for (const message of messages) received.push([from, message.msg]);
      }
      if (!reply.more) break;
    }
    for (const name of names) {
      expect(received.filter(([, text]) => text.startsWith(`${name} `))).toEqual(
        Array.from({length: perSender}, (_, i) => [`${name}@alpha`, `${name} ${i}`]));
    }
    // Every local send acknowledged before the kill is there once; one in flight at the kill may be there too.
    const local = received.filter(([from]) => from === 'carol').map(([, text]) => text);
    expect(local.slice(0, localAcked.length)).toEqual(localAcked);
    expect(local.length - localAcked.length).toBeLessThanOrEqual(1);
    expect(received).toHaveLength(names.length * perSender + local.length);
    await canary.assertNothingLost();
  });
});
