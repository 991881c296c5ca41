/** realmchat sendfile / getfile: files from and to the local disk, as a user of the shell client sends them. */
import {mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {cli, tempConfigDir} from './cli-helpers.js';

let daemon: TestDaemon;
let server: string[];
const cleanups: Array<() => void> = [];

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-files-'));
  cleanups.push(() => rmSync(dir, {recursive: true, force: true}));
  return dir;
}
function user(): string {
  const conf = tempConfigDir();
  cleanups.push(conf.remove);
  return conf.dir;
}

beforeEach(async () => {
  daemon = await startDaemon();
  server = ['--server', `127.0.0.1:${daemon.port}`];
});
afterEach(async () => {
  await daemon.cleanup();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('realmchat sendfile and getfile', () => {
  it('sends a local file to a user and to #group, and saves it into the download folder without overwriting', async () => {
    const alice = user();
    const bob = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'id'], alice);
    await cli([...server, 'register', 'bob', 'pw', 'Bob', 'id'], bob);
    await cli(['addgroup', 'devs'], alice);
    await cli(['joingroup', 'devs'], bob);
    const source = folder();
    const bytes = Buffer.from(Array.from({length: 300}, (_, i) => (i * 7) % 256));
    writeFileSync(join(source, 'photo one.png'), bytes);

    const sent = await cli(['sendfile', 'bob', join(source, 'photo one.png')], alice);
    expect(sent).toMatchObject({code: 0, stderr: ''});
    expect(sent.stdout).toBe('Sent photo one.png (300 B) to bob.\n');
    expect((await cli(['sendfile', '#devs', join(source, 'photo one.png')], alice)).stdout).toBe('Sent photo one.png (300 B) to #devs.\n');

    const inbox = await cli(['--json', 'inbox'], bob);
    const messages = (JSON.parse(inbox.stdout) as {messages: Record<string, Array<{file_id: number; msg: string}>>}).messages.alice!;
    expect(messages.map((message) => message.msg)).toEqual(['[file] photo one.png (300 B)', '[file] photo one.png (300 B)']);

    const downloads = folder();
    const env = {XDG_DOWNLOAD_DIR: downloads};
    const first = await cli(['getfile', String(messages[0]!.file_id)], bob, {env});
    expect(first).toMatchObject({code: 0, stderr: ''});
    expect(first.stdout).toBe(`Saved photo one.png (300 B) to ${join(downloads, 'photo one.png')}.\n`);
    const second = await cli(['--json', 'getfile', String(messages[1]!.file_id)], bob, {env});
    expect(JSON.parse(second.stdout)).toMatchObject({status: 'OK', file_name: 'photo one.png', saved_to: join(downloads, 'photo one (1).png')});
    expect(JSON.parse(second.stdout)).not.toHaveProperty('file_content');
    expect(readdirSync(downloads).sort()).toEqual(['photo one (1).png', 'photo one.png']);
    expect(readFileSync(join(downloads, 'photo one (1).png'))).toEqual(bytes);

    // An explicit folder, created when missing.
    const elsewhere = join(folder(), 'new', 'dir');
    expect((await cli(['getfile', String(messages[0]!.file_id), elsewhere], bob)).code).toBe(0);
    expect(readFileSync(join(elsewhere, 'photo one.png'))).toEqual(bytes);
  });

  it('shows a transfer over 1 MiB on a terminal stderr, in place, never on stdout; a piped stderr gets none of it', async () => {
    const alice = user();
    const bob = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'id'], alice);
    await cli([...server, 'register', 'bob', 'pw', 'Bob', 'id'], bob);
    const source = folder();
    const big = Buffer.from(Array.from({length: 3 * 1024 * 1024}, (_, i) => (i * 13) % 251));
    writeFileSync(join(source, 'big.bin'), big);

    // stderr not a terminal (a pipe, a log): no progress bytes at all.
    const piped = await cli(['sendfile', 'bob', join(source, 'big.bin')], alice);
    expect(piped).toMatchObject({code: 0, stderr: '', stdout: 'Sent big.bin (3.0 MiB) to bob.\n'});

    // stderr a terminal: one line rewritten in place, rising to 100 %, erased at the end; stdout holds the result.
    const shown = await cli(['--json', 'sendfile', 'bob', join(source, 'big.bin')], alice, {stderrIsTTY: true});
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({status: 'OK'});
    const updates = shown.stderr.split('\r').filter((part) => part !== '');
    expect(updates.length).toBeGreaterThan(2);
    expect(updates.at(-1)).toBe('\u001B[K');
    const percents = updates.slice(0, -1).map((part) => {
      // eslint-disable-next-line no-control-regex -- the line ends in the terminal's erase sequence
      const match = /^sending big\.bin {2}(\d+\.\d) \/ 3\.0 MiB {2}(\d+) %\u001B\[K$/.exec(part);
      expect(match, part).not.toBeNull();
      return Number(match![2]);
    });
    for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1]!);
    expect(percents.at(-1)).toBe(100);
    expect(shown.stderr).toContain('sending big.bin  3.0 / 3.0 MiB  100 %');

    // getfile does not know the size before the reply: bytes received, once past 1 MiB.
    const messages = (JSON.parse((await cli(['--json', 'inbox'], bob)).stdout) as {messages: {alice: Array<{file_id: number}>}}).messages.alice;
    const downloads = folder();
    const env = {XDG_DOWNLOAD_DIR: downloads};
    const fetched = await cli(['getfile', String(messages[0]!.file_id)], bob, {env, stderrIsTTY: true});
    expect(fetched.code).toBe(0);
    expect(fetched.stdout).toBe(`Saved big.bin (3.0 MiB) to ${join(downloads, 'big.bin')}.\n`);
    const received = fetched.stderr.split('\r').filter((part) => part !== '');
    expect(received.length).toBeGreaterThan(2);
    expect(received.at(-1)).toBe('\u001B[K');
    for (const part of received.slice(0, -1)) expect(part).toMatch(new RegExp(`^fetching file ${messages[0]!.file_id} {2}\\d+\\.\\d MiB received\u001B\\[K$`));
    const piped2 = await cli(['getfile', String(messages[0]!.file_id)], bob, {env});
    expect(piped2).toMatchObject({code: 0, stderr: ''});
    // Buffer.equals: vitest's toEqual walks a 3 MiB buffer element by element (slow on a busy machine).
    expect(readFileSync(join(downloads, 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(downloads, 'big (1).bin')).equals(big)).toBe(true);
  });

  it('says what is wrong: a missing file, a realm that is not linked, a file that is not there or not yours', async () => {
    const alice = user();
    await cli([...server, 'register', 'alice', 'pw', 'Alice', 'id'], alice);
    const missing = await cli(['sendfile', 'bob', '/nonexistent/notes.txt'], alice);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read /nonexistent/notes.txt: ENOENT');
    const remote = await cli(['sendfile', 'carol@beta', '/etc/hostname'], alice);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain('no such realm is linked');
    const unknown = await cli(['getfile', '12345'], alice, {env: {XDG_DOWNLOAD_DIR: folder()}});
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('File tidak ditemukan');
    expect((await cli(['getfile'], alice)).code).toBe(2);
  });
});
