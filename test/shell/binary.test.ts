/** The built `realmchat` binary, spawned as a user would run it (run `npm run build` first). */
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {closedPort} from '../client/loopback-servers.js';
import {BINARY, runBinary, type BinaryRun} from './run-binary.js';

type Run = BinaryRun;

let daemon: TestDaemon;
let home: string;

/** Runs the binary with XDG_CONFIG_HOME in a temp folder (never the real home) and optional stdin. */
function realmchat(args: string[], options: {input?: string; configHome?: string} = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {...process.env, XDG_CONFIG_HOME: options.configHome ?? home, HOME: home};
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return runBinary(args, env, options.input);
}

beforeAll(async () => {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run "npm run build" before these tests`);
  daemon = await startDaemon();
  home = mkdtempSync(join(tmpdir(), 'realmchat-home-'));
});

afterAll(async () => {
  await daemon?.cleanup();
  if (home) rmSync(home, {recursive: true, force: true});
});

describe('the realmchat binary', () => {
  it('registers, keeps the session in a 0600 config without the password, and reads the inbox', async () => {
    const server = `127.0.0.1:${daemon.port}`;
    const registered = await realmchat(['--server', server, 'register', 'alice', 'pass-word-9', 'Alice_Liddell', 'indonesia']);
    expect(registered).toMatchObject({code: 0, stderr: ''});
    expect(registered.stdout).toContain('Registered alice');

    const file = join(home, 'realmchat', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('pass-word-9');
    expect(JSON.parse(text)).toMatchObject({server, username: 'alice'});

    expect((await realmchat(['send', 'alice', 'note', 'to', 'self'])).code).toBe(0);
    const inbox = await realmchat(['inbox']);
    expect(inbox.code).toBe(0);
    expect(inbox.stdout).toMatch(/^\[\d\d:\d\d\] you → you: note to self\n$/);
    // Piped output: no colors.
    expect(inbox.stdout).not.toContain('\u001b[');
  });

  it('exits 1 with the daemon message on stderr for an ERROR reply', async () => {
    const result = await realmchat(['joingroup', 'no-such-group']);
    expect(result).toMatchObject({code: 1, stdout: '', stderr: 'no such group (Group tidak ditemukan)\n'});
  });

  it('exits 2 for an unknown command, listing the commands', async () => {
    const result = await realmchat(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.startsWith('realmchat: "frobnicate" is not a command.\n')).toBe(true);
    expect(result.stderr).toContain('sendgrouprealm <realm> <group> <message>');
  });

  it('exits 2 without a command when not on a terminal', async () => {
    const result = await realmchat([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('realmchat repl');
  });

  it('exits 3 and says how to start the daemon when it cannot connect', async () => {
    const port = await closedPort();
    const result = await realmchat(['--server', `127.0.0.1:${port}`, 'inbox'], {configHome: join(home, 'other')});
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach realmchatd at 127.0.0.1:${port}`);
    expect(result.stderr).toContain('npm start');
  });

  it('shows help and the version with exit 0', async () => {
    const help = await realmchat(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('realmchat repl');
    const one = await realmchat(['help', 'sendgroup']);
    expect(one.stdout).toContain('realmchat sendgroup informatika21 hai semua');
    const version = await realmchat(['--version']);
    expect(version).toMatchObject({code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/)});
  });

  it('runs piped commands in repl mode', async () => {
    const result = await realmchat(['repl'], {input: 'groups\naddgroup devs\ngroups\n'});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No groups yet');
    expect(result.stdout).toMatch(/^#devs\s+1\s+yes$/m);
  });
});
