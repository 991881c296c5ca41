/**
 * Store contract: group commit as callers see it (moved from test/daemon/store-writes.test.ts). A write belongs to
 * the batch open when it is issued; `commit()` ends it, and `done` tells how it ended.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Store} from '../../../daemon/store/types.js';
import {user, type OpenStore, type StoreFactory} from './factory.js';

export function batchContract(open: StoreFactory): void {
  describe('group commit', () => {
    let opened: OpenStore;
    let store: Store;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      for (const username of ['ann', 'ben']) await store.createUser(user(username), 'v');
      await store.settled();
    });

    afterEach(() => opened.close());

    it('puts the writes of one turn in one batch and commits them together', async () => {
      const batch = store.currentBatch();
      expect(batch.state).toBe('committed'); // nothing open
      const first = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'a', ts: 1}, ['ben']);
      const open = store.currentBatch();
      expect(open.state).toBe('pending');
      const second = store.storeMessage({sender: 'ben', recipient: 'ann', body: 'b', ts: 1}, ['ann']);
      expect(store.currentBatch()).toBe(open);
      store.commit();
      await expect(open.done).resolves.toBeUndefined();
      expect(open.state).toBe('committed');
      expect(await first).toBeLessThan(await second);
      const history = await store.privateHistory('ann', 'ben', undefined, {limit: 10});
      expect(history.map((message) => message.body)).toEqual(['a', 'b']);
    });

    it('settles every write made so far', async () => {
      const sent = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'x', ts: 1}, ['ben']);
      const batch = store.currentBatch();
      await store.settled();
      expect(batch.state).toBe('committed');
      expect(typeof (await sent)).toBe('number');
      expect(store.currentBatch().state).toBe('committed');
    });
  });
}
