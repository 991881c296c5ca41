/**
 * addrealm on one process of a realm on PostgreSQL keeps the link it has just made (issue 13): it claims the link's
 * lease before it saves the realm, so another process that hears of the new realm from the store finds the lease
 * taken and waits. Before, the record was saved first, and another process could claim the lease in between: the
 * process that ran addrealm then dropped its fresh connection and the other one dialled again (seen on a loaded CI
 * machine). Here A's lease claims are slowed down, which made that interleaving certain.
 */
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import type {Store} from '../../daemon/store/types.js';
import type {TestDaemon} from '../helpers/daemon.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';
import {newKey, realmEntry, startRealm, user, waitFor, type TestUser} from '../federation/helpers.js';

/** `store` with its lease claims answered `delayMs` late, as from a slow pool connection (everything else as is). */
function slowLeaseClaims(store: PostgresStore, delayMs: number): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'claimLinkLease') {
        return async (...args: Parameters<PostgresStore['claimLinkLease']>) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          return target.claimLinkLease(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the store itself: its methods use private fields, which a proxy as `this` does not have.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

let cluster: PgCluster | undefined;
const daemons: TestDaemon[] = [];
const users: TestUser[] = [];

describeIfPostgres('addrealm on one process of a realm on PostgreSQL', () => {
  let a: TestDaemon;
  let b: TestDaemon;
  let beta: TestDaemon;

  beforeAll(async () => {
    cluster = await PgCluster.create();
    const {store: storeA, url} = await createPostgresTestStore(cluster, {realm: 'alpha'});
    const {store: storeB} = await createPostgresTestStore(cluster, {realm: 'alpha', url});
    const identity = newKey(); // one realm: both processes have its key
    a = await startRealm('alpha', {identity, wrapStore: (sqlite) => { void sqlite.close(); return slowLeaseClaims(storeA, 300); }});
    b = await startRealm('alpha', {identity, wrapStore: (sqlite) => { void sqlite.close(); return storeB; }});
    beta = await startRealm('beta');
    daemons.push(a, b, beta);
  }, 60_000);

  afterAll(async () => {
    for (const u of users) u.client.close();
    await Promise.all(daemons.map((daemon) => daemon.cleanup()));
    await cluster?.destroy();
  }, 60_000);

  it('keeps the connection it made: it holds the lease, and the other process waits for it', async () => {
    const ann = await user(a.port, 'ann');
    const cid = await user(b.port, 'cid');
    const bob = await user(beta.port, 'bob');
    users.push(ann, cid, bob);
    expect(await ann.client.request(`addrealm beta 127.0.0.1 ${beta.port}`)).toMatchObject({status: 'OK'});
    // A dialled and kept its connection (without the lease it would have closed it and waited).
    expect(await realmEntry(ann.client, 'beta')).toMatchObject({state: 'ready', direction: 'outbound'});
    // B heard of the realm from the store, and waits: the lease is A's.
    await waitFor(async () => (await realmEntry(cid.client, 'beta')) !== undefined, 10_000, 'B to hear of beta');
    expect(await realmEntry(cid.client, 'beta')).toMatchObject({state: 'backoff'});
    // B's own claims (every ttl/3) keep failing while A renews: it still waits a lease period later.
    await new Promise((resolve) => setTimeout(resolve, 3_500)); // longer than the 3 s lease
    expect(await realmEntry(cid.client, 'beta')).toMatchObject({state: 'backoff'});
    expect(await realmEntry(ann.client, 'beta')).toMatchObject({state: 'ready'});
    // And the link works: a message sent on B goes out through A's link.
    expect(await cid.client.request('sendprivaterealm beta bob through A')).toMatchObject({status: 'OK'});
    await waitFor(async () => {
      const reply = await bob.client.request('inbox');
      return ((reply.messages as Record<string, Array<{msg: string}>>)['cid@alpha'] ?? []).some((m) => m.msg === 'through A');
    }, 20_000, 'the message sent on B to reach beta');
  }, 60_000);
});
