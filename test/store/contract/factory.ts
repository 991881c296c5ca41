/** What a store contract suite runs on: a fresh, empty store per test, and how to dispose of it. */
import type {Store} from '../../../daemon/store/types.js';

/** An open store and how to close it (and remove whatever it made: files, a database). */
export interface OpenStore {
  store: Store;
  close(): Promise<void>;
}

/** Opens a fresh, empty store. Each runner (sqlite.contract.test.ts, …) passes its own. */
export type StoreFactory = () => Promise<OpenStore>;

/** A user record with everything but the name filled in. */
export const user = (username: string) => ({username, fullName: username, country: 'x', createdAt: 0});
