/**
 * Files across realms with PostgreSQL on one side: beta keeps its realm in a PostgresStore (blobs are rows), so a
 * file from alpha is assembled and stored through IncomingBlob's awaited finish, and a file beta sends is read
 * chunk by chunk with the awaited readBlobRange.
 */
import {randomBytes} from 'node:crypto';
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import type {TestDaemon} from '../helpers/daemon.js';
import {PG_BIN, PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';
import {link, startRealm, user, type TestUser} from './helpers.js';

let cluster: PgCluster | undefined;
let pg: PostgresStore;
let alpha: TestDaemon;
let beta: TestDaemon;
let alice: TestUser;
let bob: TestUser;

/**
 * The first message from `realm` in the client's inbox. A send may answer OK with `queued: true` (its verdict took
 * longer than the sender waits, as a file read chunk by chunk from PostgreSQL may on a loaded machine): then the
 * message arrives a little later, so this asks again until it is there.
 */
async function fileOf(client: TestUser['client'], realm: string): Promise<Record<string, unknown> | undefined> {
  for (let attempt = 0; ; attempt++) {
    const first = ((await client.request(`getrealminbox ${realm}`)).messages as Array<Record<string, unknown>>)[0];
    if (first !== undefined || attempt === 100) return first;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describeIfPostgres('files across realms, the receiving realm on PostgreSQL', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    pg = (await createPostgresTestStore(cluster, {realm: 'beta'})).store;
    alpha = await startRealm('alpha');
    beta = await startRealm('beta', {daemon: {maxFileBytes: 2 * 1024 * 1024}, wrapStore: (sqlite) => { void sqlite.close(); return pg; }});
    alice = await user(alpha.port, 'alice');
    bob = await user(beta.port, 'bob');
    await link({port: alpha.port, client: alice.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
  }, 120_000);

  afterAll(async () => {
    for (const u of [alice, bob]) u?.client.close();
    await Promise.all([alpha, beta].map((daemon) => daemon?.cleanup()));
    await cluster?.destroy();
  }, 120_000);

  it('stores a file of several chunks sent with sendfilerealm intact, and sends one back the same way', async () => {
    const content = randomBytes(600 * 1024); // three chunks on the link
    const sent = await alice.client.request(`sendfilerealm beta bob big.bin ${content.toString('base64')}`);
    expect(sent).toMatchObject({status: 'OK', file_size: content.length});
    const received = await fileOf(bob.client, 'alpha');
    expect(received).toMatchObject({msg_from: 'alice@alpha', file_name: 'big.bin', file_size: content.length});
    expect(Buffer.from(received!.file_content as string, 'base64')).toEqual(content);
    const fetched = await bob.client.request(`getfile ${received!.file_id as number}`);
    expect(Buffer.from(fetched.file_content as string, 'base64')).toEqual(content);

    // Beta's pump reads the blob from PostgreSQL a chunk at a time.
    const back = randomBytes(300 * 1024);
    expect(await bob.client.request(`sendfilerealm alpha alice back.bin ${back.toString('base64')}`)).toMatchObject({status: 'OK'});
    const returned = await fileOf(alice.client, 'beta');
    expect(returned).toMatchObject({msg_from: 'bob@beta', file_name: 'back.bin', file_size: back.length});
    expect(Buffer.from(returned!.file_content as string, 'base64')).toEqual(back);
  }, 60_000);
});

if (!PG_BIN) console.warn('files across realms on PostgreSQL skipped: no PostgreSQL binaries');
