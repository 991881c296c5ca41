/** Runs realmchat in-process with captured output and a temp config folder. */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {Readable, Writable} from 'node:stream';
import {runCli, type RunCliOptions} from '../../tui/shell/run.js';

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
