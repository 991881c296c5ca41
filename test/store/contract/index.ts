/**
 * The Store contract: every suite here drives a store through the Store interface alone, awaiting every call, so
 * any implementation (SQLite, PostgreSQL) runs them with its own factory. Nothing here may import a store.
 */
import {describe} from 'vitest';
import {batchContract} from './batches.js';
import {blobsContract} from './blobs.js';
import {conversationsContract} from './conversations.js';
import type {StoreFactory} from './factory.js';
import {historyContract} from './history.js';
import {recordsContract} from './records.js';

export type {OpenStore, StoreFactory} from './factory.js';

/** Runs the whole contract on the stores `open` makes. */
export function storeContract(name: string, open: StoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    recordsContract(open);
    historyContract(open);
    batchContract(open);
    conversationsContract(open);
    blobsContract(open);
  });
}
