/** Runs realmchat in-process with captured output and a temp config folder. */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Readable, Writable} from 'node:stream';
import {afterEach, beforeEach} from 'vitest';
import {runCli, type RunCliOptions} from '../../tui/shell/run.js';
import {startDaemon, type TestDaemon} from '../helpers/daemon.js';

/** A writable stream that keeps what was written. */
export class Sink extends Writable {
  text = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** The outcome of one run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temp config folder per test; `remove()` deletes it. */
export function tempConfigDir(): {dir: string; remove(): void} {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-conf-'));
  return {dir, remove: () => rmSync(dir, {recursive: true, force: true})};
}

/** Runs `realmchat ...argv` in-process; `input` becomes stdin (for repl). */
export async function cli(
  argv: string[], configDir: string, options: Partial<RunCliOptions> & {input?: string} = {},
): Promise<CliResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const {input, ...rest} = options;
  const code = await runCli(argv, {
    stdout, stderr, configDir, env: {}, isTTY: false, startTui: null,
    ...(input === undefined ? {} : {stdin: Readable.from([input])}),
    ...rest,
  });
  return {code, stdout: stdout.text, stderr: stderr.text};
}

/**
 * A daemon per test and config folders made on demand, removed after each test (registers the vitest hooks where it
 * is called). `server()`: the `--server` option of the test's daemon; `user()`: a new config folder.
 */
export function daemonPerTest(extra: Parameters<typeof startDaemon>[1] = {}): {server: () => string[]; user: () => string} {
  let daemon: TestDaemon | undefined;
  const cleanups: Array<() => void> = [];
  beforeEach(async () => {
    daemon = await startDaemon({}, extra);
  });
  afterEach(async () => {
    await daemon?.cleanup();
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  return {
    server: () => ['--server', `127.0.0.1:${daemon!.port}`],
    user() {
      const conf = tempConfigDir();
      cleanups.push(conf.remove);
      return conf.dir;
    },
  };
}
