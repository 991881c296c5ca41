/**
 * realmchatd's federation flags (the built dist/daemon/cli.js): --peer NAME=HOST:PORT[,KEY], --peers-file,
 * --federation, --admins, `key show`, the realm key file, the start-up line.
 */
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {generateIdentity} from '../../daemon/federation/identity.js';
import {parsePeer} from '../../daemon/federation/options.js';

const BIN = join(import.meta.dirname, '../../dist/daemon/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'realmchat-flags-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));
const KEY = generateIdentity().publicKey;

/** Runs the daemon until its start-up line, then stops it; resolves with that line. */
function startupLine(args: string[], data = mkdtempSync(join(dir, 'data-'))): Promise<string> {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--data', data, '--log-level', 'warn', ...args],
    {stdio: ['ignore', 'pipe', 'pipe']});
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) {
        child.kill('SIGTERM');
        resolve(out.trim());
      }
    });
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`exited ${code}`))));
  });
}

describe('federation flags', () => {
  it('documents the federation flags and `key show` in --help', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], {encoding: 'utf8'});
    for (const flag of ['--peer NAME=HOST:PORT[,KEY]', '--peers-file FILE', '--federation MODE', '--admins U1,U2', 'key show']) {
      expect(help.stdout).toContain(flag);
    }
  });

  it('makes the realm key 0600 on first start, prints it with `key show`, and names it and the trust mode in the start-up line', async () => {
    const data = mkdtempSync(join(dir, 'data-'));
    const shown = spawnSync(process.execPath, [BIN, 'key', 'show', '--data', data], {encoding: 'utf8'});
    expect(shown.status).toBe(0);
    const key = shown.stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(data, 'realm-key.pem')).mode & 0o777).toBe(0o600);
    expect(spawnSync(process.execPath, [BIN, 'key', 'show', '--data', data], {encoding: 'utf8'}).stdout.trim()).toBe(key);
    expect(await startupLine([], data)).toMatch(new RegExp(`; realm key ${key}; links from pinned realms only$`));
    expect(await startupLine(['--demo-users'], data)).toMatch(/; links from pinned realms and new realm names \(trust on first use\)$/);
    expect(await startupLine(['--federation', 'tofu', '--admins', 'root', '--peer', `beta=127.0.0.1:8890,${KEY}`, '--peer', 'gamma=[::1]:8891'], data))
      .toMatch(/trust on first use/);
    const peersFile = join(dir, 'peers');
    writeFileSync(peersFile, `# known realms\nbeta=127.0.0.1:8890,${KEY}\n\n`);
    expect(await startupLine(['--peers-file', peersFile], data)).toMatch(/pinned realms only$/);
  });

  it('refuses a malformed --peer or peers file, a bad mode, the removed shared key, a readable realm key, with exit code 2', () => {
    const badPeers = join(dir, 'bad-peers');
    writeFileSync(badPeers, 'beta=127.0.0.1:8890,short\n');
    const loose = mkdtempSync(join(dir, 'loose-'));
    writeFileSync(join(loose, 'realm-key.pem'), 'x', {mode: 0o644});
    for (const [args, message] of [
      [['--peer', 'beta'], '--peer must be NAME=HOST:PORT'],
      [['--peer', 'beta=127.0.0.1:0'], '--peer must be NAME=HOST:PORT'],
      [['--peer', 'beta=127.0.0.1:8890,tooshort'], 'realmchatd key show'],
      [['--peers-file', badPeers], 'line 1'],
      [['--federation', 'open'], '--federation must be pinned or tofu'],
      [['--admins', 'a b'], '--admins'],
      [['--federation-key-file', join(dir, 'any')], '--federation-key-file was removed'],
      [['--data', loose], 'chmod 600'],
    ] as const) {
      const run = spawnSync(process.execPath, [BIN, '--port', '0', '--data', dir, ...args], {encoding: 'utf8'});
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });

  it('parses NAME=HOST:PORT with an optional pinned KEY, IPv6 in brackets', () => {
    expect(parsePeer('beta=127.0.0.1:8890')).toEqual({name: 'beta', address: {host: '127.0.0.1', port: 8890}});
    expect(parsePeer(`beta=127.0.0.1:8890,${KEY}`)).toEqual({name: 'beta', address: {host: '127.0.0.1', port: 8890, key: KEY}});
    expect(parsePeer('b.2=[::1]:1')).toEqual({name: 'b.2', address: {host: '::1', port: 1}});
    expect(parsePeer('beta=host.example:65535')).toEqual({name: 'beta', address: {host: 'host.example', port: 65535}});
    for (const bad of ['beta', 'beta=host', 'beta=host:70000', 'be ta=h:1', '=h:1', 'beta=::1:80', 'beta=h:1,', `beta=h:1,${KEY}x`]) {
      expect(parsePeer(bad), bad).toBeUndefined();
    }
  });
});
