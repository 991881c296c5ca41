/**
 * Session lookups on PostgreSQL read on the pool, outside the group commit (they do not wait for the batch before
 * them to commit): this process's own session writes answer from memory until their batch settles. A session made in
 * a batch not yet committed is live here (an `auth` and the request behind it in one pipeline) and not yet elsewhere;
 * a deleted one is gone here at once and everywhere once its batch committed; a rolled-back creation is never live.
 */
import postgres, {type Sql} from 'postgres';
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {connectionTarget} from '../../daemon/store/postgres/pg-url.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster;
let url: string;
let here: PostgresStore;
let elsewhere: PostgresStore;
/** A connection of the test's own that holds the gate: while held, a COMMIT that made a session waits at the gate. */
let gatekeeper: Sql;

const user = (username: string) => ({username, fullName: username, country: 'x', createdAt: 0});

describeIfPostgres('PostgresStore session lookups', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    ({store: here, url} = await createPostgresTestStore(cluster));
    ({store: elsewhere} = await createPostgresTestStore(cluster, {url}));
    await Promise.all(['ann', 'ben'].map((name) => here.createUser(user(name), 'v')));
    await here.settled();
    cluster.psql(url, `
      CREATE FUNCTION session_gate() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER session_gate AFTER INSERT ON sessions DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION session_gate();`);
    const target = connectionTarget(url);
    gatekeeper = postgres(target.url, {host: target.host, max: 1, onnotice: () => {}});
  }, 60_000);

  afterAll(async () => {
    await gatekeeper?.end({timeout: 1});
    await Promise.all([here?.close(), elsewhere?.close()]);
    await cluster?.destroy();
  });

  it('answers a session made in a batch not yet committed here, and elsewhere only once it committed', async () => {
    const gate = await gatekeeper.reserve();
    await gate`SELECT pg_advisory_lock(4242)`;
    const made = here.createSession('tok-fresh', 'ann', 1);
    const batch = here.latestBatch();
    here.commit();
    await made; // the row is in; its COMMIT waits at the gate
    expect(await here.sessionUser('tok-fresh')).toBe('ann');
    expect(await elsewhere.sessionUser('tok-fresh')).toBeUndefined();
    expect(batch.state).toBe('pending');
    await gate`SELECT pg_advisory_unlock(4242)`;
    gate.release();
    await batch.done;
    expect(await elsewhere.sessionUser('tok-fresh')).toBe('ann');
    expect(await here.sessionUser('tok-fresh')).toBe('ann'); // from the database now
  });

  it('ends a session here at once and everywhere once the delete committed', async () => {
    await here.createSession('tok-end', 'ben', 1);
    here.commit();
    await here.settled();
    const deleted = here.deleteSession('tok-end');
    const batch = here.latestBatch();
    await deleted;
    expect(batch.state).toBe('pending');
    expect(await here.sessionUser('tok-end')).toBeUndefined();
    here.commit();
    await batch.done;
    expect(await elsewhere.sessionUser('tok-end')).toBeUndefined();
    expect(await here.sessionUser('tok-end')).toBeUndefined();
  });

  it('never answers a session whose creation found no user, or whose batch rolled back', async () => {
    await here.createSession('tok-nobody', 'nobody', 1);
    expect(await here.sessionUser('tok-nobody')).toBeUndefined();
    here.commit();
    await here.settled();

    const made = here.createSession('tok-rolled', 'ann', 1);
    const failing = here.message(Number.NaN); // not a bigint: aborts the transaction
    const batch = here.latestBatch();
    await made;
    expect(await here.sessionUser('tok-rolled')).toBe('ann'); // pending: live here for now
    here.commit();
    await failing.catch(() => {});
    await expect(batch.done).rejects.toThrow();
    expect(await here.sessionUser('tok-rolled')).toBeUndefined();
    expect(await elsewhere.sessionUser('tok-rolled')).toBeUndefined();
  });
});
