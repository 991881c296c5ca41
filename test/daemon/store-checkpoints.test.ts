/**
 * The SQLite store's WAL checkpoints (daemon/store/checkpointer.ts): a worker thread copies committed writes from
 * the WAL into the database file, and SQLite's own automatic checkpoint is left only as a far-off safety net.
 */
import {copyFileSync, existsSync, mkdtempSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {afterEach, describe, expect, it} from 'vitest';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import {eventually} from '../helpers/eventually.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-checkpoints-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

const autocheckpoint = (store: SqliteStore) => store.db.pragma('wal_autocheckpoint', {simple: true});
const addUsers = (store: SqliteStore, from: number, count: number) => {
  for (let i = from; i < from + count; i++) store.createUser({username: `u${i}`, fullName: 'x'.repeat(200), country: 'x', createdAt: 1}, 'v');
};

/**
 * The users the database file holds by itself, without its WAL: what checkpoints have copied into it. Read from a
 * copy of the file alone (opened beside an empty WAL), so that reading checkpoints nothing; a copy torn by a
 * checkpoint in progress throws, and `eventually` tries again.
 */
function usersInDatabaseFileAlone(file: string, dir: string): number {
  const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(file, copy);
  const db = new Database(copy);
  try {
    // Before any checkpoint the file may not even hold the schema: no users table, no users.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").get()) return 0;
    return (db.prepare('SELECT count(*) AS n FROM users').get() as {n: number}).n;
  } finally {
    db.close();
  }
}

describe('checkpoints', () => {
  it('leaves SQLite its automatic checkpoint only as a far-off safety net when a worker checkpoints', async () => {
    const dir = tempDir();
    const withWorker = new SqliteStore({file: join(dir, 'a.db')});
    const without = new SqliteStore({file: join(dir, 'b.db'), checkpointIntervalMs: 0});
    const memory = new SqliteStore({file: ':memory:'});
    expect(autocheckpoint(withWorker)).toBe(10_000);
    expect(autocheckpoint(without)).toBe(1000);
    expect(autocheckpoint(memory)).toBe(1000); // in memory: no worker
    for (const store of [withWorker, without, memory]) await store.close();
  });

  it('copies committed writes from the WAL into the database file in the background, and stops its worker on close', async () => {
    const dir = tempDir();
    const file = join(dir, 'realmchat.db');
    const onDisk = new SqliteStore({file, checkpointIntervalMs: 5});
    // The worker's connection shares the main one's exclusive lock and its in-memory WAL index (sqlite-open.ts).
    expect(onDisk.locking).toBe('exclusive');
    addUsers(onDisk, 0, 200);
    await onDisk.settled();
    // 200 users are far below SQLite's own checkpoint (10,000 pages): only the worker puts them into the file.
    await eventually(() => expect(usersInDatabaseFileAlone(file, dir)).toBe(200));
    // And it goes on: the next commit reaches the file too.
    addUsers(onDisk, 200, 1);
    await onDisk.settled();
    await eventually(() => expect(usersInDatabaseFileAlone(file, dir)).toBe(201));
    await onDisk.close();
    // The main connection was the last one open: it removed the WAL.
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('leaves the database file alone without a worker until the store closes', async () => {
    // The other side of the test above: without the worker, nothing before close copies these writes.
    const dir = tempDir();
    const file = join(dir, 'realmchat.db');
    const store = new SqliteStore({file, checkpointIntervalMs: 0});
    addUsers(store, 0, 200);
    await store.settled();
    expect(usersInDatabaseFileAlone(file, dir)).toBe(0);
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    await store.close();
    expect(usersInDatabaseFileAlone(file, dir)).toBe(200);
  });
});
