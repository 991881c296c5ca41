/**
 * `--store` and `--store-password-file` of the built realmchatd: the password never comes from argv, a readable
 * password file is refused like a readable realm key, and the start-up line and the log show the URL without a
 * password.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {REALMCHATD_BIN} from '../../bench/realmchatd-process.js';

const dir = mkdtempSync(join(tmpdir(), 'realmchat-store-flags-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [REALMCHATD_BIN, '--port', '0', '--data', join(dir, 'data'), ...args], {encoding: 'utf8', env});
}

describe('realmchatd --store', () => {
  it('documents --store and --store-password-file in --help', () => {
    const help = spawnSync(process.execPath, [REALMCHATD_BIN, '--help'], {encoding: 'utf8'}).stdout;
    expect(help).toContain('--store STORE');
    expect(help).toContain('--store-password-file FILE');
    expect(help).toContain('same realm key file');
  });

  it('refuses a password in the URL without ever printing it, and a store that is neither sqlite nor postgres', () => {
    const withPassword = run(['--store', 'postgres://realm:s3cr3t-pw@127.0.0.1:1/db']);
    expect(withPassword.status).toBe(2);
    expect(withPassword.stderr).toContain('PGPASSWORD or --store-password-file');
    expect(withPassword.stderr + withPassword.stdout).not.toContain('s3cr3t-pw');
    const inQuery = run(['--store', 'postgres://realm@127.0.0.1:1/db?password=s3cr3t-pw']);
    expect(inQuery.status).toBe(2);
    expect(inQuery.stderr).not.toContain('s3cr3t-pw');
    const mysql = run(['--store', 'mysql://realm@127.0.0.1/db']);
    expect(mysql.status).toBe(2);
    expect(mysql.stderr).toContain('--store must be sqlite or postgres://');
    const fromEnv = run([], {...process.env, REALMCHAT_STORE: 'redis://x'});
    expect(fromEnv.status).toBe(2);
    expect(fromEnv.stderr).toContain('--store must be sqlite or postgres://');
  });

  it('refuses a password file other users may read, and one given with sqlite', () => {
    const file = join(dir, 'pw');
    writeFileSync(file, 'hunter2\n');
    chmodSync(file, 0o644);
    const readable = run(['--store', 'postgres://realm@127.0.0.1:1/db', '--store-password-file', file]);
    expect(readable.status).toBe(2);
    expect(readable.stderr).toContain(`chmod 600 ${file}`);
    const sqlite = run(['--store-password-file', file]);
    expect(sqlite.status).toBe(2);
    expect(sqlite.stderr).toContain('--store-password-file needs --store postgres://');
  });

  it('says so plainly (exit 2) when the database cannot be reached, naming the URL', () => {
    const file = join(dir, 'pw-ok');
    writeFileSync(file, 'hunter2\n', {mode: 0o600});
    const down = run(['--store', 'postgres://realm@127.0.0.1:1/db', '--store-password-file', file]);
    expect(down.status).toBe(2);
    expect(down.stderr).toContain('cannot open the database postgres://realm@127.0.0.1:1/db');
    expect(down.stderr).not.toContain('hunter2');
  });
});
