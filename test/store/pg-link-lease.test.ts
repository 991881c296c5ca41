/**
 * Link leases on PostgreSQL (issue 13, federation with N processes): two stores on one database stand for two
 * processes of one realm. A lease is held by one owner at a time, every claim raises the epoch, and a completion
 * under a stale epoch changes nothing (fencing). SQLite holds every lease.
 */
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';
import {eventually} from '../helpers/eventually.js';

let cluster: PgCluster;
let one: PostgresStore;
let two: PostgresStore;

/** Runs `work` as one turn of `store`: its operations, then the commit the daemon makes at the end of a turn. */
async function turn<T>(store: PostgresStore, work: () => Promise<T>): Promise<T> {
  const result = work();
  store.commit();
  await store.settled().catch(() => {});
  return result;
}

const copy = {sender: 'ann', recipient: 'zed', recipientRealm: 'beta', body: 'to beta', ts: 3};

describeIfPostgres('PostgreSQL link leases', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    let url: string;
    ({store: one, url} = await createPostgresTestStore(cluster));
    ({store: two} = await createPostgresTestStore(cluster, {url}));
  }, 60_000);

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await cluster?.destroy();
  });

  it('is held by one owner at a time; a renewal keeps the epoch, a takeover after expiry raises it', async () => {
    const first = await one.claimLinkLease('gamma', 'one', 60_000);
    expect(first).toBe(1);
    expect(await two.claimLinkLease('GAMMA', 'two', 60_000)).toBeNull();
    expect(await one.renewLinkLease('gamma', {owner: 'one', epoch: 1}, 60_000)).toBe(true);
    expect(await two.renewLinkLease('gamma', {owner: 'two', epoch: 1}, 60_000)).toBe(false);
    // Released: the other takes it at once, with a new epoch; the old holder can no longer renew.
    await one.releaseLinkLease('gamma', {owner: 'one', epoch: 1});
    expect(await two.claimLinkLease('gamma', 'two', 60_000)).toBe(2);
    expect(await one.renewLinkLease('gamma', {owner: 'one', epoch: 1}, 60_000)).toBe(false);
    // Expiry without release: a 1 ms lease is free again very soon.
    expect(await two.claimLinkLease('gamma', 'two', 1)).toBe(3);
    await eventually(async () => expect(await one.claimLinkLease('gamma', 'one', 60_000)).toBe(4));
  });

  it('applies no completion under a stale epoch: the rows stay for the new holder, whose completion applies', async () => {
    expect(await one.claimLinkLease('beta', 'one', 60_000)).toBe(1);
    const first = await turn(one, () => one.enqueueOutbox('beta', '{"n":1}', [copy], 3));
    const second = await turn(two, () => two.enqueueOutbox('beta', '{"n":2}', [copy], 4));
    await one.releaseLinkLease('beta', {owner: 'one', epoch: 1});
    expect(await two.claimLinkLease('beta', 'two', 60_000)).toBe(2);

    const stale = await turn(one, () => one.completeOutbox({
      realm: 'beta', upto: second.seq, dropMessageIds: first.localIds, lease: {owner: 'one', epoch: 1},
      notices: [{message: {sender: 'beta', body: 'stale notice', ts: 5}, recipients: ['ann']}],
    }));
    expect(stale).toBe(false);
    expect(await two.outboxStats('beta')).toEqual({count: 2, lastSeq: second.seq});
    expect(await two.message(first.localIds[0]!)).toBeDefined();
    expect(await two.unread('ann', {maxMessages: 10, maxBytes: 1 << 20})).toMatchObject({messages: []});

    const current = await turn(two, () => two.completeOutbox({
      realm: 'beta', upto: first.seq, dropMessageIds: [], notices: [], lease: {owner: 'two', epoch: 2},
    }));
    expect(current).toBe(true);
    await two.settled();
    expect(await one.outboxPage('beta', 0, second.seq, 10)).toEqual([second]);
  });

  it('orders one realm\'s outbox rows across processes: a row is visible only after every lower seq', async () => {
    // Both processes enqueue in the same instant; whatever seq each gets, reading up to the highest seen returns
    // every row below it (the outbox lock makes seqs of one realm commit in order).
    const rows = await Promise.all([
      turn(one, () => one.enqueueOutbox('delta', '{"n":1}', [copy], 6)),
      turn(two, () => two.enqueueOutbox('delta', '{"n":2}', [copy], 6)),
      turn(one, () => one.enqueueOutbox('delta', '{"n":3}', [copy], 6)),
    ]);
    const top = Math.max(...rows.map((row) => row.seq));
    expect((await two.outboxPage('delta', 0, top, 10)).map((row) => row.seq)).toEqual(rows.map((row) => row.seq).sort((a, b) => a - b));
  });
});

it('SQLite: one process owns the file, so every lease is held and completions need none', () => {
  const store = new SqliteStore({file: ':memory:'});
  expect(store.sharedLinks).toBe(false);
  expect(store.claimLinkLease()).toBe(1);
  expect(store.renewLinkLease()).toBe(true);
  void store.close();
});
