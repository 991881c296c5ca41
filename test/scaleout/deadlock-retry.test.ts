/**
 * A deadlock between two processes' batches (issue 13): PostgreSQL aborts one transaction with 40P01, and the
 * pipeline runs that batch again before anything is reported, so both batches commit and every operation resolves.
 * A retry that would hand a caller other data than its first run gave it fails the batch instead. Real pipelines,
 * each on its own connection, as two realmchatd processes; the two batches lock two rows in opposite orders. Then
 * two stores whose batches queue messages for two peer realms in opposite orders (the outbox locks).
 */
import postgres, {type Sql} from 'postgres';
import {afterAll, beforeAll, beforeEach, expect, it} from 'vitest';
import {GroupCommitPipeline, type Connection} from '../../daemon/store/postgres/pg-pipeline.js';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {connectionTarget} from '../../daemon/store/postgres/pg-url.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster;
let url: string;
const pools: Sql[] = [];

/** A pipeline on a connection of its own (another process, as far as PostgreSQL can tell). */
async function pipeline(): Promise<GroupCommitPipeline> {
  const target = connectionTarget(url);
  const sql = postgres(target.url, {host: target.host, max: 1, onnotice: () => {}});
  pools.push(sql);
  const made = new GroupCommitPipeline({connect: () => sql.reserve()});
  await made.start();
  return made;
}

/**
 * One batch that locks row `first`, reads (`read`, given the other row), waits long enough for the other batch to lock
 * its first row, then locks `second`. Every operation is one statement, answered before the deadlock.
 */
function crossingBatch(pipe: GroupCommitPipeline, first: number, second: number, read: (conn: Connection, other: number) => Promise<unknown>) {
  const ops = [
    pipe.run((conn) => conn`UPDATE t SET v = v + 1 WHERE id = ${first}`.then(() => 'first')),
    pipe.run((conn) => read(conn, second)),
    pipe.run((conn) => conn`SELECT pg_sleep(0.3)`.then(() => 'slept')),
    pipe.run((conn) => conn`UPDATE t SET v = v + 1 WHERE id = ${second}`.then(() => 'second')),
  ];
  const batch = pipe.currentBatch();
  pipe.commit();
  return {ops: Promise.allSettled(ops), done: batch.done.then(() => 'committed', (error: unknown) => error)};
}

/**
 * Runs one more batch and waits for it: a failed batch's ROLLBACK goes out without being awaited, and the next batch
 * goes behind it. (The checks below run psql synchronously: the ROLLBACK must be on the wire before they block.)
 */
async function goesOn(pipe: GroupCommitPipeline): Promise<unknown> {
  const one = pipe.run((conn) => conn`SELECT 1 AS one`.then((rows) => rows[0]!.one as number));
  pipe.commit();
  return one;
}

describeIfPostgres('GroupCommitPipeline: a batch a deadlock aborted runs again', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    url = cluster.createDatabase();
    cluster.psql(url, 'CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL)');
  }, 60_000);

  beforeEach(() => {
    cluster.psql(url, 'TRUNCATE t; INSERT INTO t VALUES (1, 0), (2, 0)');
  });

  afterAll(async () => {
    await Promise.all(pools.map((sql) => sql.end({timeout: 1})));
    await cluster?.destroy();
  });

  it('commits both batches of a deadlock, each operation once, and no caller sees the conflict', async () => {
    const [a, b] = [await pipeline(), await pipeline()];
    const constant = () => Promise.resolve('read');
    const onA = crossingBatch(a, 1, 2, constant);
    const onB = crossingBatch(b, 2, 1, constant);
    expect(await onA.done).toBe('committed');
    expect(await onB.done).toBe('committed');
    expect([await goesOn(a), await goesOn(b)]).toEqual([1, 1]);
    for (const ops of [await onA.ops, await onB.ops]) {
      expect(ops).toEqual([
        {status: 'fulfilled', value: 'first'}, {status: 'fulfilled', value: 'read'}, {status: 'fulfilled', value: 'slept'},
        {status: 'fulfilled', value: 'second'},
      ]);
    }
    // Each batch's updates happened once: the aborted run left nothing behind.
    expect(cluster.psql(url, 'SELECT string_agg(v::text, \',\' ORDER BY id) FROM t')).toBe('2,2');
  }, 30_000);

  it('fails the batch rather than give a caller data its first run did not', async () => {
    const [a, b] = [await pipeline(), await pipeline()];
    // The read is of the row the other batch changes: run again after the other committed, it reads another value.
    const readBoth = (conn: Connection, other: number) =>
      conn`SELECT v FROM t WHERE id = ${other}`.then((rows) => rows[0]!.v as number);
    const onA = crossingBatch(a, 1, 2, readBoth);
    const onB = crossingBatch(b, 2, 1, readBoth);
    const outcomes = [await onA.done, await onB.done];
    // Both go on: the failed one rolled back.
    expect([await goesOn(a), await goesOn(b)]).toEqual([1, 1]);
    // The winner commits; the victim's retry reads what the winner wrote, so it fails: nothing of it is applied.
    expect(outcomes.filter((outcome) => outcome === 'committed')).toHaveLength(1);
    const failed = outcomes.find((outcome) => outcome !== 'committed') as Error;
    expect(failed.message).toMatch(/other data/);
    expect(cluster.psql(url, 'SELECT string_agg(v::text, \',\' ORDER BY id) FROM t')).toBe('1,1');
  }, 30_000);

  it('commits two stores\' batches that queue for two realms in opposite orders, with seqs in order per realm', async () => {
    const storeUrl = cluster.createDatabase();
    const open = async () => (await createPostgresTestStore(cluster, {url: storeUrl})).store;
    const [a, b]: PostgresStore[] = [await open(), await open()];
    const target = connectionTarget(storeUrl);
    const holder = postgres(target.url, {host: target.host, max: 1, onnotice: () => {}});
    pools.push(holder);
    try {
      // A third session holds both realms' outbox locks; both batches queue behind it, each on its first realm, and
      // when it lets go each holds one lock and wants the other's.
      const held = holder.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(hashtext('realmchat outbox beta'))`;
        await tx`SELECT pg_advisory_xact_lock(hashtext('realmchat outbox gamma'))`;
        await tx`SELECT pg_sleep(0.4)`;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const copy = (realm: string) => ({sender: 'ann', recipient: 'bob', recipientRealm: realm, body: `to ${realm}`, ts: 1});
      const queue = (store: PostgresStore, realms: string[]) => {
        const records = realms.map((realm) => store.enqueueOutbox(realm, `{"to":"${realm}"}`, [copy(realm)], 1));
        const batch = store.currentBatch();
        store.commit();
        return {records: Promise.all(records), done: batch.done.then(() => 'committed', (error: unknown) => error)};
      };
      const onA = queue(a!, ['beta', 'gamma']);
      const onB = queue(b!, ['gamma', 'beta']);
      await held;
      expect([await onA.done, await onB.done]).toEqual(['committed', 'committed']);
      const records = [...await onA.records, ...await onB.records];
      // Each record names the row that committed (a retried batch drew new seqs and ids and wrote them in).
      for (const record of records) {
        expect(cluster.psql(storeUrl, `SELECT realm || ' ' || local_ids::text FROM outbox WHERE seq = ${record.seq}`))
          .toBe(`${record.realm} {${record.localIds.join(',')}}`);
        expect(cluster.psql(storeUrl, `SELECT recipient_realm FROM messages WHERE id = ${record.localIds[0]}`)).toBe(record.realm);
      }
      expect(cluster.psql(storeUrl, 'SELECT count(*) FROM outbox')).toBe('4');
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  }, 30_000);
});
