/**
 * Starts the built realmchatd as a child process and waits for its start-up line. Shared by the benchmarks, the
 * demo and the tests that need a real process (kill -9, signals, flags).
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';

/** The built daemon entry point (dist/daemon/cli.js), found from this file's place in dist/bench or bench/. */
export const REALMCHATD_BIN = fileURLToPath(new URL(
  import.meta.url.includes('/dist/') ? '../daemon/cli.js' : '../dist/daemon/cli.js', import.meta.url));

/** A running realmchatd child. */
export interface RealmchatdProcess {
  child: ChildProcess;
  /** The port from the start-up line (useful with --port 0). */
  port: number;
  /** The start-up line. */
  line: string;
  /** Resolves when the process has exited, with its exit code (null after a signal). */
  exited: Promise<number | null>;
}

/** Spawns `realmchatd ARGS` and resolves once it prints its start-up line; rejects if it exits first. */
export function startRealmchatd(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<RealmchatdProcess> {
  const child = spawn(process.execPath, [REALMCHATD_BIN, ...args], {env, stdio: ['ignore', 'pipe', 'pipe']});
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk) => (err += chunk));
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on [\d.:a-f[\]]+:(\d+)/.exec(out);
      if (match) resolve({child, port: Number(match[1]), line: out.trim().split('\n')[0]!, exited});
    });
    void exited.then((code) => reject(new Error(`realmchatd ${args.join(' ')} exited with ${code}:\n${err}`)));
  });
}
