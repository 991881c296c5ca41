/**
 * Federation from a realm served by two realmchatd processes on one PostgreSQL (issue 13): exactly one process holds
 * the link lease to beta and sends; the other takes the link over when the holder is killed with -9. Under a load of
 * sendprivaterealm from clients on both processes, every acknowledged message reaches beta exactly once, and each
 * sender's messages arrive in the order it sent them.
 */
import type {ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {REALMCHATD_BIN, startRealmchatd} from '../../bench/realmchatd-process.js';
import {registerUser, type LineClient} from '../helpers/daemon.js';
import {describeIfPostgres, PgCluster} from '../helpers/pg-cluster.js';
import {realmEntry, waitFor} from '../federation/helpers.js';

/** Sends numbered messages to bob@beta back to back on one connection; keeps the texts acknowledged OK, in order. */
class Sender {
  readonly ok: string[] = [];
  readonly refused: string[] = [];
  #stopped = false;
  readonly done: Promise<void>;

  constructor(readonly client: LineClient, readonly name: string, limit: number) {
    this.done = (async () => {
      for (let i = 0; i < limit && !this.#stopped; i++) {
        const text = `${name} ${i}`;
        let reply;
        try {
          reply = await client.request(`sendprivaterealm beta bob ${text}`);
        } catch {
          return; // its process was killed: no reply, so no promise either way
        }
        if (reply.status === 'OK') this.ok.push(text);
        else this.refused.push(`${text}: ${String(reply.code)}`);
      }
    })();
  }

  stop(): Promise<void> {
    this.#stopped = true;
    return this.done;
  }
}

describeIfPostgres('federation with two processes of one realm: the link lease', () => {
  let cluster: PgCluster;
  const children = new Set<ChildProcess>();
  const dirs: string[] = [];
  const clients: LineClient[] = [];

  beforeAll(async () => {
    if (!existsSync(REALMCHATD_BIN)) throw new Error('dist/daemon/cli.js is missing: run `npm run build` first');
    cluster = await PgCluster.create();
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    for (const child of children) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true});
    await cluster?.destroy();
  });

  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'realmchat-lease-'));
    dirs.push(dir);
    return dir;
  };
  const start = async (args: string[]) => {
    const daemon = await startRealmchatd([...args, '--port', '0', '--demo-users', '--send-rate', 'off', '--log-level', 'warn']);
    children.add(daemon.child);
    return daemon;
  };
  const user = async (port: number, name: string) => {
    const {client} = await registerUser(port, name);
    clients.push(client);
    return client;
  };

  it('moves the link to the surviving process after kill -9 of the holder; every acknowledged message arrives once, in order', async () => {
    const url = cluster.createDatabase();
    const alphaData = tempDir(); // the realm key, shared by both processes
    const beta = await start(['--realm', 'beta', '--data', tempDir()]);
    // The default lease (3 s): a shorter one lets a holder stalled on a loaded machine lose the link before the kill.
    const alphaArgs = ['--realm', 'alpha', '--data', alphaData, '--store', url, '--link-lease-ms', '3000'];
    const first = await start(alphaArgs);
    const ann = await user(first.port, 'ann');
    // addrealm on the first process: it claims the lease and dials; the second loads the link and waits for the lease.
    expect(await ann.request(`addrealm beta 127.0.0.1 ${beta.port}`)).toMatchObject({status: 'OK'});
    const second = await start(alphaArgs);
    const cid = await user(second.port, 'cid');
    const dee = await user(second.port, 'dee');
    const bob = await user(beta.port, 'bob');
    await waitFor(async () => (await realmEntry(cid, 'beta'))?.state === 'backoff', 10_000, 'the second process to wait for the lease');
    expect(cluster.psql(url, "SELECT epoch FROM link_leases WHERE realm = 'beta'")).toBe('1');

    const perSender = 100;
    const senders = [new Sender(ann, 'ann', perSender), new Sender(cid, 'cid', perSender), new Sender(dee, 'dee', perSender)];
    await waitFor(() => senders.every((sender) => sender.ok.length >= 25), 30_000, 'the load to get going');
    first.child.kill('SIGKILL');
    await first.exited;
    await senders[0]!.done;
    // The second process takes the link over once the dead holder's lease runs out, and sends everything queued.
    await waitFor(async () => (await realmEntry(cid, 'beta'))?.state === 'ready', 30_000, 'the second process to take the link over');
    await Promise.all(senders.map((sender) => sender.done));
    await waitFor(async () => (await realmEntry(cid, 'beta'))?.queued === 0, 30_000, 'the outbox to drain');
    expect(Number(cluster.psql(url, "SELECT epoch FROM link_leases WHERE realm = 'beta'"))).toBeGreaterThanOrEqual(2);

    const received: Array<[string, string]> = [];
    for (;;) {
      const reply = await bob.request('inbox');
      for (const [from, messages] of Object.entries(reply.messages as Record<string, Array<{msg: string}>>)) {
        for (const message of messages) received.push([from, message.msg]);
      }
      if (!reply.more) break;
    }
    const texts = received.map(([, text]) => text);
    expect(new Set(texts).size).toBe(texts.length); // exactly once
    for (const sender of senders) {
      expect(sender.refused).toEqual([]);
      const arrived = received.filter(([from]) => from === `${sender.name}@alpha`).map(([, text]) => text);
      // Every acknowledged message, in the order sent; the one in flight when its process died may follow.
      expect(arrived.slice(0, sender.ok.length)).toEqual(sender.ok);
      expect(arrived.length - sender.ok.length).toBeLessThanOrEqual(1);
    }
    // The load ran on both processes, and the surviving senders went on after the kill.
    expect(senders[1]!.ok).toHaveLength(perSender);
    expect(senders[2]!.ok).toHaveLength(perSender);
  }, 120_000);
});
