/** The Store contract (contract/) on PostgresStore: one private cluster for the file, a fresh database per store. */
import {afterAll, beforeAll} from 'vitest';
import {storeContract} from './contract/index.js';
import {PG_BIN, PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster | undefined;

describeIfPostgres('PostgreSQL store contract', () => {
  beforeAll(async () => { cluster = await PgCluster.create(); }, 60_000);
  afterAll(async () => { await cluster?.destroy(); }, 60_000);

  storeContract('PostgreSQL', async () => {
    if (!cluster) throw new Error('no cluster');
    const {store} = await createPostgresTestStore(cluster);
    return {store, close: () => store.close()};
  });
});

if (!PG_BIN) console.warn('PostgreSQL store contract skipped: no PostgreSQL binaries');
