/**
 * Files across realms through crashes of the built realmchatd (dist/daemon/cli.js, so `npm run build` first):
 * kill -9 of the receiving realm while files are queued or in transit, and of the sending realm with a file
 * queued. Every file arrives exactly once, with its bytes intact.
 */
import type {ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeAll, describe, expect, it} from 'vitest';
import {LineClient, registerUser} from '../helpers/daemon.js';
import {REALMCHATD_BIN as BIN, startRealmchatd} from '../../bench/realmchatd-process.js';
import {login, realmEntry, waitFor} from './helpers.js';

const children = new Set<ChildProcess>();
const dirs: string[] = [];
const clients: LineClient[] = [];

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error('dist/daemon/cli.js is missing: run `npm run build` first');
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

interface Realm {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

async function startRealm(realm: string, data: string, port = 0): Promise<Realm> {
  const daemon = await startRealmchatd(['--realm', realm, '--port', String(port), '--data', data, '--demo-users', '--log-level', 'warn']);
  children.add(daemon.child);
  void daemon.exited.then(() => children.delete(daemon.child));
  return {child: daemon.child, port: daemon.port, exited: daemon.exited.then(() => undefined)};
}

async function kill9(realm: Realm): Promise<void> {
  realm.child.kill('SIGKILL');
  await realm.exited;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-files-crash-'));
  dirs.push(dir);
  return dir;
}

/** A file of `size` bytes whose content depends on `seed` (every byte value occurs). */
function content(size: number, seed: number): Buffer {
  return Buffer.from(Array.from({length: size}, (_, i) => (i * 7 + seed) & 0xff));
}

/**
 * Waits (a few seconds at most) until beta writes an incoming file's temporary file, so the kill most likely lands
 * in the middle of the transfer. Either way the test asserts the same: exactly once, intact.
 */
async function receivingStarted(blobRoot: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (existsSync(blobRoot) && readdirSync(blobRoot).some((name) => name.startsWith('.incoming.'))) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
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

/** Reads bob's files from alpha on beta until `count` arrived, then once more to see that nothing follows. */
async function filesOfBob(port: number, count: number): Promise<Map<string, Buffer>> {
  const bob = await login(port, 'bob');
  clients.push(bob);
  const files = new Map<string, Buffer>();
  const names: string[] = [];
  await waitFor(async () => {
    const reply = await bob.request('getrealminbox alpha');
    // A realm that only learnt of alpha from alpha's incoming link may have died before it stored alpha's record:
    // it knows alpha again once alpha redials it (REALM_NOT_FOUND until then).
    if (reply.status !== 'OK') {
      expect(reply).toMatchObject({code: 'REALM_NOT_FOUND'});
      return false;
    }
    for (const message of reply.messages as Array<{file_name: string; file_content: string}>) {
      names.push(message.file_name);
      files.set(message.file_name, Buffer.from(message.file_content, 'base64'));
    }
    return names.length >= count;
  }, 20_000, `${count} files at bob`);
  // A resend after the crash would show up as a second copy.
  expect(await bob.request('getrealminbox alpha')).toMatchObject({messages: []});
  expect(names).toHaveLength(count);
  return files;
}

describe('files and kill -9', () => {
  it('of the receiving realm while files are queued and one is in transit: each arrives once, intact', async () => {
    const {dataB, beta, alice} = await setUp();
    // 3 MiB: its inbox reply (base64) stays under the per-connection reply bound (maxQueuedBytes, 8 MiB).
    const inTransit = content(3 * 1024 * 1024, 1);
    // Not waiting for the reply: beta dies while the chunks are on their way (or just after they arrived).
    alice.write(`sendfilerealm beta bob transit.bin ${inTransit.toString('base64')}\r\n`);
    await receivingStarted(join(dataB, 'files'));
    await kill9(beta);
    const first = await alice.next(10_000);
    expect(first, JSON.stringify(first)).toMatchObject({status: 'OK'}); // delivered, or queued when beta died first
    await waitFor(async () => (await realmEntry(alice, 'beta'))?.state !== 'ready', 10_000, 'alpha to see beta down');
    const queued = content(300 * 1024, 2);
    expect(await alice.request(`sendfilerealm beta bob queued.bin ${queued.toString('base64')}`)).toMatchObject({status: 'OK', queued: true});

    const beta2 = await startRealm('beta', dataB, beta.port);
    const files = await filesOfBob(beta2.port, 2);
    expect(files.get('transit.bin')?.equals(inTransit)).toBe(true);
    expect(files.get('queued.bin')?.equals(queued)).toBe(true);
  });

  it('of the sending realm with a file queued: it still arrives once after the restart', async () => {
    const {dataA, dataB, alpha, beta, alice} = await setUp();
    await kill9(beta);
    await waitFor(async () => (await realmEntry(alice, 'beta'))?.state !== 'ready', 10_000, 'alpha to see beta down');
    const file = content(700 * 1024, 3);
    expect(await alice.request(`sendfilerealm beta bob restart.bin ${file.toString('base64')}`)).toMatchObject({status: 'OK', queued: true});
    await kill9(alpha);

    const alpha2 = await startRealm('alpha', dataA, alpha.port);
    const beta2 = await startRealm('beta', dataB, beta.port);
    const alice2 = await login(alpha2.port, 'alice');
    clients.push(alice2);
    const files = await filesOfBob(beta2.port, 1);
    expect(files.get('restart.bin')?.equals(file)).toBe(true);
    await waitFor(async () => (await realmEntry(alice2, 'beta'))?.queued === 0, 10_000, 'alpha\'s outbox to empty');
  });
});
