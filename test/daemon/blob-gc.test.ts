/**
 * Blob collection: a file's content goes once no message and no outbox row names it, only after the write that
 * dropped the last reference committed, never under a concurrent send of the same content; a restart sweeps what a
 * crash left (orphan blobs, temporary files).
 */
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {BlobFolder} from '../../daemon/store/blob-folder.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import type {NewMessage} from '../../daemon/store/types.js';

const dirs: string[] = [];
const stores: SqliteStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function open(dir = mkdtempSync(join(tmpdir(), 'realmchat-blobgc-'))): {store: SqliteStore; dir: string} {
  if (!dirs.includes(dir)) dirs.push(dir);
  const store = new SqliteStore({file: join(dir, 'realmchat.db'), checkpointIntervalMs: 0});
  stores.push(store);
  return {store, dir};
}

const CONTENT = Buffer.from('the same photo, sent twice');
const SHA = BlobFolder.hash(CONTENT);
const FILE = {name: 'photo.png', size: CONTENT.length, sha256: SHA};
const blobPath = (dir: string, sha = SHA) => join(dir, 'files', sha.slice(0, 2), sha);

/** A file to bob@beta accepted into the outbox, committed; returns its row. */
async function queueFile(store: SqliteStore) {
  await store.putBlob(CONTENT);
  const copy: NewMessage = {sender: 'alice', recipient: 'bob', recipientRealm: 'beta', body: '[file] photo.png (26 B)', ts: 1, file: FILE};
  const record = await store.enqueueOutbox('beta', '{}', [copy], 1, {sha256: SHA, size: CONTENT.length});
  store.commit();
  await store.settled();
  await new Promise((resolve) => setImmediate(resolve)); // putBlob's pin lasts until the end of its turn
  return record;
}

/** beta refused the file while its sender waited: the row and the sender's copy go. */
function dropRefused(store: SqliteStore, record: {seq: number; localIds: number[]}): void {
  store.completeOutbox({realm: 'beta', upto: record.seq, notices: [], dropMessageIds: record.localIds});
}

/** Lets the collection that follows a commit run. */
async function commitAndCollect(store: SqliteStore): Promise<void> {
  store.commit();
  await store.settled();
  await new Promise((resolve) => setImmediate(resolve));
}

describe('blob collection', () => {
  it('removes a blob once the refused copy that named it is dropped, and not before the drop commits', async () => {
    const {store, dir} = open();
    const record = await queueFile(store);
    dropRefused(store, record);
    expect(existsSync(blobPath(dir))).toBe(true); // the drop is not committed yet
    await commitAndCollect(store);
    expect(existsSync(blobPath(dir))).toBe(false);
    expect(store.message(record.localIds[0]!)).toBeUndefined();
  });

  it('keeps a blob that another message still names', async () => {
    const {store, dir} = open();
    const record = await queueFile(store);
    const kept = await store.storeMessage({sender: 'alice', recipient: 'carol', body: '[file] photo.png (26 B)', ts: 2, file: FILE}, ['carol']);
    dropRefused(store, record);
    await commitAndCollect(store);
    expect(existsSync(blobPath(dir))).toBe(true);
    expect(store.readBlob(store.message(kept)!.file!.sha256)).toEqual(CONTENT);
  });

  it('keeps a blob whose content is being sent again while it is collected (the send pinned it first)', async () => {
    const {store, dir} = open();
    const record = await queueFile(store);
    dropRefused(store, record);
    // The same content is sent again: putBlob finds the blob there and does not write it again...
    const again = store.putBlob(CONTENT);
    // ...and the collection runs before the new message row exists.
    await commitAndCollect(store);
    expect(existsSync(blobPath(dir))).toBe(true);
    expect(await again).toBe(SHA);
    const id = await store.storeMessage({sender: 'alice', recipient: 'carol', body: '[file] photo.png (26 B)', ts: 3, file: FILE}, ['carol']);
    await commitAndCollect(store);
    expect(store.readBlob(store.message(id)!.file!.sha256)).toEqual(CONTENT);
  });

  it('sweeps at start-up the blobs nothing names and the temporary files a crash left', async () => {
    const {store, dir} = open();
    const orphan = Buffer.from('nobody names me');
    const orphanSha = await store.putBlob(orphan);
    await queueFile(store); // named by an outbox row and a sender copy
    writeFileSync(join(dir, 'files', '.incoming.abc.tmp'), 'half a file');
    await store.close();
    stores.pop();
    open(dir);
    expect(existsSync(blobPath(dir, orphanSha))).toBe(false);
    expect(existsSync(blobPath(dir))).toBe(true);
    expect(existsSync(join(dir, 'files', '.incoming.abc.tmp'))).toBe(false);
  });
});
