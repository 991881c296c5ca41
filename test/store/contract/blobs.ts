/**
 * Store contract: the blob methods files across realms use (readBlobRange, incomingBlob, enqueueOutbox's file,
 * collection after completeOutbox), through the Store interface alone.
 */
import {createHash} from 'node:crypto';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Store} from '../../../daemon/store/types.js';
import {user, type OpenStore, type StoreFactory} from './factory.js';

const sha = (content: Buffer) => createHash('sha256').update(content).digest('hex');

export function blobsContract(open: StoreFactory): void {
  let opened: OpenStore;
  let store: Store;

  beforeEach(async () => {
    opened = await open();
    store = opened.store;
    await store.createUser(user('ann'), 'v');
    await store.settled();
  });

  afterEach(() => opened.close());

  const content = Buffer.from('0123456789abcdef'.repeat(64));
  const fileCopy = (sha256: string, body: string) =>
    ({sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body, ts: 1, file: {name: 'f.bin', size: content.length, sha256}});

  describe('blobs', () => {
    it('reads a range of a stored blob, and nothing of a missing one', async () => {
      const sha256 = await store.putBlob(content);
      expect(await store.readBlobRange(sha256, 0, 4)).toEqual(Buffer.from('0123'));
      expect(await store.readBlobRange(sha256, 1020, 100)).toEqual(content.subarray(1020));
      expect(await store.readBlobRange('0'.repeat(64), 0, 4)).toBeUndefined();
    });

    it('assembles an incoming blob from chunks, and keeps it only when its SHA-256 matches', async () => {
      const good = store.incomingBlob();
      good.append(content.subarray(0, 100));
      good.append(content.subarray(100));
      expect(good.bytes).toBe(content.length);
      expect(await good.finish(sha(content))).toBe(true);
      expect(await store.readBlob(sha(content))).toEqual(content);

      const other = Buffer.from('not what was announced');
      const bad = store.incomingBlob();
      bad.append(other);
      expect(await bad.finish(sha(Buffer.from('something else')))).toBe(false);
      expect(await store.readBlob(sha(other))).toBeUndefined();

      const dropped = store.incomingBlob();
      dropped.append(other);
      dropped.discard();
      expect(await store.readBlob(sha(other))).toBeUndefined();
    });

    it('keeps the file an outbox row carries, and collects its blob once nothing names it', async () => {
      const sha256 = await store.putBlob(content);
      const kept = await store.enqueueOutbox('beta', '{"a":1}', [fileCopy(sha256, '[file] f.bin (1 KB)')], 1, {sha256, size: content.length});
      const refused = await store.enqueueOutbox('beta', '{"a":2}', [fileCopy(sha256, '[file] f.bin (1 KB)')], 2, {sha256, size: content.length});
      expect(kept.file).toEqual({sha256, size: content.length});
      expect((await store.outboxPage('beta', 0, refused.seq, 10)).map((row) => row.file)).toEqual([
        {sha256, size: content.length}, {sha256, size: content.length},
      ]);
      // The first copy still names the blob: it stays.
      await store.completeOutbox({realm: 'beta', upto: refused.seq, notices: [], dropMessageIds: [refused.localIds[0]!]});
      await store.settled();
      expect(await store.readBlob(sha256)).toEqual(content);
      expect((await store.message(kept.localIds[0]!))?.file?.sha256).toBe(sha256);
      // The last name goes: so does the blob.
      const again = await store.enqueueOutbox('beta', '{"a":3}', [], 3, {sha256, size: content.length});
      await store.completeOutbox({realm: 'beta', upto: again.seq, notices: [], dropMessageIds: [kept.localIds[0]!]});
      await store.settled();
      expect(await store.readBlob(sha256)).toBeUndefined();
      expect((await store.outboxStats('beta')).count).toBe(0);
    });
  });
}
