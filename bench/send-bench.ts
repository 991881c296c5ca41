/**
 * npm run bench: a closed-loop load generator for durable `send`.
 *
 * Starts the built realmchatd as a child process (port 0, temp database), registers a sender and a recipient,
 * then for each concurrency C keeps C connections each with exactly one `send` in flight for a fixed time.
 * Reports requests/s, latency p50/p99, and the daemon's CPU use (from /proc, as % of one core).
 *
 *   npm run bench                       # C = 1, 16, 128; 5 s each after 1 s warm-up
 *   npm run bench -- --c 16 --seconds 10 --runs 3 --durability full
 */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {ChatClient} from '../common/client/index.js';
import {median, onReplies, openSocket} from './load-wire.js';
import {startRealmchatd} from './realmchatd-process.js';

interface Result {
  concurrency: number;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  cpuPercent: number;
  errors: number;
}

/** CPU time (user+system) of a process in seconds, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

async function runLoad(port: number, pid: number, token: string, concurrency: number, seconds: number, warmup: number): Promise<Result> {
  const sockets = await Promise.all(Array.from({length: concurrency}, () => openSocket(port)));
  const line = Buffer.from(`send ${token} bench_target hello from the load generator\r\n`);
  const latencies: number[] = [];
  let measuring = false;
  let running = true;
  let errors = 0;
  const done: Promise<void>[] = sockets.map((socket) => new Promise<void>((resolve) => {
    let sentAt = 0n;
    const fire = () => {
      if (!running) {
        resolve();
        return;
      }
      sentAt = process.hrtime.bigint();
      socket.write(line);
    };
    onReplies(socket, (ok) => {
      if (!ok) errors++;
      if (measuring) latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
      fire();
    });
    fire();
  }));
  await new Promise((resolve) => setTimeout(resolve, warmup * 1000));
  const cpu0 = cpuSeconds(pid);
  const t0 = process.hrtime.bigint();
  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = cpuSeconds(pid) - cpu0;
  running = false;
  await Promise.all(done);
  for (const socket of sockets) socket.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    concurrency, requests: latencies.length, seconds: elapsed, rps: latencies.length / elapsed,
    p50: at(0.5), p99: at(0.99), cpuPercent: (cpu / elapsed) * 100, errors,
  };
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    c: {type: 'string', multiple: true},
    seconds: {type: 'string', default: '5'},
    warmup: {type: 'string', default: '1'},
    runs: {type: 'string', default: '1'},
    durability: {type: 'string', default: 'normal'},
  }});
  const levels = (values.c ?? ['1', '16', '128']).map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-bench-'));
  const daemon = await startRealmchatd(['--port', '0', '--data', dir, '--log-level', 'warn', '--durability', values.durability]);
  const {child, port} = daemon;
  try {
    const setup = new ChatClient({host: '127.0.0.1', port});
    await setup.connect();
    const sender = await setup.register('bench_sender', 'pw', 'Bench Sender', 'lab');
    await setup.register('bench_target', 'pw', 'Bench Target', 'lab');
    await setup.close();
    const token = sender.tokenid as string;
    console.log(`realmchat send benchmark: closed loop, durability=${values.durability}, ${values.seconds}s per run, ` +
      `${values.runs} run(s) per level, daemon pid ${child.pid}`);
    console.log('    C      req/s   p50 ms   p99 ms   daemon CPU   errors');
    for (const concurrency of levels) {
      const runs: Result[] = [];
      for (let i = 0; i < Number(values.runs); i++) {
        runs.push(await runLoad(port, child.pid!, token, concurrency, Number(values.seconds), Number(values.warmup)));
      }
      const pick = (key: keyof Result) => median(runs.map((run) => run[key]));
      console.log(`${String(concurrency).padStart(5)} ${pick('rps').toFixed(0).padStart(10)} ${pick('p50').toFixed(3).padStart(8)} ` +
        `${pick('p99').toFixed(3).padStart(8)} ${pick('cpuPercent').toFixed(0).padStart(11)}% ${String(pick('errors')).padStart(8)}`);
    }
  } finally {
    child.kill('SIGTERM');
    await daemon.exited;
    rmSync(dir, {recursive: true, force: true});
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
