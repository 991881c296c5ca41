/**
 * Test harness around the private PostgreSQL cluster (bench/pg-cluster.ts): suites that skip loudly when PostgreSQL
 * is not installed, and a PostgresStore on a fresh database.
 */
import {describe} from 'vitest';
import {PG_BIN, type PgCluster} from '../../bench/pg-cluster.js';
import {PostgresStore, type PostgresStoreOptions} from '../../daemon/store/postgres/postgres-store.js';

export {PASSWORD_ROLE, PG_BIN, PgCluster} from '../../bench/pg-cluster.js';

/** describe() that skips, saying so on the console, when PostgreSQL is not installed. */
export function describeIfPostgres(name: string, body: () => void): void {
  if (!PG_BIN) console.warn(`SKIPPED "${name}": no PostgreSQL binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)`);
  describe.skipIf(!PG_BIN)(name, body);
}

/**
 * A PostgresStore on a fresh database of `cluster` (the factory the Store contract suite takes). Short reconnect
 * delays keep restart tests quick.
 */
export async function createPostgresTestStore(
  cluster: PgCluster, options: Partial<PostgresStoreOptions> = {},
): Promise<{store: PostgresStore; url: string}> {
  const url = options.url ?? cluster.createDatabase();
  const store = await PostgresStore.open({realm: 'test', reconnect: {initialDelayMs: 50, maxDelayMs: 500}, ...options, url});
  return {store, url};
}
