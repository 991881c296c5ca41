/**
 * npm run bench:startup: how long a one-shot shell command takes as a whole process (issue 12, point 15), against
 * the start-up of a bare `node -e 0` on the same machine. A fresh realmchatd runs on a temp data folder; a user is
 * registered in a temp config folder; then `realmchat send bob hi` and `node -e 0` run in turn (A B A B …, after a
 * warm-up of each), and the medians and the median of the per-pair ratios are printed. The aim is a ratio within 2×.
 * A benchmark, never a test: nothing here asserts a timing.
 *
 *   npm run bench:startup
 *   npm run bench:startup -- --runs 40
 *   npm run bench:startup -- --command 'inbox'          # another one-shot command (its words after realmchat)
 */
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {median} from './load-wire.js';
import {startRealmchatd} from './realmchatd-process.js';

const HELP = `Usage: npm run bench:startup -- [options]

  --runs N          timed runs of each command, after 3 warm-up runs   (default 20)
  --command WORDS   the one-shot command to time, after "realmchat"    (default "send bob hi")
`;

/** The built client entry point (dist/tui/cli.js), from this file's place in dist/bench or bench/. */
const REALMCHAT_BIN = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../tui/cli.js' : '../dist/tui/cli.js', import.meta.url));

/** Runs a command to its end; its wall time in ms (throws when it fails). */
function timed(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {env, stdio: ['ignore', 'ignore', 'pipe']});
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}: ${result.stderr.toString()}`);
  return ms;
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {runs: {type: 'string'}, command: {type: 'string'}, help: {type: 'boolean', short: 'h'}}});
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const runs = Math.max(1, Number(values.runs ?? 20));
  const words = (values.command ?? 'send bob hi').split(/\s+/).filter((word) => word !== '');
  const data = mkdtempSync(join(tmpdir(), 'realmchat-startup-data-'));
  const configHome = mkdtempSync(join(tmpdir(), 'realmchat-startup-config-'));
  const daemon = await startRealmchatd(['--port', '0', '--data', data, '--log-level', 'error']);
  try {
    const env = {...process.env, XDG_CONFIG_HOME: configHome, NO_COLOR: '1'};
    timed([REALMCHAT_BIN, '--server', `127.0.0.1:${daemon.port}`, 'register', 'bob', 'pw', 'Bob', 'id'], env);
    const client = [REALMCHAT_BIN, ...words];
    const bare = ['-e', '0'];
    for (let i = 0; i < 3; i++) {
      timed(client, env);
      timed(bare, env);
    }
    const a: number[] = [];
    const b: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      a.push(timed(client, env));
      b.push(timed(bare, env));
      ratios.push(a.at(-1)! / b.at(-1)!);
    }
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    process.stdout.write([
      `one-shot start-up, ${runs} runs each, alternated (whole process, wall time)`,
      `  realmchat ${words.join(' ')}  median ${ms(median(a))}  (min ${ms(Math.min(...a))}, max ${ms(Math.max(...a))})`,
      `  node -e 0${' '.repeat(Math.max(0, words.join(' ').length + 1))}  median ${ms(median(b))}  (min ${ms(Math.min(...b))}, max ${ms(Math.max(...b))})`,
      `  ratio, median of pairs: ${median(ratios).toFixed(2)}× (aim: within 2×)`,
      '',
    ].join('\n'));
  } finally {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    rmSync(data, {recursive: true, force: true});
    rmSync(configHome, {recursive: true, force: true});
  }
}

await main();
