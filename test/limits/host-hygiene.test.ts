/** Issue 9, point 10: the data folder is 0700 and the database files 0600; the example unit is sandboxed. */
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {startRealmchatd, type RealmchatdProcess} from '../../bench/realmchatd-process.js';
import {LineClient} from '../helpers/daemon.js';

const dirs: string[] = [];
const children: RealmchatdProcess[] = [];
afterEach(async () => {
  for (const daemon of children.splice(0)) {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

const mode = (path: string) => statSync(path).mode & 0o777;

describe('realmchatd data folder', () => {
  it.each([
    {locking: 'exclusive', files: ['realmchat.db', 'realmchat.db-wal'], absent: ['realmchat.db-shm']},
    {locking: 'shared', files: ['realmchat.db', 'realmchat.db-wal', 'realmchat.db-shm'], absent: []},
  ])('creates the folder 0700 and the database files 0600 ($locking locking: $files), whatever umask it was started with (the usual 022 would give 0755 and 0644)', async ({locking, files, absent}) => {
    const base = mkdtempSync(join(tmpdir(), 'realmchatd-perm-'));
    dirs.push(base);
    const data = join(base, 'nested', 'alpha');
    const daemon = await startRealmchatd(['--port', '0', '--data', data, '--log-level', 'warn', '--sqlite-locking', locking]);
    children.push(daemon);
    const client = await LineClient.connect(daemon.port);
    expect(await client.request('register alice pw Alice indonesia')).toMatchObject({status: 'OK'});
    client.close();
    expect(mode(data)).toBe(0o700);
    for (const file of files) {
      expect(existsSync(join(data, file)), file).toBe(true);
      expect(mode(join(data, file)), file).toBe(0o600);
    }
    // Exclusive keeps the WAL index in the process's memory (daemon/store/sqlite-open.ts).
    for (const file of absent) expect(existsSync(join(data, file)), file).toBe(false);
  });

  it('narrows a folder and database an older version left readable to others', async () => {
    const data = mkdtempSync(join(tmpdir(), 'realmchatd-perm-'));
    dirs.push(data);
    chmodSync(data, 0o755);
    mkdirSync(join(data, 'unrelated'));
    writeFileSync(join(data, 'realmchat.db'), '');
    chmodSync(join(data, 'realmchat.db'), 0o644);
    const daemon = await startRealmchatd(['--port', '0', '--data', data, '--log-level', 'warn']);
    children.push(daemon);
    expect(mode(data)).toBe(0o700);
    expect(mode(join(data, 'realmchat.db'))).toBe(0o600);
  });
});

describe('the example systemd unit', () => {
  const unit = readFileSync(new URL('../../docs/realmchatd.service', import.meta.url), 'utf8');
  const settings = unit.split('\n').filter((line) => /^\w+=/.test(line));

  it('sets a private umask, a large descriptor limit and the sandboxing options', () => {
    for (const line of ['UMask=0077', 'LimitNOFILE=1048576', 'NoNewPrivileges=true', 'ProtectSystem=strict', 'PrivateTmp=true',
      'ReadWritePaths=/var/lib/realmchat']) {
      expect(settings).toContain(line);
    }
  });

  it('listens on all addresses only with a federation identity configured', () => {
    const exec = settings.find((line) => line.startsWith('ExecStart='))!;
    if (/--host (0\.0\.0\.0|::)(\s|$)/.test(exec)) expect(exec).toMatch(/--federation-key-file \S+/);
    else expect(exec).toMatch(/--host 127\.0\.0\.1/);
  });
});
