/**
 * How the SQLite store locks its database file (daemon/store/sqlite-open.ts). "exclusive" (the default) opens it
 * with SQLite's unix-excl VFS: the process takes one lock for good, commits take none, and no other process can open
 * the file while the store is open; "shared" is SQLite's default locking. Other processes are real child processes
 * (locks are per process): a plain better-sqlite3 reader, and the built store (npm test builds first).
 */
import {spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {exclusiveUri} from '../../daemon/store/sqlite-open.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';

const BUILT_STORE = fileURLToPath(new URL('../../dist/daemon/store/sqlite-store.js', import.meta.url));
const DRIVER = fileURLToPath(new URL('../../node_modules/better-sqlite3/lib/index.js', import.meta.url));

const dirs: string[] = [];
const stores: SqliteStore[] = [];
function tempDir(name = 'realmchat-locking-'): string {
  const dir = mkdtempSync(join(tmpdir(), name));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function open(file: string, locking?: 'exclusive' | 'shared'): SqliteStore {
  const store = new SqliteStore({file, ...(locking ? {locking} : {})});
  stores.push(store);
  return store;
}

function addUser(store: SqliteStore, username: string): void {
  store.createUser({username, fullName: username, country: 'x', createdAt: 1}, 'v');
  store.commit();
}

/** Runs an ES module script in another process; its stdout, stderr and exit status. */
function runScript(dir: string, source: string, env: NodeJS.ProcessEnv = process.env) {
  const script = join(dir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, source);
  const run = spawnSync(process.execPath, [script], {encoding: 'utf8', timeout: 30_000, env});
  return {stdout: run.stdout.trim(), stderr: run.stderr, status: run.status};
}

/** Another process counts the users with plain SQLite (default locking, a short busy wait): a number or the error. */
function usersSeenByAnotherProcess(dir: string, file: string): string {
  return runScript(dir, `
    const {default: Database} = await import(${JSON.stringify(DRIVER)});
    try {
      const db = new Database(${JSON.stringify(file)}, {timeout: 100, fileMustExist: true});
      console.log(db.prepare('SELECT count(*) FROM users').pluck().get());
      db.close();
    } catch (error) {
      console.log(error.message);
    }`).stdout;
}

describe('exclusive locking (the default)', () => {
  it('keeps the database to this process until the store closes, with every write kept', async () => {
    const dir = tempDir();
    const file = join(dir, 'realmchat.db');
    const store = open(file);
    expect(store.locking).toBe('exclusive');
    addUser(store, 'ann');
    await store.settled();
    expect(usersSeenByAnotherProcess(dir, file)).toBe('database is locked');
    // The WAL index lives in the process's memory: no -shm file.
    expect(existsSync(`${file}-shm`)).toBe(false);
    await stores.pop()!.close();
    expect(usersSeenByAnotherProcess(dir, file)).toBe('1');
    // And the file opens exclusively again, with what it held.
    const again = open(file);
    expect(again.locking).toBe('exclusive');
    expect(await again.getUser('ann')).toMatchObject({username: 'ann'});
  });

  it('refuses a second process on the same file with an error that says why', async () => {
    const dir = tempDir();
    const file = join(dir, 'realmchat.db');
    const store = open(file);
    addUser(store, 'ann');
    const second = runScript(dir, `
      const {SqliteStore} = await import(${JSON.stringify(BUILT_STORE)});
      try {
        new SqliteStore({file: ${JSON.stringify(file)}});
        console.log('opened');
      } catch (error) {
        console.log(error.name + ': ' + error.message);
      }`);
    expect(second.stdout).toBe('DatabaseInUseError: another process holds it (another realmchatd on the same data folder?)');
    // The first store is unharmed.
    addUser(store, 'bob');
    await store.settled();
    expect(await store.getUser('bob')).toMatchObject({username: 'bob'});
  });

  it('opens a file whose path holds ?, # and % (escaped in the URI) at that path', async () => {
    const dir = tempDir('realmchat-locking-?#%41-');
    const file = join(dir, 'realm?x#y%25.db');
    const store = open(file);
    expect(store.locking).toBe('exclusive');
    addUser(store, 'ann');
    await store.settled();
    expect(readdirSync(dir)).toContain('realm?x#y%25.db');
    expect(store.db.pragma('database_list')).toEqual([expect.objectContaining({file})]);
    expect(exclusiveUri('/a b/c?d#e%f')).toBe('file:/a b/c%3Fd%23e%25f?vfs=unix-excl');
  });
});

describe('shared locking', () => {
  it('lets another process read the live database', async () => {
    const dir = tempDir();
    const file = join(dir, 'realmchat.db');
    const store = open(file, 'shared');
    expect(store.locking).toBe('shared');
    addUser(store, 'ann');
    await store.settled();
    expect(usersSeenByAnotherProcess(dir, file)).toBe('1');
  });

  it('is what a process gets whose SQLite takes no URI filenames (SQLITE_USE_URI=0), without a stray file', () => {
    const dir = tempDir();
    const file = join(dir, 'realmchat.db');
    const run = runScript(dir, `
      process.chdir(${JSON.stringify(dir)});
      const {SqliteStore} = await import(${JSON.stringify(BUILT_STORE)});
      const store = new SqliteStore({file: ${JSON.stringify(file)}});
      console.log(store.locking);
      await store.close();`, {...process.env, SQLITE_USE_URI: '0'});
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('shared');
    // The URI probe opens nothing on disk when URIs are off.
    expect(readdirSync(dir).filter((name) => !name.startsWith('script-')).sort()).toEqual(['files', 'realmchat.db']);
  });
});
