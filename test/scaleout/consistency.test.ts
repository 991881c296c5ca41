/**
 * Consistency across the processes of one realm on PostgreSQL (issue 13, its cross-process gaps): a realm linked or
 * unlinked on one process is known (or gone) on the others without a restart, and only the lease holder dials it;
 * a logout on one process answers a long poll of that session waiting on another at once.
 */
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, expect, it} from 'vitest';
import {startRealmchatd} from '../../bench/realmchatd-process.js';
import {LineClient, registerUser} from '../helpers/daemon.js';
import {describeIfPostgres} from '../helpers/pg-cluster.js';
import {realmEntry, waitFor} from '../federation/helpers.js';
import {Realm, realmSuite} from './processes.js';

describeIfPostgres('one realm on PostgreSQL: what one process changes, the others see at once', () => {
  const suite = realmSuite();
  const {realms, closers: clients} = suite;
  const children: ChildProcess[] = [];
  const dirs: string[] = [];

  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
  });

  async function startRealm(count: number, extraArgs: string[] = []): Promise<Realm> {
    const realm = await Realm.start(suite.cluster, count, extraArgs);
    realms.push(realm);
    return realm;
  }

  async function user(port: number, name: string): Promise<LineClient> {
    const {client} = await registerUser(port, name);
    clients.push(client);
    return client;
  }

  /** Another realm, `beta`, on SQLite. */
  async function startBeta(): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'realmchat-beta-'));
    dirs.push(dir);
    const beta = await startRealmchatd(['--realm', 'beta', '--data', dir, '--port', '0', '--federation', 'tofu', '--send-rate', 'off', '--log-level', 'warn']);
    children.push(beta.child);
    return beta.port;
  }

  it('knows a realm added on A on B at once (B sends to it through A\'s link), and forgets it when A removes it', async () => {
    const betaPort = await startBeta();
    const bob = await user(betaPort, 'bob');
    // A long lease: this test is about what B learns from the store, not about a takeover (link-lease.test.ts). With
    // a short one, A stalled on a loaded machine for longer than the lease lets B take the link over.
    const alpha = await startRealm(2, ['--admins', 'ann', '--link-lease-ms', '30000', '--federation', 'tofu']);
    const [a, b] = alpha.processes;
    const ann = await user(a!.port, 'ann');
    const cid = await user(b!.port, 'cid');
    // B has read the realm table (empty) before the addrealm: it must learn of beta without a restart.
    expect(await cid.request('realms')).toMatchObject({status: 'OK', realms: []});
    expect(await ann.request(`addrealm beta 127.0.0.1 ${betaPort}`)).toMatchObject({status: 'OK'});
    // Right after A's OK, with no wait: B finds the realm in the store on a miss.
    expect(await cid.request('sendprivaterealm beta bob from B')).toMatchObject({status: 'OK'});
    expect(await cid.request('getrealminbox beta')).toMatchObject({status: 'OK'});
    expect(await realmEntry(cid, 'beta')).toBeDefined();
    // Only the lease holder (A, which claimed it in addrealm) dials: B waits, the lease keeps its first epoch.
    await waitFor(async () => (await realmEntry(cid, 'beta'))?.state === 'backoff', 10_000, 'B to wait for the lease');
    await waitFor(async () => {
      const reply = await bob.request('inbox');
      return ((reply.messages as Record<string, Array<{msg: string}>>)['cid@alpha'] ?? []).some((m) => m.msg === 'from B');
    }, 20_000, 'the message sent on B to reach beta');
    // One claim only: A's, in addrealm (B waiting means the lease is not B's).
    expect(suite.cluster.psql(alpha.url, "SELECT epoch FROM link_leases WHERE realm = 'beta'")).toBe('1');

    expect(await ann.request('removerealm beta')).toMatchObject({status: 'OK'});
    // B hears of it by the store's hint, without a request to B in between.
    await waitFor(async () => (await realmEntry(cid, 'beta')) === undefined, 5_000, 'B to forget the removed realm');
    expect(await cid.request('sendprivaterealm beta bob gone')).toMatchObject({status: 'ERROR', code: 'REALM_NOT_FOUND'});
  }, 60_000);

  it('answers a long poll waiting on A at once when its session is logged out on B', async () => {
    const [a, b] = (await startRealm(2)).processes;
    const {client: waiter, token} = await registerUser(a!.port, 'alice');
    clients.push(waiter);
    waiter.write('inbox 25\r\n');
    // Give the long poll time to park (nothing is unread: no reply yet).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waiter.pending).toBe(0);
    const onB = await LineClient.connect(b!.port);
    clients.push(onB);
    expect(await onB.request(`logout ${token}`)).toMatchObject({status: 'OK'});
    // 10 s bound: the answer must come from the revocation, not from the 25 s wait running out.
    expect(await waiter.next(10_000)).toMatchObject({status: 'ERROR', code: 'NO_SESSION'});
  }, 30_000);
});
