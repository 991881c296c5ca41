import {readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {COMMANDS} from '../../common/protocol/commands.js';
import {findHelpTopic} from '../../tui/shell/help.js';
import {startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {closedPort} from '../client/loopback-servers.js';
import {cli, tempConfigDir} from './cli-helpers.js';

const MESSAGE_LINE = /^\[\d\d:\d\d\] /;
const ESC = '\u001b[';

let daemon: TestDaemon;
let server: string[];
const dirs: {remove(): void}[] = [];

/** A fresh config folder: one per simulated user. */
function user(): string {
  const conf = tempConfigDir();
  dirs.push(conf);
  return conf.dir;
}

function storedConfig(dir: string): Record<string, string> {
  return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, string>;
}

beforeEach(async () => {
  daemon = await startDaemon();
  server = ['--server', `127.0.0.1:${daemon.port}`];
});

afterEach(async () => {
  await daemon.cleanup();
  for (const dir of dirs.splice(0)) dir.remove();
});

describe('realmchat one-shot commands', () => {
  it('registers, stores the session (0600, no password) and remembers the server', async () => {
    const alice = user();
    const result = await cli([...server, 'register', 'alice', 's3cret-pw', 'Alice_Liddell', 'indonesia'], alice);
    expect(result).toMatchObject({code: 0, stderr: ''});
    expect(result.stdout).toBe(`Registered alice and logged in on 127.0.0.1:${daemon.port} (realm alpha).\n`);

    const stored = storedConfig(alice);
    expect(stored).toMatchObject({server: `127.0.0.1:${daemon.port}`, username: 'alice', realm: 'alpha'});
    expect(stored.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(readFileSync(join(alice, 'config.json'), 'utf8')).not.toContain('s3cret-pw');
    expect(statSync(join(alice, 'config.json')).mode & 0o777).toBe(0o600);

    // No --server: the remembered one is used, with the stored token.
    const info = await cli(['info'], alice);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^username\s+alice$/m);
    expect(info.stdout).toMatch(/^name\s+Alice Liddell$/m);
  });

  it('sends a private message and shows the inbox as readable lines, once', async () => {
    const alice = user();
    const bob = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    await cli([...server, 'register', 'bob', 'pw', 'Bob', 'indonesia'], bob);

    const sent = await cli(['send', 'bob', 'hello', 'world'], alice);
    expect(sent).toMatchObject({code: 0, stdout: 'Message sent to bob.\n'});

    const inbox = await cli(['inbox'], bob);
    expect(inbox.code).toBe(0);
    const lines = inbox.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(MESSAGE_LINE);
    expect(lines[0]).toMatch(/\] alice → you: hello world$/);
    expect(inbox.stdout).not.toContain(ESC);

    expect((await cli(['inbox'], bob)).stdout).toBe('No new messages.\n');
    const history = await cli(['history', 'bob'], alice);
    expect(history.stdout).toMatch(/\] you → bob: hello world$/m);
  });

  it('long-polls with inbox <seconds>, the wait added to the request timeout', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    const waited = await cli(['inbox', '1'], alice, {requestTimeoutMs: 200});
    expect(waited).toMatchObject({code: 0, stdout: 'No new messages.\n'});
  });

  it('makes and uses a group', async () => {
    const alice = user();
    const bob = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    await cli([...server, 'register', 'bob', 'pw', 'Bob', 'indonesia'], bob);

    expect(await cli(['addgroup', 'devs'], alice)).toMatchObject({code: 0, stdout: 'Created group #devs; you are its first member.\n'});
    expect(await cli(['joingroup', 'devs'], bob)).toMatchObject({code: 0, stdout: 'Joined group #devs.\n'});
    expect(await cli(['sendgroup', 'devs', 'hi', 'all'], alice)).toMatchObject({code: 0, stdout: 'Message sent to #devs.\n'});

    expect((await cli(['inbox'], bob)).stdout).toMatch(/^\[\d\d:\d\d\] alice → #devs: hi all\n$/);
    const groups = await cli(['groups'], bob);
    expect(groups.stdout.split('\n')[0]).toMatch(/^GROUP\s+MEMBERS\s+MEMBER$/);
    expect(groups.stdout).toMatch(/^#devs\s+2\s+yes$/m);
  });

  it('uses the realm commands on its own realm and lists realms', async () => {
    const alice = user();
    const bob = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    await cli([...server, 'register', 'bob', 'pw', 'Bob', 'indonesia'], bob);
    expect(await cli(['sendprivaterealm', 'alpha', 'bob', 'halo', 'realm'], alice))
      .toMatchObject({code: 0, stdout: 'Message sent to bob@alpha.\n'});
    expect((await cli(['getrealminbox', 'alpha'], bob)).stdout).toMatch(/\] alice → you: halo realm\n$/);
    const realms = await cli(['realms'], bob);
    expect(realms.stdout).toContain('This realm: alpha');
  });

  it('prints the daemon reply as JSON with --json', async () => {
    const alice = user();
    const registered = await cli(['--json', ...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    expect(JSON.parse(registered.stdout)).toMatchObject({status: 'OK', message: 'Register successful', username: 'alice'});

    const groups = await cli(['groups', '--json'], alice);
    expect(JSON.parse(groups.stdout)).toEqual({status: 'OK', message: 'Groups', groups: [], more: false});

    const failed = await cli(['--json', 'info', 'nobody'], alice);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({status: 'ERROR', code: 'USER_NOT_FOUND'});
  });

  it('logout clears the token; later commands explain how to log in', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    expect(await cli(['logout'], alice)).toMatchObject({code: 0, stdout: 'Logged out.\n'});
    expect(storedConfig(alice).token).toBeUndefined();
    expect(storedConfig(alice).username).toBe('alice');

    const inbox = await cli(['inbox'], alice);
    expect(inbox.code).toBe(1);
    expect(inbox.stderr).toContain('Session tidak ditemukan');
    expect(inbox.stderr).toContain('realmchat auth <username> <password>');
  });

  it('forgets a stored token the daemon no longer knows', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    const copy = user();
    writeFileSync(join(copy, 'config.json'), readFileSync(join(alice, 'config.json')));
    await cli(['logout'], copy);
    const stale = await cli(['groups'], alice);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('has ended');
    expect(storedConfig(alice).token).toBeUndefined();
  });

  it('drops the stored session when --server switches daemons', async () => {
    const other = await startDaemon();
    try {
      const alice = user();
      await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
      const switched = await cli(['--server', `127.0.0.1:${other.port}`, 'groups'], alice);
      expect(switched.code).toBe(1);
      expect(switched.stderr).toContain('stored session of alice');
      expect(storedConfig(alice)).toMatchObject({server: `127.0.0.1:${other.port}`});
      expect(storedConfig(alice).token).toBeUndefined();
    } finally {
      await other.cleanup();
    }
  });
});

describe('realmchat exit codes and help', () => {
  it('exits 1 with the daemon message on stderr when the daemon answers ERROR', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    const result = await cli(['send', 'nobody', 'hi'], alice);
    expect(result).toMatchObject({code: 1, stdout: ''});
    expect(result.stderr).toBe('no such user (User tidak ditemukan)\n');
    expect((await cli(['register', 'alice', 'pw', 'Alice', 'indonesia'], alice)).stderr).toBe('that username is taken (User sudah ada)\n');
  });

  it('exits 2 for usage errors without contacting a daemon', async () => {
    const dir = user();
    const missing = await cli(['--server', '127.0.0.1:1', 'send', 'bob'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('realmchat send: missing parameter');
    expect(missing.stderr).toContain('example: realmchat send henderson hello world');

    expect((await cli(['addrealm', 'beta', '127.0.0.1'], dir)).code).toBe(2);
    expect((await cli(['send', 'bob', 'hi', '--bogus'], dir))).toMatchObject({code: 2, stderr: expect.stringContaining('unknown option --bogus')});
    expect((await cli(['--bogus', 'send', 'bob', 'hi'], dir)).code).toBe(2);
    expect((await cli(['--server', 'nohost', 'inbox'], dir))).toMatchObject({code: 2, stderr: expect.stringContaining('HOST:PORT')});
    expect((await cli(['--server=', 'inbox'], dir))).toMatchObject({code: 2, stderr: expect.stringContaining('--server needs a value')});
    expect((await cli(['repl', 'extra'], dir)).code).toBe(2);
  });

  it('answers an unknown command in English, with the close ones and the command list (exit 2)', async () => {
    const result = await cli(['frobnicate', 'x'], user());
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('realmchat: "frobnicate" is not a command.');
    for (const spec of COMMANDS) expect(result.stderr).toContain(findHelpTopic(spec.name)!.usage);
    expect((await cli(['help', 'frobnicate'], user())).stderr).toContain('"frobnicate" is not a command.');
    const typo = await cli(['sned', 'bob', 'hi'], user());
    // `seen` is as close to `sned` as `send` is.
    expect(typo).toMatchObject({code: 2, stderr: expect.stringMatching(/Did you mean: (\w+, )*send\b/)});
  });

  it('accepts #group wherever a group is expected, and names a bad parameter and what it allows', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'id'], alice);
    expect(await cli(['addgroup', '#devs'], alice)).toMatchObject({code: 0});
    expect(await cli(['sendgroup', '#devs', 'hello devs'], alice)).toMatchObject({code: 0});
    expect((await cli(['history', '#devs'], alice)).stdout).toContain('hello devs');
    const bad = await cli(['joingroup', 'no/such'], alice);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad parameter group: "no/such" is not a name');
  });

  it('explains the daemon\'s refusals and keeps its words; a second logout is not an error', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'id'], alice);
    const wrong = await cli(['auth', 'alice', 'nope'], alice);
    expect(wrong).toMatchObject({code: 1, stderr: expect.stringContaining('wrong password (Password Salah)')});
    const nobody = await cli(['send', 'nobody', 'hi'], alice);
    expect(nobody).toMatchObject({code: 1, stderr: expect.stringContaining('no such user (User tidak ditemukan)')});
    expect(await cli(['logout'], alice)).toMatchObject({code: 0});
    const again = await cli(['logout'], alice);
    expect(again).toMatchObject({code: 0, stdout: expect.stringContaining('nothing to log out')});
  });

  it('keeps settings in the config file with config get|set', async () => {
    const alice = user();
    expect((await cli(['config', 'get', 'time'], alice)).stdout).toBe('24h\n');
    expect(await cli(['config', 'set', 'time', '12h'], alice)).toMatchObject({code: 0});
    expect(await cli(['config', 'set', 'bell', 'off'], alice)).toMatchObject({code: 0});
    expect(storedConfig(alice)).toMatchObject({settings: {time: '12h', bell: false}});
    expect((await cli(['config'], alice)).stdout).toMatch(/^bell +off/m);
    expect(await cli(['config', 'set', 'time', '25h'], alice)).toMatchObject({code: 2, stderr: expect.stringContaining('time is 24h or 12h')});
    expect(await cli(['config', 'set', 'volume', '3'], alice)).toMatchObject({code: 2, stderr: expect.stringContaining('no setting "volume"')});
  });

  it('exits 3 and says how to start the daemon when nothing listens', async () => {
    const port = await closedPort();
    const result = await cli(['--server', `127.0.0.1:${port}`, 'inbox'], user());
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach realmchatd at 127.0.0.1:${port}`);
    expect(result.stderr).toContain('connection refused');
    expect(result.stderr).toContain(`npm start -- --port ${port}, or realmchatd --port ${port}`);
  });

  it('names the config file it cannot read, and exits 2', async () => {
    const alice = user();
    writeFileSync(join(alice, 'config.json'), '{bad');
    const result = await cli([...server, 'info'], alice);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot use the config file: ${join(alice, 'config.json')}: `);
  });

  it('does not remember a --server it could not reach', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    const port = await closedPort();
    expect((await cli(['--server', `127.0.0.1:${port}`, 'inbox'], alice)).code).toBe(3);
    expect(storedConfig(alice)).toMatchObject({server: `127.0.0.1:${daemon.port}`, token: expect.any(String)});
  });

  it('shows help with the usage and example of every command', async () => {
    const general = await cli(['--help'], user());
    expect(general.code).toBe(0);
    for (const spec of COMMANDS) expect(general.stdout).toContain(findHelpTopic(spec.name)!.usage);
    expect(general.stdout).toContain('realmchat repl');
    expect(general.stdout).toContain('Exit codes');

    for (const spec of COMMANDS) {
      // The shell's own form where it has one (search takes words and --in).
      const shown = findHelpTopic(spec.name)!;
      const one = await cli(['help', spec.name], user());
      expect(one.code).toBe(0);
      expect(one.stdout).toContain(`realmchat ${shown.usage}`);
      expect(one.stdout).toContain(`realmchat ${shown.example}`);
    }
    expect(findHelpTopic('search')!.usage).toBe('search <words…> [--in <conversation>] [--limit N]');
    expect((await cli(['send', '--help'], user())).stdout).toContain('realmchat send <username> <message>');
  });

  it('colors only on a terminal, and honors NO_COLOR and --no-color', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    expect((await cli(['info'], alice, {isTTY: true})).stdout).toContain(ESC);
    expect((await cli(['info'], alice, {isTTY: true, env: {NO_COLOR: '1'}})).stdout).not.toContain(ESC);
    expect((await cli(['--no-color', 'info'], alice, {isTTY: true})).stdout).not.toContain(ESC);
    expect((await cli(['info'], alice, {isTTY: false})).stdout).not.toContain(ESC);
  });
});

describe('realmchat without a command', () => {
  it('points at one-shot commands and the repl when there is no terminal', async () => {
    const result = await cli([], user(), {isTTY: false});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('realmchat repl');
    expect(result.stderr).toContain('realmchat --help');
  });

  it('starts the full-screen client on a terminal when it exists', async () => {
    const startTui = vi.fn(async () => 0);
    const result = await cli([...server], user(), {isTTY: true, startTui});
    expect(result.code).toBe(0);
    expect(startTui).toHaveBeenCalledWith(expect.objectContaining({server: {host: '127.0.0.1', port: daemon.port}}));

    const missing = await cli([], user(), {isTTY: true, startTui: null});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('realmchat repl');
  });
});

describe('realmchat repl', () => {
  it('runs piped lines on one connection, keeps message spacing, stops at quit', async () => {
    const alice = user();
    const bob = user();
    await cli([...server, 'register', 'bob', 'pw', 'Bob', 'indonesia'], bob);
    const input = [
      `register alice pw Alice_Liddell indonesia`,
      'send bob  spaced   out',
      '',
      'groups',
      'bogus',
      'help send',
      'quit',
      'send bob never sent',
    ].join('\n') + '\n';
    const result = await cli([...server, 'repl'], alice, {input});
    expect(result.stdout).toContain('Registered alice');
    expect(result.stdout).toContain('Message sent to bob.');
    expect(result.stdout).toContain('No groups yet');
    expect(result.stdout).toContain('realmchat send <username> <message>');
    expect(result.stdout).not.toContain('alice>');
    expect(result.stderr).toContain('is not a command');
    expect(result.code).toBe(2);
    expect(storedConfig(alice).username).toBe('alice');

    const inbox = await cli(['inbox'], bob);
    expect(inbox.stdout).toMatch(/\] alice → you: spaced {3}out\n$/);
  });

  it('exits 0 when every piped line succeeded and 3 when the daemon is unreachable', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'indonesia'], alice);
    expect((await cli(['repl'], alice, {input: 'groups\ninfo\n'})).code).toBe(0);
    const port = await closedPort();
    expect((await cli(['--server', `127.0.0.1:${port}`, 'repl'], alice, {input: 'groups\n'})).code).toBe(3);
  });
});
