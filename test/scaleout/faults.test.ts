/**
 * Faults of a realm served by two realmchatd processes on one PostgreSQL database: kill -9 of one process under
 * load, and PostgreSQL stopped (`pg_ctl stop -m immediate`) and started again under load. Nothing acknowledged OK is
 * lost; while the database is down every reply is OK (committed before) or UNAVAILABLE; the daemons keep their client
 * connections and serve again without a restart; a canary on the surviving process is served throughout.
 */
import {expect, it} from 'vitest';
import {Canary} from '../helpers/canary.js';
import {LineClient, registerUser} from '../helpers/daemon.js';
import {describeIfPostgres} from '../helpers/pg-cluster.js';
import {Realm, realmSuite} from './processes.js';

/** A client sending numbered messages back to back on one connection, keeping every reply. */
class Sender {
  readonly ok: string[] = [];
  readonly codes = new Map<string, number>();
  #stopped = false;
  readonly #running: Promise<void>;

  constructor(readonly client: LineClient, readonly name: string, to: string) {
    this.#running = (async () => {
      for (let i = 0; !this.#stopped; i++) {
        const text = `${name}-${i}`;
        let reply;
        try {
          reply = await client.request(`send ${to} ${text}`);
        } catch {
          return; // the process went (kill -9): no reply, so no claim either way
        }
        const code = reply.status === 'OK' ? 'OK' : String(reply.code);
        this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
        if (reply.status === 'OK') this.ok.push(text);
        else await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
  }

  /** Resolves once `count` more OKs came. */
  async okCount(count: number, ms = 30_000): Promise<void> {
    const target = this.ok.length + count;
    const deadline = Date.now() + ms;
    while (this.ok.length < target) {
      if (Date.now() > deadline) throw new Error(`${this.name}: no ${count} OKs in ${ms} ms (${JSON.stringify([...this.codes])})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }
}

describeIfPostgres('faults of a realm on several processes', () => {
  const suite = realmSuite();
  const {realms, closers} = suite;


  const stored = (realm: Realm): Set<string> =>
    new Set(suite.cluster.psql(realm.url, 'SELECT body FROM messages').split('\n').filter((line) => line !== ''));

  it('keeps every message acknowledged by a process killed with -9, and the other process serves on', async () => {
    const realm = await Realm.start(suite.cluster, 2);
    realms.push(realm);
    const [a, b] = realm.processes;
    await registerUser(b!.port, 'target').then(({client}) => closers.push(client));
    const canary = await Canary.register(b!.port);
    closers.push(canary);
    const senders = await Promise.all([1, 2, 3].map(async (i) => {
      const {client} = await registerUser(a!.port, `s${i}`);
      closers.push(client);
      return new Sender(client, `s${i}`, 'target');
    }));
    await Promise.all(senders.map((sender) => sender.okCount(30)));
    await canary.isServed('before the kill');
    a!.child.kill('SIGKILL');
    await a!.exited;
    await Promise.all(senders.map((sender) => sender.stop()));
    await canary.isServed('after the kill');

    const inDatabase = stored(realm);
    const acknowledged = senders.flatMap((sender) => sender.ok);
    expect(acknowledged.length).toBeGreaterThan(90);
    expect(acknowledged.filter((text) => !inDatabase.has(text))).toEqual([]);
    await canary.assertNothingLost();
  }, 90_000);

  it('answers UNAVAILABLE while PostgreSQL is down, keeps its connections and serves again once it is back', async () => {
    const realm = await Realm.start(suite.cluster, 2);
    realms.push(realm);
    const [a, b] = realm.processes;
    await registerUser(a!.port, 'target').then(({client}) => closers.push(client));
    const senders = await Promise.all([a!, b!].map(async (process, i) => {
      const {client} = await registerUser(process.port, `p${i}`);
      closers.push(client);
      return new Sender(client, `p${i}`, 'target');
    }));
    await Promise.all(senders.map((sender) => sender.okCount(20)));
    suite.cluster.stopImmediate();
    // Down: requests are answered (UNAVAILABLE), not left hanging.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const unavailable = senders.map((sender) => sender.codes.get('UNAVAILABLE') ?? 0);
    suite.cluster.start();
    // The same connections serve again: no daemon restart, no reconnect by the clients.
    await Promise.all(senders.map((sender) => sender.okCount(20)));
    await Promise.all(senders.map((sender) => sender.stop()));

    for (const [i, sender] of senders.entries()) {
      expect(unavailable[i], `${sender.name} saw UNAVAILABLE while the database was down`).toBeGreaterThan(0);
      expect([...sender.codes.keys()].filter((code) => code !== 'OK' && code !== 'UNAVAILABLE')).toEqual([]);
    }
    const inDatabase = stored(realm);
    const acknowledged = senders.flatMap((sender) => sender.ok);
    expect(acknowledged.filter((text) => !inDatabase.has(text))).toEqual([]);
    for (const process of realm.processes) expect(process.child.exitCode).toBeNull();
  }, 90_000);
});
