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
import {connect, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {startRealmchatd} from './realmchatd-process.js';

const TERMINATOR = Buffer.from('\r\n\r\n');

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

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** One request/reply over a fresh connection (set-up only). */
async function request(port: number, line: string): Promise<Record<string, unknown>> {
  const socket = await open(port);
  return new Promise((resolve) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk;
      if (buffer.endsWith('\r\n\r\n')) {
        socket.destroy();
        resolve(JSON.parse(buffer));
      }
    });
    socket.write(line + '\r\n');
  });
}

async function runLoad(port: number, pid: number, token: string, concurrency: number, seconds: number, warmup: number): Promise<Result> {
  const sockets = await Promise.all(Array.from({length: concurrency}, () => open(port)));
  const line = Buffer.from(`send ${token} bench_target hello from the load generator\r\n`);
  const latencies: number[] = [];
  let measuring = false;
  let running = true;
  let errors = 0;
  const done: Promise<void>[] = sockets.map((socket) => new Promise<void>((resolve) => {
    let sentAt = 0n;
    let pending: Buffer = Buffer.alloc(0);
    const fire = () => {
      if (!running) {
        resolve();
        return;
      }
      sentAt = process.hrtime.bigint();
      socket.write(line);
    };
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let end;
      while ((end = pending.indexOf(TERMINATOR)) !== -1) {
        if (pending[11] !== 0x4f) errors++; // {"status":"OK"… has 'O' at offset 11
        pending = pending.subarray(end + 4);
        if (measuring) latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
        fire();
      }
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
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
    const sender = await request(port, 'register bench_sender pw Bench_Sender lab');
    await request(port, 'register bench_target pw Bench_Target lab');
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
