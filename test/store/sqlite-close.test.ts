/**
 * Closing the SQLite store when nothing else keeps the process alive: the checkpoint worker is unreferenced while it
 * runs (it never keeps a daemon up), so its stop must hold the process until the worker closed its connection.
 * Without that, `await store.close()` in a script never resumed: Node ended with exit code 13 (an unsettled
 * top-level await). Runs the built store (npm test builds first), as a script would.
 */
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, expect, it} from 'vitest';

const STORE = fileURLToPath(new URL('../../dist/daemon/store/sqlite-store.js', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

it('finishes close() after its checkpoint worker ran, with nothing else alive in the process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-close-'));
  dirs.push(dir);
  const script = `
    const {SqliteStore} = await import(${JSON.stringify(STORE)});
    const store = new SqliteStore({file: ${JSON.stringify(join(dir, 'realmchat.db'))}});
    store.createUser({username: 'ann', fullName: 'Ann', country: 'x', createdAt: 0}, 'v');
    store.commit(); // the first write starts the checkpoint worker
    await new Promise((resolve) => setTimeout(resolve, 200));
    await store.close();
    console.log('closed');`;
  writeFileSync(join(dir, 'close.mjs'), script);
  const child = spawnSync(process.execPath, [join(dir, 'close.mjs')], {encoding: 'utf8', timeout: 30_000});
  expect(child.stderr).toBe('');
  expect(child.stdout.trim()).toBe('closed');
  expect(child.status).toBe(0);
});
