/**
 * PostgreSQL goes away (`pg_ctl stop -m immediate`, as a crash) and comes back: operations reject with
 * StoreUnavailableError, never a false commit; the same store instance serves again once the database is back, and
 * every batch it had reported committed survived. Log lines never carry the password.
 */
import {afterAll, beforeAll, expect, it} from 'vitest';
import {StoreUnavailableError} from '../../daemon/store/errors.js';
import {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {eventually} from '../helpers/eventually.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster;
let store: PostgresStore;
let url: string;
const logs: string[] = [];
const resyncs: number[] = [];
const PASSWORD = 'sekrit-pass';

describeIfPostgres('PostgresStore when the database goes away and comes back', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    const plain = cluster.createDatabase();
    // Trust auth ignores the password; it is here to prove no log line shows it.
    url = plain.replace('postgres@', `postgres:${PASSWORD}@`);
    ({store} = await createPostgresTestStore(cluster, {url, log: (line) => logs.push(line)}));
    store.wakeups().subscribe(() => {}, () => resyncs.push(Date.now()));
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await cluster?.destroy();
  });

  it('rejects with StoreUnavailableError while down and serves again after a restart, keeping what committed', async () => {
    const created = store.createUser({username: 'ann', fullName: 'Ann', country: 'x', createdAt: 0}, 'v');
    const committed = store.storeMessage({sender: 'ann', recipient: 'ann', body: 'acknowledged', ts: 1}, ['ann']);
    store.commit();
    await Promise.all([created, committed]);
    await store.settled(); // acknowledged: must survive the crash

    cluster.stopImmediate();
    const lost = store.storeMessage({sender: 'ann', recipient: 'ann', body: 'during the outage', ts: 1}, ['ann']);
    const batch = store.latestBatch();
    store.commit();
    await expect(lost).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(batch.done).rejects.toBeInstanceOf(StoreUnavailableError);
    // While down, every operation fails the same way, at once.
    const read = store.getPassword('ann');
    store.commit();
    await expect(read).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.putBlob(Buffer.from('x'))).rejects.toBeInstanceOf(StoreUnavailableError);
    const resyncsBefore = resyncs.length;

    cluster.start();
    const page = await eventually(async () => {
      const taken = store.unread('ann', {maxMessages: 10, maxBytes: 1 << 20});
      store.commit();
      return taken;
    });
    expect(page.messages.map((message) => message.body)).toEqual(['acknowledged']);
    // Writes work again too, on the same store instance.
    const after = store.storeMessage({sender: 'ann', recipient: 'ann', body: 'after the restart', ts: 1}, ['ann']);
    store.commit();
    await after;
    await store.settled();
    expect(cluster.psql(url, "SELECT count(*) FROM messages WHERE body = 'after the restart'")).toBe('1');
    // The wake-up listener reconnected too, and told every waiter to re-check.
    await eventually(async () => expect(resyncs.length).toBeGreaterThan(resyncsBefore));
    // The loss and the recovery were logged, without the password.
    expect(logs.some((line) => line.includes('lost the database'))).toBe(true);
    expect(logs.some((line) => line.includes('is back'))).toBe(true);
    for (const line of logs) expect(line).not.toContain(PASSWORD);
    expect(logs.join('\n')).toContain('***');
  });

  it('survives a crash in the middle of a busy turn, and a second outage, with every acknowledged write kept', async () => {
    const acknowledged: string[] = [];
    for (let round = 0; round < 2; round++) {
      // A turn whose statements are on the wire when the server dies: each is either acknowledged (its batch
      // committed) or rejected, never both, and nothing acknowledged is lost.
      const bodies = Array.from({length: 50}, (_, i) => `round${round}-${i}`);
      const writes = bodies.map((body) => store.storeMessage({sender: 'ann', recipient: 'ann', body, ts: 1}, ['ann']));
      const batch = store.latestBatch();
      store.commit();
      cluster.stopImmediate();
      const outcome = await batch.done.then(() => 'committed', (error: unknown) => error);
      const settled = await Promise.allSettled(writes);
      if (outcome === 'committed') {
        acknowledged.push(...bodies);
      } else {
        expect(outcome).toBeInstanceOf(StoreUnavailableError);
        expect(settled.some((write) => write.status === 'rejected')).toBe(true);
      }
      cluster.start();
      await eventually(async () => {
        const probe = store.hasUnread('ann');
        store.commit();
        return probe;
      });
    }
    const stored = cluster.psql(url, "SELECT string_agg(body, ',') FROM messages WHERE body LIKE 'round%'");
    for (const body of acknowledged) expect(stored.split(',')).toContain(body);
  });

  it('refuses to open with StoreUnavailableError when the database cannot be reached', async () => {
    const closed = cluster.url('nowhere').replace(`:${cluster.port}/`, ':1/');
    await expect(PostgresStore.open({url: closed, realm: 'test'})).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
