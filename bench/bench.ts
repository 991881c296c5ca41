/**
 * npm run bench: every workload of issue 8 in one invocation, each against a fresh realmchatd and against the bare
 * baseline server (bench/baseline-server.ts: the project's framing and reply codec, no storage, a fixed OK reply),
 * printed with the ratio daemon / baseline. A benchmark, never a test: nothing here asserts a timing.
 *
 *   npm run bench                                  # all workloads, 5 s each after 1 s of warm-up, 1 run
 *   npm run bench -- --only send16,pipelined --seconds 2 --runs 3
 *   npm run bench -- --durability full --conns 19000
 *   npm run bench -- --large                       # cost vs. history size: a 10M-message database vs. an empty one
 *   npm run bench -- --large --large-messages 1000000
 *
 * The servers run on CPU 0 and this load generator re-executes itself on CPU 1 (taskset) when the machine has 2+
 * CPUs; see docs/PERFORMANCE.md for what each workload measures.
 */
import {spawnSync} from 'node:child_process';
import {cpus} from 'node:os';
import {resolve} from 'node:path';
import {parseArgs} from 'node:util';
import {runLarge} from './large.js';
import {PG_WORKLOADS, pgWorkloads, runPostgresBench} from './pg-bench.js';
import {median} from './load-wire.js';
import {CPU_PROF_ENV} from './realmchatd-process.js';
import {nofileLimits, placement as choosePlacement, wrapperPrefix} from './proc-stats.js';
import type {ServerKind} from './servers.js';
import {WORKLOADS, type Figures, type Workload, type WorkloadOptions} from './workloads.js';

const HELP = `Usage: npm run bench -- [options]

Workloads (default: all): ${WORKLOADS.map((w) => w.name).join(', ')}

  --only NAME[,NAME]     run only these workloads (repeatable)
  --seconds S            measured seconds per run                  (default 5)
  --warmup S             warm-up seconds before measuring          (default 1)
  --runs N               runs per workload and server; medians     (default 1)
                         (--large: rounds per request kind, each on both databases)
  --durability MODE      the daemon's --durability: normal or full (default normal)
  --conns N              idle connections of the conns workload    (default 5000; capped by descriptor limits)
  --hog-window N         requests in flight on the fairness hog    (default 1000)
  --no-baseline          skip the baseline server (no ratios)
  --no-pin               do not pin servers to CPU 0 and the load to CPU 1
  --cpu-prof DIR         every realmchatd writes a V8 CPU profile (.cpuprofile) into DIR when it stops
  --large, --large-db    instead: per-request cost on a large database vs. an empty one
  --large-messages N     messages in the large database            (default 10000000)
  --large-requests N     sequential requests per measured request kind (default 2000, at most --seconds each)
  --cache-dir DIR        where large databases are kept            (default ~/.cache/realmchat-bench)
  --rebuild              rebuild the cached large database
  --store postgres       instead: ${PG_WORKLOADS.join(', ')} on one realm served by several
                         realmchatd processes on a private PostgreSQL cluster (load spread over them)
  --processes N[,N]      process counts of --store postgres (default 1,2,4); see docs/SCALING.md
`;

const PINNED_ENV = 'REALMCHAT_BENCH_PINNED';

function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '-';
  return value.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits});
}

function fmtMs(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value < 10 ? value.toFixed(3) : value.toFixed(1);
}

function medianFigures(runs: readonly Figures[]): Figures {
  const pick = (get: (f: Figures) => number) => median(runs.map(get));
  const keys = [...new Set(runs.flatMap((run) => Object.keys(run.extra)))];
  return {
    rate: pick((f) => f.rate), p50: pick((f) => f.p50), p99: pick((f) => f.p99), max: pick((f) => f.max),
    cpu: pick((f) => f.cpu), rssMiB: pick((f) => f.rssMiB), loadCpu: pick((f) => f.loadCpu), errors: pick((f) => f.errors),
    extra: Object.fromEntries(keys.map((key) => [key, pick((f) => f.extra[key] ?? NaN)])),
  };
}

/** The figure a workload compares to the baseline's. */
function compared(workload: Workload, figures: Figures): number {
  if (workload.compare === 'rate') return figures.rate;
  if (workload.compare === 'p99') return figures.p99;
  return figures.extra.rssPerConnKiB ?? NaN;
}

function describeCompared(workload: Workload, value: number): string {
  if (workload.compare === 'rate') return `${fmt(value)} ${workload.unit}`;
  if (workload.compare === 'p99') return `canary p99 ${fmtMs(value)} ms`;
  return `${fmt(value, 1)} KiB/conn`;
}

function ratioNote(workload: Workload): string {
  return workload.compare === 'rate' ? 'of baseline (higher is better)' : 'baseline\'s (lower is better)';
}

function line(kind: string, figures: Figures, workload: Workload): string {
  const main = workload.unit === 'conns' ? `${fmt(figures.rate)} conns` : `${fmt(figures.rate)} ${workload.unit}`;
  const extra = Object.entries(figures.extra)
    .filter(([, value]) => Number.isFinite(value))
    .map(([key, value]) => `${key}=${Number.isInteger(value) ? fmt(value) : fmt(value, value < 100 ? 2 : 0)}`).join(' ');
  return `${kind.padEnd(10)} ${main.padStart(16)}  p50 ${fmtMs(figures.p50).padStart(7)} ms  p99 ${fmtMs(figures.p99).padStart(7)} ms` +
    `  max ${fmtMs(figures.max).padStart(7)} ms  CPU ${fmt(figures.cpu).padStart(3)}%  RSS ${fmt(figures.rssMiB, 1).padStart(6)} MiB` +
    `  load CPU ${fmt(figures.loadCpu).padStart(3)}%  errors ${fmt(figures.errors)}${extra ? `  ${extra}` : ''}`;
}

interface Row {
  workload: Workload;
  baseline: Figures | undefined;
  daemon: Figures | undefined;
  failure?: string;
}

function summary(rows: readonly Row[], options: WorkloadOptions, runs: number): string {
  const out = [
    `| workload | baseline | realmchatd | ratio | realmchatd p50 / p99 ms | realmchatd CPU | realmchatd RSS | notes |`,
    `|---|---|---|---|---|---|---|---|`,
  ];
  for (const row of rows) {
    const {workload, baseline, daemon} = row;
    if (!daemon) {
      out.push(`| ${workload.name} | ${baseline ? describeCompared(workload, compared(workload, baseline)) : '-'} | failed | | | | | ${row.failure ?? ''} |`);
      continue;
    }
    const ratio = baseline ? compared(workload, daemon) / compared(workload, baseline) : NaN;
    const notes: string[] = [];
    if (workload.name.startsWith('relay')) notes.push(`delivery latency; sent ${fmt(daemon.extra['sent/s'] ?? NaN)}/s; baseline = acked sends/s`);
    if (workload.name === 'fairness') notes.push(`canary max ${fmtMs(daemon.max)} ms; hog ${fmt(daemon.rate)} req/s`);
    if (workload.name === 'conns') {
      notes.push(`${fmt(daemon.extra.connections ?? NaN)} conns; canary p99 ${fmtMs(daemon.extra['canary p99 before ms'] ?? NaN)} -> ` +
        `${fmtMs(daemon.extra['canary p99 after ms'] ?? NaN)} ms; RSS ${fmt(daemon.extra['RSS before MiB'] ?? NaN, 1)} -> ` +
        `${fmt(daemon.extra['RSS after MiB'] ?? NaN, 1)} MiB`);
    }
    if (workload.name === 'federation') {
      notes.push(`alpha CPU ${fmt(daemon.extra['alpha CPU %'] ?? NaN)}%, beta ${fmt(daemon.extra['beta CPU %'] ?? NaN)}%; ` +
        `queued ${fmt(daemon.extra.queued ?? 0)}`);
    }
    if (daemon.errors > 0) notes.push(`${fmt(daemon.errors)} errors`);
    if (daemon.loadCpu >= 90) notes.push(`load generator at ${fmt(daemon.loadCpu)}% CPU`);
    out.push(`| ${workload.name} | ${baseline ? describeCompared(workload, compared(workload, baseline)) : '-'} | ` +
      `${describeCompared(workload, compared(workload, daemon))} | ${Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '-'} | ` +
      `${fmtMs(daemon.p50)} / ${fmtMs(daemon.p99)} | ${fmt(daemon.cpu)} % | ${fmt(daemon.rssMiB, 1)} MiB | ${notes.join('; ')} |`);
  }
  out.push('', `${runs} run(s) of ${options.timing.measureMs / 1000} s per workload and server (medians), ` +
    `warm-up ${options.timing.warmupMs / 1000} s, durability ${options.durability}; ${options.placement.describe}.`);
  return out.join('\n');
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    only: {type: 'string', multiple: true},
    seconds: {type: 'string', default: '5'},
    warmup: {type: 'string', default: '1'},
    runs: {type: 'string', default: '1'},
    durability: {type: 'string', default: 'normal'},
    conns: {type: 'string', default: '5000'},
    'hog-window': {type: 'string', default: '1000'},
    'no-baseline': {type: 'boolean', default: false},
    'no-pin': {type: 'boolean', default: false},
    large: {type: 'boolean', default: false},
    'large-db': {type: 'boolean', default: false},
    'large-messages': {type: 'string', default: '10000000'},
    'large-requests': {type: 'string', default: '2000'},
    'cache-dir': {type: 'string'},
    rebuild: {type: 'boolean', default: false},
    'cpu-prof': {type: 'string'},
    store: {type: 'string', default: 'sqlite'},
    processes: {type: 'string', default: '1,2,4'},
    help: {type: 'boolean', default: false},
  }});
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const number = (name: string, value: string, min: number) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min) throw new Error(`--${name} must be a number >= ${min}, not "${value}"`);
    return parsed;
  };
  if (values.durability !== 'normal' && values.durability !== 'full') throw new Error('--durability must be normal or full');
  const placement = choosePlacement(!values['no-pin']);
  // Every realmchatd child writes a .cpuprofile there when it exits (its SIGTERM handler exits cleanly).
  if (values['cpu-prof']) process.env[CPU_PROF_ENV] = resolve(values['cpu-prof']);

  // The load generator on its own CPU (and with its descriptor soft limit at the hard one): re-execute once.
  const {soft, hard} = nofileLimits();
  if (!process.env[PINNED_ENV] && (placement.loadCpu !== undefined || (soft < hard && placement.prlimit))) {
    const prefix = wrapperPrefix(placement.loadCpu, soft < hard && Number.isFinite(hard) ? hard : undefined);
    const result = spawnSync(prefix[0]!, [...prefix.slice(1), process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)],
      {stdio: 'inherit', env: {...process.env, [PINNED_ENV]: '1'}});
    process.exit(result.status ?? 1);
  }

  const options: WorkloadOptions = {
    placement,
    durability: values.durability,
    timing: {warmupMs: number('warmup', values.warmup, 0) * 1000, measureMs: number('seconds', values.seconds, 0.1) * 1000},
    conns: number('conns', values.conns, 0),
    hogWindow: number('hog-window', values['hog-window'], 6),
  };
  const runs = number('runs', values.runs, 1);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`realmchat bench: Node ${process.version}, ${cpus().length} x ${cpu}; ${placement.describe}; ` +
    `durability ${options.durability}; load generator pid ${process.pid}, open-files limit ${nofileLimits().soft}`);

  if (values.large || values['large-db']) {
    await runLarge({
      ...options,
      messages: number('large-messages', values['large-messages'], 0),
      requests: number('large-requests', values['large-requests'], 1),
      runs,
      cacheDir: values['cache-dir'],
      rebuild: values.rebuild,
    });
    return;
  }

  const wanted = (values.only ?? []).flatMap((list) => list.split(',')).map((name) => name.trim()).filter(Boolean);
  for (const name of wanted) {
    if (!WORKLOADS.some((workload) => workload.name === name) && !(values.store === 'postgres' && PG_WORKLOADS.includes(name))) {
      throw new Error(`unknown workload "${name}"; workloads: ${WORKLOADS.map((w) => w.name).join(', ')}`);
    }
  }
  if (values.store === 'postgres') {
    const names = wanted.length ? wanted : PG_WORKLOADS;
    const counts = values.processes.split(',').map((count) => number('processes', count, 1));
    console.log(`${runs} run(s) x ${values.seconds} s (+ ${values.warmup} s warm-up) per workload and process count; ` +
      'a fresh database per run\n');
    await runPostgresBench(pgWorkloads(names), options, counts, {line, runs, medianOf: medianFigures});
    return;
  }
  if (values.store !== 'sqlite') throw new Error('--store must be sqlite or postgres');
  const selected = wanted.length ? WORKLOADS.filter((workload) => wanted.includes(workload.name)) : WORKLOADS;
  const kinds: ServerKind[] = values['no-baseline'] ? ['realmchatd'] : ['baseline', 'realmchatd'];
  console.log(`${runs} run(s) x ${values.seconds} s (+ ${values.warmup} s warm-up) per workload and server, the servers in turn; a fresh server per run\n`);

  const rows: Row[] = [];
  for (const workload of selected) {
    console.log(`== ${workload.name}: ${workload.title}`);
    console.log(`   latency: ${workload.latency}`);
    const row: Row = {workload, baseline: undefined, daemon: undefined};
    // The servers take turns run by run (the order flips each round): this machine's speed drifts within minutes,
    // and all the baseline's runs before all the daemon's would put that drift into the ratio.
    const results = new Map<ServerKind, Figures[]>(kinds.map((kind) => [kind, []]));
    for (let run = 1; run <= runs; run++) {
      for (const kind of run % 2 === 1 ? kinds : [...kinds].reverse()) {
        const done = results.get(kind);
        if (!done) continue; // failed in an earlier run
        try {
          const figures = await workload.run(kind, options);
          done.push(figures);
          if (runs > 1) console.log(`   run ${run} ${line(kind, figures, workload)}`);
        } catch (error) {
          row.failure = `${kind}: ${(error as Error).message.split('\n')[0]}`;
          console.log(`   ${kind} FAILED: ${(error as Error).stack ?? String(error)}`);
          results.delete(kind);
        }
      }
    }
    for (const [kind, done] of results) {
      const figures = medianFigures(done);
      if (kind === 'baseline') row.baseline = figures;
      else row.daemon = figures;
      console.log(`   ${runs > 1 ? 'median ' : ''}${line(kind, figures, workload)}`);
      if (figures.loadCpu >= 90) {
        console.log(`   note: the load generator used ${fmt(figures.loadCpu)}% of its CPU: here Node as a load generator may be ` +
          `the limit, not the ${kind}`);
      }
    }
    if (row.baseline && row.daemon) {
      const ratio = compared(workload, row.daemon) / compared(workload, row.baseline);
      console.log(`   realmchatd / baseline: ${ratio.toFixed(2)}x ${ratioNote(workload)}`);
    }
    console.log('');
    rows.push(row);
  }
  console.log('Summary (Markdown):\n');
  console.log(summary(rows, options, runs));
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
