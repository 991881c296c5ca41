/**
 * Several PostgresStore instances on one database, as several realmchatd processes of one realm: migrations run once,
 * sessions are shared, two drains of one inbox never hand out a message twice, and wake-ups cross instances.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {PG_MIGRATIONS} from '../../daemon/store/postgres/pg-schema.js';
import type {WakeupHint} from '../../daemon/store/wakeups.js';
import {eventually} from '../helpers/eventually.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster;
let url: string;
let stores: PostgresStore[] = [];

const user = (username: string) => ({username, fullName: username, country: 'x', createdAt: 0});

describeIfPostgres('PostgresStore across processes', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    url = cluster.createDatabase();
    // Three processes start at once on a fresh database: each migration must run exactly once.
    stores = await Promise.all([0, 1, 2].map(async () => (await createPostgresTestStore(cluster, {url})).store));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await cluster?.destroy();
  });

  it('ran each migration once although three stores opened at once', () => {
    expect(cluster.psql(url, 'SELECT count(*) FROM schema_migrations')).toBe(String(PG_MIGRATIONS.length));
  });

  it('shares users and sessions: a token issued by one process works on another', async () => {
    const [a, b] = stores as [PostgresStore, PostgresStore];
    const created = a.createUser(user('ann'), 'v');
    const session = a.createSession('token-a', 'ann', 1);
    a.commit();
    await Promise.all([created, session]);
    await a.settled();
    const owner = b.sessionUser('token-a');
    b.commit();
    expect(await owner).toBe('ann');
  });

  it('never hands out one message twice when two processes drain one inbox at once', async () => {
    const [a, b, c] = stores as [PostgresStore, PostgresStore, PostgresStore];
    const total = 400;
    const ids = await Promise.all(Array.from({length: total}, (_, i) =>
      c.storeMessage({sender: 'ben', recipient: 'ann', body: `m${i}`, ts: 1}, ['ann'])));
    c.commit();
    await c.settled();
    const drain = async (store: PostgresStore): Promise<number[]> => {
      const taken: number[] = [];
      for (let empty = 0; empty < 3;) {
        const page = store.takeUnread('ann', {maxMessages: 7, maxBytes: 1 << 20});
        store.commit();
        const {messages} = await page;
        await store.settled();
        if (messages.length === 0) empty++;
        taken.push(...messages.map((message) => message.id));
      }
      return taken;
    };
    const [fromA, fromB] = await Promise.all([drain(a), drain(b)]);
    const both = [...fromA, ...fromB];
    expect(new Set(both).size).toBe(both.length); // no message twice
    expect([...both].sort((x, y) => x - y)).toEqual([...ids].sort((x, y) => x - y)); // and none lost
    expect(fromA.length).toBeGreaterThan(0);
    expect(fromB.length).toBeGreaterThan(0);
  });

  describe('wake-ups', () => {
    it('tells every other process whom a committed batch delivered to, and its own process at once', async () => {
      const [a, b] = stores as [PostgresStore, PostgresStore];
      const atA: WakeupHint[] = [];
      const atB: WakeupHint[] = [];
      const offA = a.wakeups().subscribe((users) => atA.push(users), () => {});
      const offB = b.wakeups().subscribe((users) => atB.push(users), () => {});
      try {
        const sent = a.storeMessage({sender: 'ann', group: 'g', body: 'hello', ts: 1}, ['ben', 'cat']);
        a.commit();
        await sent;
        await a.settled();
        expect(atA).toEqual([['ben', 'cat']]); // after COMMIT, in-process
        await eventually(() => expect(atB).toEqual([['ben', 'cat']])); // through NOTIFY
        expect(atA).toHaveLength(1); // a process ignores its own NOTIFY
      } finally {
        offA();
        offB();
      }
    });

    it('sends no wake-up for a batch that delivered nothing, and "*" for one that delivered to more than 100', async () => {
      const [a, b] = stores as [PostgresStore, PostgresStore];
      const atB: WakeupHint[] = [];
      const off = b.wakeups().subscribe((users) => atB.push(users), () => {});
      try {
        const read = a.getUser('ann');
        a.commit();
        await read;
        await a.settled();
        const many = Array.from({length: 101}, (_, i) => `u${i}`);
        const sent = a.storeMessage({sender: 'ann', group: 'big', body: 'all', ts: 1}, many);
        a.commit();
        await sent;
        await eventually(() => expect(atB).toEqual(['*']));
      } finally {
        off();
      }
    });

    it('sends no wake-up for a batch that rolled back', async () => {
      const [a, b] = stores as [PostgresStore, PostgresStore];
      const atB: WakeupHint[] = [];
      const off = b.wakeups().subscribe((users) => atB.push(users), () => {});
      try {
        const sent = a.storeMessage({sender: 'ann', recipient: 'dan', body: 'never', ts: 1}, ['dan']);
        // A statement that fails (NaN is no bigint) aborts the batch's transaction.
        const failing = a.message(Number.NaN);
        const batch = a.latestBatch();
        a.commit();
        await Promise.allSettled([sent, failing]);
        await expect(batch.done).rejects.toThrow();
        // A later batch that does deliver is the first hint b sees.
        const next = a.storeMessage({sender: 'ann', recipient: 'eve', body: 'later', ts: 1}, ['eve']);
        a.commit();
        await next;
        await eventually(() => expect(atB).toContainEqual(['eve']));
        expect(atB).not.toContainEqual(['dan']);
      } finally {
        off();
      }
    });
  });
});
