/**
 * Group commit on PostgreSQL: the operations of a turn share one transaction, in issue order, a batch is done only
 * after its COMMIT returned, and a batch whose statement failed rolls back whole.
 */
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster;
let store: PostgresStore;
let url: string;

const user = (username: string) => ({username, fullName: username, country: 'x', createdAt: 0});
const count = (sql: string) => Number(cluster.psql(url, sql));

describeIfPostgres('PostgresStore group commit', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    ({store, url} = await createPostgresTestStore(cluster));
    await Promise.all(['ann', 'ben', 'victim'].map((name) => store.createUser(user(name), 'v')));
    store.commit();
    await store.settled();
    // Fault injection: a delivery to "victim" fails as a broken disk would make it fail, after its message row is in.
    cluster.psql(url, `
      CREATE FUNCTION fail_delivery() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
      CREATE TRIGGER fail_delivery BEFORE INSERT ON unread FOR EACH ROW WHEN (NEW.recipient = 'victim')
        EXECUTE FUNCTION fail_delivery();`);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await cluster?.destroy();
  });

  it('runs the operations of a turn in one transaction, visible to others only once done resolves', async () => {
    expect(store.latestBatch().state).toBe('committed'); // nothing open
    const writes = [1, 2, 3].map((i) => store.storeMessage({sender: 'ann', recipient: 'ben', body: `turn-${i}`, ts: 1}, ['ben']));
    const batch = store.latestBatch();
    expect(batch.state).toBe('pending');
    store.createSession('tok-turn', 'ann', 1);
    expect(store.latestBatch()).toBe(batch);
    store.commit();
    await Promise.all(writes);
    let seenAtDone = -1;
    await batch.done.then(() => { seenAtDone = count("SELECT count(*) FROM messages WHERE body LIKE 'turn-%'"); });
    expect(batch.state).toBe('committed');
    expect(seenAtDone).toBe(3);
    // One transaction wrote them all (and the session).
    expect(count(`SELECT count(DISTINCT xmin::text) FROM (SELECT xmin FROM messages WHERE body LIKE 'turn-%'
                  UNION ALL SELECT xmin FROM sessions) AS rows`)).toBe(1);
  });

  it('keeps a pipelined read behind the writes before it: a register and its login in one turn', async () => {
    const created = store.createUser(user('newcomer'), 'verifier');
    const session = store.createSession('tok-new', 'newcomer', 1);
    const profile = store.getUser('newcomer');
    const owner = store.sessionUser('tok-new');
    store.commit();
    expect(await created).toBe(true);
    await session;
    expect(await profile).toMatchObject({username: 'newcomer'});
    expect(await owner).toBe('newcomer');
  });

  it('commits batches in order: the next batch starts behind the previous COMMIT', async () => {
    const order: string[] = [];
    const first = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'order-1', ts: 1}, ['ben']);
    const firstBatch = store.latestBatch();
    store.commit();
    const second = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'order-2', ts: 1}, ['ben']);
    const secondBatch = store.latestBatch();
    expect(secondBatch).not.toBe(firstBatch);
    store.commit();
    void firstBatch.done.then(() => order.push('first'));
    void secondBatch.done.then(() => order.push('second'));
    await secondBatch.done;
    expect(order).toEqual(['first', 'second']);
    expect(await second).toBeGreaterThan(await first);
  });

  it('rolls the whole batch back when a statement fails; none of its writes happen and the next batch goes on', async () => {
    const kept = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'rolled-back', ts: 1}, ['ben']);
    const failing = store.storeMessage({sender: 'ann', recipient: 'victim', body: 'x', ts: 1}, ['victim']);
    const after = store.createUser(user('ghost'), 'v');
    const batch = store.latestBatch();
    store.commit();
    await expect(failing).rejects.toThrow('injected failure');
    await expect(batch.done).rejects.toThrow('injected failure');
    expect(batch.state).toBe('failed');
    await kept; // answered before the failure, but rolled back with it
    await after.catch(() => {}); // the transaction was aborted under it
    expect(count("SELECT count(*) FROM messages WHERE body IN ('rolled-back', 'x')")).toBe(0);
    expect(count("SELECT count(*) FROM users WHERE username = 'ghost'")).toBe(0);
    expect(await store.getUser('ghost')).toBeUndefined();
    store.commit();
    // The store goes on with a new batch.
    const next = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'after-failure', ts: 1}, ['ben']);
    store.commit();
    await next;
    await store.settled();
    expect(count("SELECT count(*) FROM messages WHERE body = 'after-failure'")).toBe(1);
  });

  it('answers expected conflicts without aborting the batch', async () => {
    const results = [
      store.createUser(user('ann'), 'v'), store.createGroup('g1', 'ann', 1), store.createGroup('G1', 'ben', 1),
      store.addMember('g1', 'ann', 1), store.addMember('nogroup', 'ann', 1), store.pinRealmKey('r', 'k', 1),
      store.pinRealmKey('r', 'k2', 1), store.storeMessage({sender: 'ann', recipient: 'ben', body: 'still here', ts: 1}, ['ben', 'ben']),
    ];
    const batch = store.latestBatch();
    store.commit();
    const answers = await Promise.all(results);
    expect(answers.slice(0, 5)).toEqual([false, true, false, false, false]);
    await expect(batch.done).resolves.toBeUndefined();
    expect(count("SELECT count(*) FROM messages WHERE body = 'still here'")).toBe(1);
  });
});
