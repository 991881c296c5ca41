/** The Store contract (contract/) on SqliteStore, each store in its own temp folder. */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import {storeContract} from './contract/index.js';

storeContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-contract-'));
  const store = new SqliteStore({file: join(dir, 'realmchat.db')});
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, {recursive: true, force: true});
    },
  };
});
