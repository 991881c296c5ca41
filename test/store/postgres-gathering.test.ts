/**
 * Group commit under load on PostgreSQL: while a batch is on the wire, the next one gathers the operations of the
 * turns after it (commit() leaves it open until it goes out), consecutive sends in it become one statement, order is
 * kept around other operations, and a finished request's reply waits for the newest batch on the wire.
 */
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster;
let store: PostgresStore;
let url: string;

const user = (username: string) => ({username, fullName: username, country: 'x', createdAt: 0});
const send = (body: string, to = 'ben') => store.storeMessage({sender: 'ann', recipient: to, body, ts: 1}, [to]);
const psql = (sql: string) => cluster.psql(url, sql);
/** The transactions (xmin) and INSERT statements that wrote the messages whose body starts with `prefix`. */
const writers = (prefix: string) => ({
  transactions: Number(psql(`SELECT count(DISTINCT xmin::text) FROM messages WHERE body LIKE '${prefix}%'`)),
  statements: Number(psql(`SELECT coalesce(sum(n), 0) FROM insert_statements WHERE prefix = '${prefix}'`)),
});

describeIfPostgres('PostgresStore: the batch behind the one on the wire gathers', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    ({store, url} = await createPostgresTestStore(cluster));
    await Promise.all(['ann', 'ben', 'cat'].map((name) => store.createUser(user(name), 'v')));
    await store.settled();
    // Counts INSERT statements on messages by the prefix of their first body (a statement-level trigger).
    psql(`
      CREATE TABLE insert_statements (prefix text, n int);
      CREATE FUNCTION count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO insert_statements SELECT split_part(min(body), '-', 1) || '-', 1 FROM new_rows; RETURN NULL; END $$;
      CREATE TRIGGER count_insert AFTER INSERT ON messages REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION count_insert();`);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await cluster?.destroy();
  });

  it('keeps the batch behind the one on the wire open across commits, and sends its messages in one statement', async () => {
    const first = send('wire-1');
    const onWire = store.latestBatch();
    store.commit();
    // The batch on the wire has not answered yet: what follows waits behind it, in one batch, whatever commit() says.
    const gathered = [send('gather-1'), send('gather-2')];
    const gathering = store.latestBatch();
    expect(gathering).not.toBe(onWire);
    store.commit(); // the end of a daemon turn: the gathering batch stays open
    gathered.push(send('gather-3', 'cat'));
    store.commit();
    gathered.push(send('gather-4'));
    expect(store.latestBatch()).toBe(gathering);
    // A request that finished now waits for the batch on the wire, not for the one gathering.
    expect(store.currentBatch()).toBe(onWire);
    const ids = await Promise.all(gathered);
    await gathering.done;
    expect(gathering.state).toBe('committed');
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(await first).toBeLessThan(ids[0]!);
    expect(writers('wire-')).toEqual({transactions: 1, statements: 1});
    expect(writers('gather-')).toEqual({transactions: 1, statements: 1});
    expect(Number(psql("SELECT count(*) FROM unread WHERE message_id IN (SELECT id FROM messages WHERE body LIKE 'gather-%')"))).toBe(4);
  });

  it('keeps issue order around other operations of the gathering batch: a drain sees the sends before it only', async () => {
    const warm = send('head-1', 'cat');
    store.commit();
    const before = send('order-1');
    const drained = store.takeUnread('ben', {maxMessages: 100, maxBytes: 1 << 20});
    const after = send('order-2');
    store.commit();
    await warm;
    const page = await drained;
    expect(page.messages.map((message) => message.body)).toContain('order-1');
    expect(page.messages.map((message) => message.body)).not.toContain('order-2');
    expect(await before).toBeLessThan(await after);
    await store.settled();
    // Two statements: the drain stands between the sends.
    expect(writers('order-')).toEqual({transactions: 1, statements: 2});
    const left = await store.takeUnread('ben', {maxMessages: 100, maxBytes: 1 << 20});
    store.commit();
    expect(left.messages.map((message) => message.body)).toEqual(['order-2']);
    // psql below runs synchronously: nothing of ours may hold a lock it waits for.
    await store.settled();
  });

  it('fails every send of a gathered statement with its batch, and the next batch goes on', async () => {
    psql(`
      CREATE FUNCTION refuse_dan() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no dan'; END $$;
      CREATE TRIGGER refuse_dan BEFORE INSERT ON unread FOR EACH ROW WHEN (NEW.recipient = 'dan') EXECUTE FUNCTION refuse_dan();`);
    await store.createUser(user('dan'), 'v');
    await store.settled();
    const ahead = send('ahead-1');
    store.commit();
    const doomed = [send('doomed-1'), send('doomed-2', 'dan'), send('doomed-3')];
    const batch = store.latestBatch();
    store.commit();
    await ahead;
    const outcomes = await Promise.allSettled(doomed);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    await expect(batch.done).rejects.toThrow('no dan');
    expect(Number(psql("SELECT count(*) FROM messages WHERE body LIKE 'doomed-%'"))).toBe(0);
    const next = send('next-1');
    store.commit();
    expect(typeof await next).toBe('number');
    await store.settled();
  });
});
