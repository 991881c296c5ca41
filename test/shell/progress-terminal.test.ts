/**
 * The built `realmchat` binary (run `npm run build` first) sending and fetching a 3 MiB file: in a pseudo-terminal
 * its stderr shows the progress in place and erases it; with stderr a pipe not one byte of it.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {startPty} from '../tui/pty-harness.js';
import {BINARY, runBinary, type BinaryRun} from './run-binary.js';


let daemon: TestDaemon;
let home: string;

/** Runs the binary in a pseudo-terminal until it exits; resolves with its exit code, everything it wrote and the screen. */
async function inTerminal(args: string[]): Promise<{exitCode: number; output: string; screen: string}> {
  const session = startPty([BINARY, '--server', `127.0.0.1:${daemon.port}`, ...args], {env: {XDG_CONFIG_HOME: home, HOME: home}, columns: 120});
  const {exitCode} = await session.exited;
  await session.waitFor(() => true);
  return {exitCode, output: session.output(), screen: session.screen()};
}

/** Runs the binary with pipes for stdout and stderr. */
function piped(args: string[]): Promise<BinaryRun> {
  return runBinary(['--server', `127.0.0.1:${daemon.port}`, ...args], {...process.env, XDG_CONFIG_HOME: home, HOME: home});
}

beforeAll(() => {
  if (!existsSync(BINARY)) throw new Error('dist/tui is missing: run `npm run build` first (npm test does)');
});
beforeEach(async () => {
  daemon = await startDaemon();
  home = mkdtempSync(join(tmpdir(), 'realmchat-progress-'));
  await registerUser(daemon.port, 'bob').then(({client}) => client.close());
});
afterEach(async () => {
  await daemon.cleanup();
  rmSync(home, {recursive: true, force: true});
});

describe('realmchat sendfile / getfile progress, the real binary', () => {
  it('shows a 3 MiB transfer in place on a terminal and erases it; a piped stderr gets nothing', async () => {
    expect((await piped(['register', 'alice', 'pw', 'Alice', 'id'])).code).toBe(0);
    const file = join(home, 'big.bin');
    const big = Buffer.from(Array.from({length: 3 * 1024 * 1024}, (_, i) => (i * 29) % 241));
    writeFileSync(file, big);

    const sent = await inTerminal(['sendfile', 'bob', file]);
    expect(sent.exitCode).toBe(0);
    // eslint-disable-next-line no-control-regex -- each step ends in the terminal's erase sequence
    const steps = [...sent.output.matchAll(/\rsending big\.bin {2}(\d\.\d) \/ 3\.0 MiB {2}(\d+) %\u001B\[K/g)].map((match) => Number(match[2]));
    expect(steps.length).toBeGreaterThan(2);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThanOrEqual(steps[i - 1]!);
    expect(steps.at(-1)).toBe(100);
    // Erased before the result: the screen keeps only what stdout said.
    expect(sent.screen).toContain('Sent big.bin (3.0 MiB) to bob.');
    expect(sent.screen).not.toContain('sending big.bin');

    const again = await piped(['--json', 'sendfile', 'bob', file]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    const fileId = (JSON.parse(again.stdout) as {status: string; file_id: number}).file_id;

    // getfile (a file one sent may be fetched): the bytes received, since the size is not known before the reply.
    const downloads = join(home, 'downloads');
    const fetched = await inTerminal(['getfile', String(fileId), downloads]);
    expect(fetched.exitCode).toBe(0);
    expect(fetched.output).toMatch(new RegExp(`\rfetching file ${fileId} {2}\\d\\.\\d MiB received\u001B\\[K`));
    expect(fetched.screen).toContain(`Saved big.bin (3.0 MiB) to ${join(downloads, 'big.bin')}.`);
    expect(fetched.screen).not.toContain('fetching file');
    expect(readFileSync(join(downloads, 'big.bin')).equals(big)).toBe(true);
    const quiet = await piped(['getfile', String(fileId), downloads]);
    expect(quiet).toMatchObject({code: 0, stderr: ''});
  });
});
