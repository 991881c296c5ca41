/** realmchatd's federation flags (the built dist/daemon/cli.js): --peer, --federation-key-file, the start-up line. */
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {parsePeer} from '../../daemon/federation/options.js';

const BIN = join(import.meta.dirname, '../../dist/daemon/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'realmchat-flags-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** Runs the daemon until its start-up line, then stops it; resolves with that line. */
function startupLine(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--data', mkdtempSync(join(dir, 'data-')), '--log-level', 'warn', ...args],
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
  it('documents --peer and --federation-key-file in --help', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], {encoding: 'utf8'});
    expect(help.stdout).toContain('--peer NAME=HOST:PORT');
    expect(help.stdout).toContain('--federation-key-file FILE');
  });

  it('says in the start-up line whether links need a key or come from loopback only', async () => {
    expect(await startupLine([])).toMatch(/; no federation key: realm links accepted from loopback peers only$/);
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, 'a'.repeat(64) + '\n');
    expect(await startupLine(['--federation-key-file', keyFile, '--peer', 'beta=127.0.0.1:8890', '--peer', 'gamma=[::1]:8891']))
      .toMatch(new RegExp(`; realm links need the federation key from ${keyFile}$`));
  });

  it('refuses a malformed --peer, a missing or short key file, with exit code 2', () => {
    const short = join(dir, 'short');
    writeFileSync(short, 'tooshort');
    for (const [args, message] of [
      [['--peer', 'beta'], '--peer must be NAME=HOST:PORT'],
      [['--peer', 'beta=127.0.0.1:0'], '--peer must be NAME=HOST:PORT'],
      [['--federation-key-file', join(dir, 'missing')], 'cannot read the federation key file'],
      [['--federation-key-file', short], 'too short'],
    ] as const) {
      const run = spawnSync(process.execPath, [BIN, '--port', '0', '--data', dir, ...args], {encoding: 'utf8'});
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });

  it('parses NAME=HOST:PORT, IPv6 in brackets', () => {
    expect(parsePeer('beta=127.0.0.1:8890')).toEqual({name: 'beta', address: {host: '127.0.0.1', port: 8890}});
    expect(parsePeer('b.2=[::1]:1')).toEqual({name: 'b.2', address: {host: '::1', port: 1}});
    expect(parsePeer('beta=host.example:65535')).toEqual({name: 'beta', address: {host: 'host.example', port: 65535}});
    for (const bad of ['beta', 'beta=host', 'beta=host:70000', 'be ta=h:1', '=h:1', 'beta=::1:80']) expect(parsePeer(bad), bad).toBeUndefined();
  });
});
