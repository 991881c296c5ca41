import {PassThrough} from 'node:stream';
import {afterEach, beforeEach, expect, it} from 'vitest';
import {runCli} from '../../tui/shell/run.js';
import {startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {waitFor} from '../client/loopback-servers.js';
import {Sink, tempConfigDir} from './cli-helpers.js';

/** What a terminal shows of the text: without the escape sequences that move the cursor and clear. */
// eslint-disable-next-line no-control-regex -- removing escape sequences is the point
const visible = (text: string) => text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');

let daemon: TestDaemon;
let conf: ReturnType<typeof tempConfigDir>;

beforeEach(async () => {
  daemon = await startDaemon();
  conf = tempConfigDir();
});

afterEach(async () => {
  await daemon.cleanup();
  conf.remove();
});

it('prompts on a terminal, follows the login in the prompt, and recalls history with the up arrow', async () => {
  const stdin = new PassThrough();
  const stdout = new Sink();
  const stderr = new Sink();
  const done = runCli(['--server', `127.0.0.1:${daemon.port}`, 'repl'], {
    stdin, stdout, stderr, configDir: conf.dir, env: {NO_COLOR: '1'}, isTTY: true, stdinIsTTY: true, startTui: null,
  });
  await waitFor(() => stdout.text.includes('realmchat> '), 5000, 'the first prompt');

  stdin.write('register alice pw Alice indonesia\r');
  await waitFor(() => stdout.text.includes('Registered alice'), 5000, 'the register reply');
  await waitFor(() => stdout.text.includes('alice> '), 5000, 'the prompt with the username');

  // ↑ brings back the last line; Enter runs it again.
  stdin.write('\u001b[A');
  stdin.write('\r');
  await waitFor(() => stderr.text.includes('User sudah ada'), 5000, 'the repeated register');

  stdin.write('quit\r');
  expect(await done).toBe(0);
});

it('ends on Ctrl+D', async () => {
  const stdin = new PassThrough();
  const stdout = new Sink();
  const done = runCli(['--server', `127.0.0.1:${daemon.port}`, 'repl'], {
    stdin, stdout, stderr: new Sink(), configDir: conf.dir, env: {NO_COLOR: '1'}, isTTY: true, stdinIsTTY: true, startTui: null,
  });
  await waitFor(() => stdout.text.includes('realmchat> '), 5000, 'the first prompt');
  stdin.write('\u0004');
  expect(await done).toBe(0);
});

it('says once that the daemon is gone, keeps the typed text under the note, and says when it is back', async () => {
  const stdin = new PassThrough();
  // One stream for both, as on a terminal, so the order of notes and prompt shows.
  const screen = new Sink();
  const done = runCli(['--server', `127.0.0.1:${daemon.port}`, 'repl'], {
    stdin, stdout: screen, stderr: screen, configDir: conf.dir, env: {NO_COLOR: '1'}, isTTY: true, stdinIsTTY: true, startTui: null,
  });
  await waitFor(() => screen.text.includes('realmchat> '), 5000, 'the first prompt');
  stdin.write('sen');
  await waitFor(() => screen.text.endsWith('sen'), 5000, 'the typed text');

  await daemon.stop();
  await waitFor(() => screen.text.includes('reconnecting in'), 5000, 'the note about the lost connection');
  // The line with the prompt is cleared for the note; the prompt and the typed text come again below it.
  const note = screen.text.slice(screen.text.lastIndexOf('\r\u001b[K'));
  expect(visible(note)).toMatch(/^\rconnection to 127\.0\.0\.1:\d+ lost: [^\n]*; reconnecting in [\d.]+ s\nrealmchat> sen$/);
  // The retries that follow are quiet.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  expect(screen.text.match(/reconnecting in/g)).toHaveLength(1);

  daemon = await daemon.restart();
  await waitFor(() => screen.text.includes('again'), 10_000, 'the note about the reconnection');
  expect(visible(screen.text)).toMatch(/connected to 127\.0\.0\.1:\d+ again\nrealmchat> sen$/);

  // Ctrl+U, then Ctrl+D on the empty line: the line mode ends on a line of its own.
  stdin.write('\u0015\u0004');
  expect(await done).toBe(0);
  expect(screen.text.endsWith('\n')).toBe(true);
});
