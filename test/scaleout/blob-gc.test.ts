/**
 * Collecting file contents while another process names them (issue 13): process A collects a blob when the last
 * outbox row or refused copy naming it goes; process B stores the same content and then names it in a message. Two
 * PostgresStores on one database, as two realmchatd processes. Whichever way the two interleave, B's message never
 * points at a missing blob.
 */
import {randomBytes} from 'node:crypto';
import postgres, {type Sql} from 'postgres';
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {PostgresStore} from '../../daemon/store/postgres/postgres-store.js';
import {connectionTarget} from '../../daemon/store/postgres/pg-url.js';
import type {NewMessage} from '../../daemon/store/types.js';
import {PgCluster, createPostgresTestStore, describeIfPostgres} from '../helpers/pg-cluster.js';

let cluster: PgCluster;
let url: string;
let a: PostgresStore;
let b: PostgresStore;
let raw: Sql;

/** A sender copy of a file sent to carol@beta (what enqueueOutbox stores with the outbox row). */
const copyOf = (sha256: string, size: number): NewMessage =>
  ({sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body: '[file] f.bin', ts: 1, file: {name: 'f.bin', size, sha256}});

/** On A: an outbox row carrying the file, then its refusal, which drops the copy: nothing names the blob then. */
async function queueFile(content: Buffer): Promise<{sha256: string; refuse: () => Promise<void>}> {
  const sha256 = await a.putBlob(content);
  const record = await a.enqueueOutbox('beta', '{}', [copyOf(sha256, content.length)], 1, {sha256, size: content.length});
  await a.settled();
  return {
    sha256,
    refuse: async () => {
      const done = a.completeOutbox({realm: 'beta', upto: record.seq, notices: [], dropMessageIds: record.localIds});
      a.commit();
      await done;
      await a.settled();
    },
  };
}

describeIfPostgres('blob collection across processes', () => {
  beforeAll(async () => {
    cluster = await PgCluster.create();
    url = cluster.createDatabase();
    [a, b] = await Promise.all([0, 1].map(async () => (await createPostgresTestStore(cluster, {url})).store)) as [PostgresStore, PostgresStore];
    const target = connectionTarget(url);
    raw = postgres(target.url, {host: target.host, max: 1, onnotice: () => {}});
    for (const name of ['ann', 'bob']) await b.createUser({username: name, fullName: name, country: 'x', createdAt: 0}, 'v');
    await b.settled();
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), raw?.end({timeout: 1})]);
    await cluster?.destroy();
  });

  it('keeps a message stored on B whole when A collected its blob between B\'s putBlob and the message', async () => {
    const content = randomBytes(4096);
    const {sha256, refuse} = await queueFile(content);
    // B stores the same content: it is there already, so nothing is written.
    expect(await b.putBlob(content)).toBe(sha256);
    // A's refusal drops the last name: the blob is collected before B names it.
    await refuse();
    expect(cluster.psql(url, `SELECT count(*) FROM blobs WHERE sha256 = '${sha256}'`)).toBe('0');
    const stored = b.storeMessage({sender: 'ann', recipient: 'bob', body: '[file] f.bin', ts: 2, file: {name: 'f.bin', size: content.length, sha256}}, ['bob']);
    b.commit();
    const id = await stored;
    await b.settled();
    expect((await a.message(id))?.file?.sha256).toBe(sha256);
    expect(await a.readBlob(sha256)).toEqual(content);
  });

  it('keeps a blob that a transaction names while A collects it: A waits for it and then sees the name', async () => {
    const content = randomBytes(4096);
    const {sha256, refuse} = await queueFile(content);
    // Another process names the blob in a transaction still open (as B's group commit does: row locked first).
    const named = raw.begin(async (tx) => {
      await tx`SELECT sha256 FROM blobs WHERE sha256 = ${sha256} FOR KEY SHARE`;
      await tx`INSERT INTO outbox (realm, body, local_ids, created_at, file_sha256, file_size)
               VALUES ('gamma', '{}', '{}', 1, ${sha256}, ${content.length})`;
      await tx`SELECT pg_sleep(0.5)`;
    });
    await new Promise((resolve) => setTimeout(resolve, 100)); // the transaction holds the row now
    await refuse();
    await named;
    expect(cluster.psql(url, `SELECT count(*) FROM blobs WHERE sha256 = '${sha256}'`)).toBe('1');
    expect(await a.readBlob(sha256)).toEqual(content);
  });
});
