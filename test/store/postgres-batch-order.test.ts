/**
 * CommitBatch ordering on PostgreSQL: a connection keeps a reply with the batch current when its handler *finishes*,
 * which may be a later batch than the one its writes went into. So a batch that fails on its own makes every batch
 * opened while it was pending report that failure too (no false OK), while a batch opened after it settled commits
 * as usual. Real pipeline, real PostgreSQL: the failure is a deferred unique constraint checked at COMMIT.
 */
import postgres, {type Sql} from 'postgres';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {GroupCommitPipeline} from '../../daemon/store/postgres/pg-pipeline.js';
import {connectionTarget} from '../../daemon/store/postgres/pg-url.js';
import {PgCluster, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster;
let url: string;
let sql: Sql;

describeIfPostgres('GroupCommitPipeline: a failed batch and the batches opened while it was pending', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    url = cluster.createDatabase();
    cluster.psql(url, 'CREATE TABLE t (k int, CONSTRAINT t_k UNIQUE (k) DEFERRABLE INITIALLY DEFERRED)');
    const target = connectionTarget(url);
    sql = postgres(target.url, {host: target.host, max: 1, onnotice: () => {}});
  }, 60_000);

  afterAll(async () => {
    await sql?.end({timeout: 1});
    await cluster?.destroy();
  });

  it('reports the failure on the next batch (its rows are in), and not on one opened after the failure settled', async () => {
    const pipeline = new GroupCommitPipeline({connect: () => sql.reserve()});
    await pipeline.start();
    const insert = (k: number) => pipeline.run((conn) => conn`INSERT INTO t VALUES (${k})`.then(() => undefined));

    // Batch N: a duplicate key, refused only at COMMIT.
    const n1 = insert(1);
    const n2 = insert(1);
    const batchN = pipeline.latestBatch();
    pipeline.commit();
    await Promise.all([n1, n2]); // both statements answered OK: only COMMIT will fail
    // Batch N+1 opens while N is pending (a request whose write went into N may have its reply here).
    const next = insert(2);
    const batchNext = pipeline.latestBatch();
    expect(batchNext).not.toBe(batchN);
    expect(batchN.state).toBe('pending');
    pipeline.commit();
    await next;
    await expect(batchN.done).rejects.toThrow();
    await expect(batchNext.done).rejects.toThrow();
    expect(batchNext.error).toBe(batchN.error);
    // N+1's own transaction did commit: it only reports N's failure.
    expect(cluster.psql(url, 'SELECT string_agg(k::text, \',\' ORDER BY k) FROM t')).toBe('2');

    // A batch opened once N had settled commits as usual: one failure does not fail every batch after it.
    const later = insert(3);
    const batchLater = pipeline.latestBatch();
    pipeline.commit();
    await later;
    await batchLater.done;
    expect(batchLater.state).toBe('committed');
    (await pipeline.close())?.release();
  });
});
