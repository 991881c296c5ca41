/**
 * `npm run bench -- --large`: is a request's cost flat in the size of the history?
 *
 * Builds (once, then cached by size and schema) a database of `--large-messages` messages (default 10 million,
 * mixed private and group, see FixtureSpec.bulk in fixtures.ts): the user `big` has a tenth of them as read
 * messages in one conversation with `bigpeer`, `town` is a group of 502 members, 200 more groups of 10, 10,000
 * background users. The reference database has the same users and groups and only the pages the requests read
 * (200 messages in big <-> bigpeer and in town). realmchatd is started on both at once, and on one connection per
 * user, one request at a time, each request kind below is timed (median and p99 round trip) with the daemon's CPU
 * time per request, on one database then on the other, `--runs` rounds alternating which goes first (medians).
 * Printed with the ratio large / empty (the issue's target: <= 1.5x).
 */
import type {Socket} from 'node:net';
import {performance} from 'node:perf_hooks';
import {cachedFixtureDb, defaultCacheDir, type FixtureIds, type FixtureSpec} from './fixtures.js';
import {LatencyRecorder, median, openSocket, ReplyScanner, sleep} from './load-wire.js';
import {cpuSeconds, rssKiB} from './proc-stats.js';
import {login, startDaemon} from './servers.js';
import {TEXT_32, type WorkloadOptions} from './workloads.js';

export interface LargeOptions extends WorkloadOptions {
  messages: number;
  /** Sequential requests per request kind (bounded by --seconds). */
  requests: number;
  /** Rounds per request kind, each timing it on both databases (`--runs`); figures are medians. */
  runs: number;
  cacheDir: string | undefined;
  rebuild: boolean;
}

/** The realm name of the daemon (realmchatd's default): `getrealminbox` of one's own realm reads local senders. */
const REALM = 'alpha';

function largeSpec(messages: number): FixtureSpec {
  return {
    users: ['big', 'bigpeer', 'fresh', 'sender', 'sink'],
    backgroundUsers: 10_000,
    groups: [{name: 'town', members: ['bigpeer', 'big'], backgroundMembers: 500}],
    bulk: {messages, a: 'big', b: 'bigpeer', bigGroup: 'town', smallGroups: 200},
    // The newest pages, the same in both databases, so replies have the same size.
    conversations: [{from: 'bigpeer', to: 'big', count: 200, bodyBytes: 40, read: true}],
    groupMessages: [{group: 'town', sender: 'bigpeer', count: 200, bodyBytes: 40, read: true}],
  };
}

interface Cost {
  count: number;
  p50: number;
  p99: number;
  /** Daemon CPU per request, µs. */
  cpuUs: number;
  errors: number;
}

/** Sends `line` on `socket` one at a time, up to `count` times or `maxMs`; times each round trip. */
async function sequential(socket: Socket, pid: number, line: string, count: number, maxMs: number): Promise<Cost> {
  const rtt = new LatencyRecorder();
  const scanner = new ReplyScanner();
  const bytes = Buffer.from(`${line}\r\n`);
  const cpu0 = cpuSeconds(pid);
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let sentAt = performance.now();
    const onData = (chunk: Buffer) => {
      if (scanner.scan(chunk) === 0) return;
      const now = performance.now();
      rtt.record(now - sentAt);
      if (rtt.count >= count || now - start >= maxMs) {
        socket.off('data', onData);
        resolve();
        return;
      }
      sentAt = now;
      socket.write(bytes);
    };
    socket.on('data', onData);
    socket.write(bytes);
  });
  const cpu = cpuSeconds(pid) - cpu0;
  return {count: rtt.count, p50: rtt.quantile(0.5), p99: rtt.quantile(0.99), cpuUs: (cpu / rtt.count) * 1e6, errors: scanner.errors};
}

interface Probe {
  label: string;
  user: 'big' | 'fresh' | 'sender';
  line: (token: string, ids: FixtureIds) => string;
}

function probes(readCount: number): Probe[] {
  const deep = (ids: FixtureIds) => ids.deepId ?? ids.conversations[0]!.first + 100;
  return [
    {label: `inbox (empty poll; user with ${readCount.toLocaleString('en-US')} read)`, user: 'big', line: (t) => `inbox ${t}`},
    {label: 'inbox (empty poll; fresh user)', user: 'fresh', line: (t) => `inbox ${t}`},
    {label: 'send', user: 'sender', line: (t) => `send ${t} sink ${TEXT_32} `},
    {label: 'history bigpeer 50', user: 'big', line: (t) => `history ${t} bigpeer 50`},
    {label: 'history bigpeer 50 <deep before_id>', user: 'big', line: (t, ids) => `history ${t} bigpeer 50 ${deep(ids)}`},
    {label: 'history group:town 50', user: 'big', line: (t) => `history ${t} group:town 50`},
    {label: 'groups', user: 'big', line: (t) => `groups ${t}`},
    {label: 'conversations', user: 'big', line: (t) => `conversations ${t}`},
    {label: 'seen bigpeer <newest> (a marker already there)', user: 'big', line: (t, ids) => `seen ${t} bigpeer ${ids.conversations[0]!.last}`},
    {label: 'search fixture (200 recent matches)', user: 'big', line: (t) => `search ${t} fixture`},
    {label: 'search message (every message matches)', user: 'big', line: (t) => `search ${t} message`},
    {label: 'search fix bigpeer (prefix, one conversation)', user: 'big', line: (t) => `search ${t} fix bigpeer`},
    {label: `getrealminbox ${REALM} (user with ${readCount.toLocaleString('en-US')} read)`, user: 'big', line: (t) => `getrealminbox ${t} ${REALM}`},
  ];
}

/** One started daemon on a fixture database, with a logged-in connection per user. */
interface Measured {
  name: 'empty' | 'large';
  pid: number;
  startSeconds: number;
  tokens: Record<string, string>;
  connections: Record<string, Socket>;
  stop(): Promise<void>;
}

async function openMeasured(name: Measured['name'], dataDir: string, options: LargeOptions): Promise<Measured> {
  const t0 = performance.now();
  const server = await startDaemon(options, {users: []}, [], dataDir);
  const startSeconds = (performance.now() - t0) / 1000;
  const sockets: Socket[] = [];
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  };
  try {
    const tokens: Record<string, string> = {};
    const connections: Record<string, Socket> = {};
    for (const user of ['big', 'fresh', 'sender']) {
      const socket = await openSocket(server.ports[0]!);
      sockets.push(socket);
      connections[user] = socket;
      tokens[user] = await login(socket, user);
    }
    return {name, pid: server.pids[0]!, startSeconds, tokens, connections, stop};
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Warms up and times one request kind on one daemon. */
async function measureProbe(daemon: Measured, ids: FixtureIds, probe: Probe, options: LargeOptions): Promise<Cost> {
  const line = probe.line(daemon.tokens[probe.user]!, ids);
  const socket = daemon.connections[probe.user]!;
  const maxMs = options.timing.measureMs;
  const warmupCount = Math.max(1, Math.min(100, Math.floor(options.requests / 10)));
  await sequential(socket, daemon.pid, line, warmupCount, Math.min(options.timing.warmupMs, maxMs));
  const cost = await sequential(socket, daemon.pid, line, options.requests, maxMs);
  console.log(`   ${daemon.name.padEnd(6)} ${probe.label.padEnd(58)} p50 ${(cost.p50 * 1000).toFixed(0).padStart(8)} µs  ` +
    `p99 ${(cost.p99 * 1000).toFixed(0).padStart(8)} µs  CPU ${cost.cpuUs.toFixed(0).padStart(8)} µs/req  ` +
    `(${cost.count} requests${cost.errors ? `, ${cost.errors} errors` : ''})`);
  return cost;
}

/** The median of each figure over the rounds of one request kind. */
function medianCost(costs: readonly Cost[]): Cost {
  const pick = (get: (cost: Cost) => number) => median(costs.map(get));
  return {count: pick((c) => c.count), p50: pick((c) => c.p50), p99: pick((c) => c.p99), cpuUs: pick((c) => c.cpuUs),
    errors: costs.reduce((sum, c) => sum + c.errors, 0)};
}

export async function runLarge(options: LargeOptions): Promise<void> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = (text: string) => console.log(`   ${text}`);
  const readCount = Math.floor(options.messages / 10) + 200;
  console.log(`== large: per-request cost with ${options.messages.toLocaleString('en-US')} stored messages vs. an empty ` +
    `database (cache ${cacheDir})`);
  const empty = await cachedFixtureDb(cacheDir, 'empty', largeSpec(0), options.rebuild, log);
  const large = await cachedFixtureDb(cacheDir, `large-${options.messages}`, largeSpec(options.messages), options.rebuild, log);
  const list = probes(readCount);
  console.log(`   one connection per user, one request at a time, up to ${options.requests} requests or ` +
    `${options.timing.measureMs / 1000} s per kind after a short warm-up; each kind on both databases in turn, ` +
    `${options.runs} round(s) (medians)`);
  // Both daemons run at once (the idle one costs nothing) and each request kind is timed on one, then on the
  // other, alternating which goes first round by round: this machine's speed drifts within minutes, and timing
  // every kind on the empty database before any on the large one measured that drift as growth.
  const rounds = options.runs;
  const small = await openMeasured('empty', empty.dataDir, options);
  let big: Measured | undefined;
  const smallCosts: Cost[] = [];
  const bigCosts: Cost[] = [];
  try {
    big = await openMeasured('large', large.dataDir, options);
    for (const probe of list) {
      const onSmall: Cost[] = [];
      const onBig: Cost[] = [];
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [small, big] : [big, small];
        for (const daemon of order) {
          const cost = await measureProbe(daemon, daemon === small ? empty.ids : large.ids, probe, options);
          (daemon === small ? onSmall : onBig).push(cost);
        }
      }
      smallCosts.push(medianCost(onSmall));
      bigCosts.push(medianCost(onBig));
    }
    await sleep(50);
    console.log(`   daemon start-up: empty ${small.startSeconds.toFixed(2)} s, large ${big.startSeconds.toFixed(2)} s; ` +
      `RSS after: empty ${(rssKiB(small.pid) / 1024).toFixed(1)} MiB, large ${(rssKiB(big.pid) / 1024).toFixed(1)} MiB`);
  } finally {
    await big?.stop();
    await small.stop();
  }
  console.log('\nSummary (Markdown):\n');
  console.log('| request | empty p50 µs | large p50 µs | ratio | empty CPU µs/req | large CPU µs/req | CPU ratio |');
  console.log('|---|---|---|---|---|---|---|');
  list.forEach((probe, i) => {
    const a = smallCosts[i]!;
    const b = bigCosts[i]!;
    const flag = b.p50 / a.p50 > 1.5 ? ' **' : '';
    console.log(`| ${probe.label} | ${(a.p50 * 1000).toFixed(0)} | ${(b.p50 * 1000).toFixed(0)} | ` +
      `${(b.p50 / a.p50).toFixed(2)}x${flag} | ${a.cpuUs.toFixed(0)} | ${b.cpuUs.toFixed(0)} | ${(b.cpuUs / a.cpuUs).toFixed(2)}x |`);
  });
  console.log(`\nlarge = ${options.messages.toLocaleString('en-US')} messages; empty = the same users and groups, 400 messages. ` +
    `** = over the 1.5x target. ${options.runs} round(s) per kind, the two databases in turn (medians). ` +
    `Durability ${options.durability}; ${options.placement.describe}.`);
}
