/**
 * A realm linked on one process of a realm on PostgreSQL stays with that process (issue 13): by addrealm there, or
 * by the other realm dialling it. That process claims the link's lease before it saves the realm, so another process
 * that hears of the new realm from the store finds the lease taken and waits. Before, the record was saved first,
 * and another process could claim the lease in between: the first process then dropped the connection it had just
 * made or accepted (seen on a loaded CI machine for addrealm). Here A's lease claims are slowed down, which makes
 * that interleaving certain.
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

/** Two processes of realm alpha on a fresh database: A's lease claims slowed by 300 ms, B's as they are. */
async function startAlpha(): Promise<{a: TestDaemon; b: TestDaemon}> {
  const {store: storeA, url} = await createPostgresTestStore(cluster!, {realm: 'alpha'});
  const {store: storeB} = await createPostgresTestStore(cluster!, {realm: 'alpha', url});
  const identity = newKey(); // one realm: both processes have its key
  const a = await startRealm('alpha', {identity, wrapStore: (sqlite) => { void sqlite.close(); return slowLeaseClaims(storeA, 300); }});
  const b = await startRealm('alpha', {identity, wrapStore: (sqlite) => { void sqlite.close(); return storeB; }});
  daemons.push(a, b);
  return {a, b};
}

async function userOn(daemon: TestDaemon, name: string): Promise<TestUser> {
  const created = await user(daemon.port, name);
  users.push(created);
  return created;
}

/** Alpha's two processes with a user each (ann on A, cid on B), and realm beta with bob, not linked yet. */
async function setUp() {
  const {a, b} = await startAlpha();
  const beta = await startRealm('beta');
  daemons.push(beta);
  return {a, beta, ann: await userOn(a, 'ann'), cid: await userOn(b, 'cid'), bob: await userOn(beta, 'bob')};
}

/** B heard of beta from the store and waits for the lease, still a whole lease period later; A keeps its link. */
async function onlyAHoldsTheLink(ann: TestUser, cid: TestUser): Promise<void> {
  await waitFor(async () => (await realmEntry(cid.client, 'beta')) !== undefined, 10_000, 'B to hear of beta');
  expect(await realmEntry(cid.client, 'beta')).toMatchObject({state: 'backoff'});
  await new Promise((resolve) => setTimeout(resolve, 3_500)); // longer than the 3 s lease
  expect(await realmEntry(cid.client, 'beta')).toMatchObject({state: 'backoff'});
  expect(await realmEntry(ann.client, 'beta')).toMatchObject({state: 'ready'});
}

/** A message sent on B goes out through A's link. */
async function sendsThroughA(cid: TestUser, bob: TestUser): Promise<void> {
  expect(await cid.client.request('sendprivaterealm beta bob through A')).toMatchObject({status: 'OK'});
  await waitFor(async () => {
    const reply = await bob.client.request('inbox');
    return ((reply.messages as Record<string, Array<{msg: string}>>)['cid@alpha'] ?? []).some((m) => m.msg === 'through A');
  }, 20_000, 'the message sent on B to reach beta');
}

describeIfPostgres('a realm linked on one process of a realm on PostgreSQL', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
  }, 60_000);

  afterAll(async () => {
    for (const u of users) u.client.close();
    await Promise.all(daemons.map((daemon) => daemon.cleanup()));
    await cluster?.destroy();
  }, 60_000);

  it('with addrealm there: that process keeps the connection it made, and the other waits for the lease', async () => {
    const {beta, ann, cid, bob} = await setUp();
    expect(await ann.client.request(`addrealm beta 127.0.0.1 ${beta.port}`)).toMatchObject({status: 'OK'});
    // A dialled and kept its connection (without the lease it would have closed it and waited).
    expect(await realmEntry(ann.client, 'beta')).toMatchObject({state: 'ready', direction: 'outbound'});
    await onlyAHoldsTheLink(ann, cid);
    await sendsThroughA(cid, bob);
  }, 60_000);

  it('by the other realm dialling that process: it keeps the connection it accepted, and the other waits', async () => {
    const {a, ann, cid, bob} = await setUp();
    expect(await bob.client.request(`addrealm alpha 127.0.0.1 ${a.port}`)).toMatchObject({status: 'OK'});
    // A accepted beta's link and keeps it (without the lease it would have closed it, and refused every redial).
    await waitFor(async () => (await realmEntry(ann.client, 'beta'))?.state === 'ready', 10_000, 'A to list beta ready');
    expect(await realmEntry(ann.client, 'beta')).toMatchObject({direction: 'inbound'});
    await onlyAHoldsTheLink(ann, cid);
    await sendsThroughA(cid, bob);
  }, 60_000);
});
