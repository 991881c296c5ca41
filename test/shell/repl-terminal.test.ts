import {PassThrough} from 'node:stream';
import {afterEach, beforeEach, expect, it} from 'vitest';
import {runCli} from '../../tui/shell/run.js';
import {startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {waitFor} from '../client/loopback-servers.js';
import {Sink, tempConfigDir} from './cli-helpers.js';

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
