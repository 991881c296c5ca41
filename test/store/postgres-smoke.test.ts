import {afterAll, beforeAll, expect, it} from 'vitest';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';

describeIfPostgres('smoke', () => {
  let cluster: PgCluster;
  let store: PostgresStore;
  beforeAll(async () => {
    cluster = await PgCluster.create();
    ({store} = await createPostgresTestStore(cluster));
  }, 60_000);
  afterAll(async () => { await store?.close(); await cluster?.destroy(); });
  it('works', async () => {
    const a = store.createUser({username: 'ann', fullName: 'Ann', country: 'x', createdAt: 1}, 'v');
    const b = store.createUser({username: 'Ben', fullName: 'Ben', country: 'x', createdAt: 1}, 'v');
    const c = store.createUser({username: 'ANN', fullName: 'Ann', country: 'x', createdAt: 1}, 'v');
    store.commit();
    expect(await Promise.all([a, b, c])).toEqual([true, true, false]);
    const id = await store.storeMessage({sender: 'ann', recipient: 'ben', body: 'hi "there", {x}', ts: 5}, ['ben']);
    store.commit();
    expect(await store.unread('BEN', {maxMessages: 10, maxBytes: 1000})).toMatchObject({messages: [{id, body: 'hi "there", {x}'}]});
    expect(await store.takeUnread('BEN', {maxMessages: 10, maxBytes: 1000})).toMatchObject({messages: [{id}], more: false});
    expect(await store.hasUnread('ben')).toBe(false);
  });
});
