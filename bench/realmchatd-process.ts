/**
 * Starts the built realmchatd as a child process and waits for its start-up line. Shared by the benchmarks, the
 * demo and the tests that need a real process (kill -9, signals, flags).
 */
import {spawn, type ChildProcess} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {wrapperPrefix} from './proc-stats.js';

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

/** Where and how to start a child (benchmarks). */
export interface ChildPlacement {
  /** Pin the child to this CPU (through `taskset -c`). */
  cpu?: number;
  /** Raise the child's open-files soft limit to this (through `prlimit`, when it exists). */
  nofile?: number;
}

/** Spawns `realmchatd ARGS` and resolves once it prints its start-up line; rejects if it exits first. */
export function startRealmchatd(
  args: readonly string[], env: NodeJS.ProcessEnv = process.env, placement: ChildPlacement = {},
): Promise<RealmchatdProcess> {
  return startNodeChild(REALMCHATD_BIN, args, env, placement, 'realmchatd');
}

/** The environment variable through which `bench --cpu-prof DIR` asks every realmchatd it starts for a CPU profile. */
export const CPU_PROF_ENV = 'REALMCHAT_BENCH_CPU_PROF';

/** Node's own arguments for a realmchatd child: `--cpu-prof` into the folder the bench was given, if any. */
function profileArgs(env: NodeJS.ProcessEnv, label: string): string[] {
  const folder = env[CPU_PROF_ENV];
  return folder && label === 'realmchatd' ? ['--cpu-prof', `--cpu-prof-dir=${folder}`] : [];
}

/**
 * Spawns `node SCRIPT ARGS` (optionally pinned, with a raised descriptor limit; the wrappers exec, so `child.pid`
 * is node's) and resolves once it prints a line with `listening on HOST:PORT`; rejects if it exits first.
 */
export function startNodeChild(
  script: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, placement: ChildPlacement = {},
  label = script,
): Promise<RealmchatdProcess> {
  const [command, ...prefix] = [...wrapperPrefix(placement.cpu, placement.nofile), process.execPath];
  const child = spawn(command!, [...prefix, ...profileArgs(env, label), script, ...args], {env, stdio: ['ignore', 'pipe', 'pipe']});
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
    void exited.then((code) => reject(new Error(`${label} ${args.join(' ')} exited with ${code}:\n${err}`)));
  });
}
