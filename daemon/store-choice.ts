/**
 * `--store`: which database realmchatd keeps its realm in. `sqlite` (the default) is the file in the data folder;
 * a `postgres://user@host:port/db` URL is a PostgreSQL database that every realmchatd process of the realm shares
 * (issue 13). The password never comes from argv text: only from the URL's environment (PGPASSWORD) or a file
 * (`--store-password-file`, mode 0600 like the realm key). A password written into the URL is refused.
 */
import {readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {prepareDataDir} from './data-dir.js';
import type {Logger} from './logger.js';
import {PostgresStore} from './store/postgres/postgres-store.js';
import {redactUrl} from './store/postgres/pg-url.js';
import {SqliteStore, type Durability} from './store/sqlite-store.js';
import type {SqliteLocking} from './store/sqlite-open.js';
import type {Store} from './store/types.js';

/** What `--store` and `--store-password-file` name. */
export type StoreChoice = {kind: 'sqlite'} | {kind: 'postgres'; url: string; passwordFile?: string};

/** Parses `--store` (or REALMCHAT_STORE); throws with the reason a user can act on. */
export function parseStoreChoice(spec: string | undefined, passwordFile: string | undefined): StoreChoice {
  if (spec === undefined || spec === '' || spec === 'sqlite') {
    if (passwordFile !== undefined) throw new Error('--store-password-file needs --store postgres://…');
    return {kind: 'sqlite'};
  }
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new Error(`--store must be sqlite or postgres://user@host:port/db, not "${redactUrl(spec)}"`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error(`--store must be sqlite or postgres://user@host:port/db, not "${redactUrl(spec)}"`);
  }
  if (url.password !== '' || [...url.searchParams.keys()].some((key) => key.toLowerCase() === 'password')) {
    throw new Error('--store must not carry a password (argv is visible to every user of the machine): '
      + 'use PGPASSWORD or --store-password-file FILE');
  }
  return {kind: 'postgres', url: spec, ...(passwordFile !== undefined ? {passwordFile: checkedPasswordFile(passwordFile)} : {})};
}

/** The password file, refused when other users may read it (as the realm key is). */
function checkedPasswordFile(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode;
    readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read the password file ${file}: ${(err as Error).message}`, {cause: err});
  }
  if ((mode & 0o077) !== 0) throw new Error(`the password file ${file} may be read by other users; run: chmod 600 ${file}`);
  return file;
}

/** Where the store lives, for the start-up line: the SQLite file, or the URL without any password. */
export function describeStore(choice: StoreChoice, dataDir: string): string {
  return choice.kind === 'sqlite' ? join(dataDir, 'realmchat.db') : redactUrl(choice.url);
}

/** Opens the chosen store (the data folder is prepared either way: it keeps the realm key). */
export async function openStore(
  choice: StoreChoice,
  options: {dataDir: string; realm: string; durability: Durability; locking?: SqliteLocking; logger: Logger},
): Promise<Store> {
  const {dataDir, logger} = options;
  prepareDataDir(dataDir, join(dataDir, 'realmchat.db'));
  if (choice.kind === 'sqlite') {
    const locking = options.locking ?? 'exclusive';
    const store = new SqliteStore({
      file: join(dataDir, 'realmchat.db'), durability: options.durability, locking,
      onCheckpointError: (message) => logger.warn('background WAL checkpoint failed', {error: message}),
    });
    if (store.locking !== locking) {
      logger.warn('SQLite URI filenames are off in this process (SQLITE_USE_URI is not 1): the database is opened shared');
    }
    return store;
  }
  return PostgresStore.open({
    url: choice.url, realm: options.realm, ...(choice.passwordFile !== undefined ? {passwordFile: choice.passwordFile} : {}),
    log: (line) => logger.warn(line),
  });
}
