/**
 * The workloads of `npm run bench`. Each runs once against a fresh server (the baseline or realmchatd) and returns
 * its figures; bench.ts runs each on both, takes medians over --runs and prints ratios.
 *
 * The hot loops never parse JSON: replies are counted with ReplyScanner (LF bytes, status byte), writes are
 * batched (the lines to send after one read go out in one write), and latencies go into a Float64Array.
 */
import type {Socket} from 'node:net';
import {performance} from 'node:perf_hooks';
import type {FixtureSpec} from './fixtures.js';
import {LatencyRecorder, onReplyBytes, openSocket, ReplyScanner, requestOnce, sleep} from './load-wire.js';
import type {PgRealmSettings} from './pg-realm.js';
import {startPgRealm} from './pg-realm.js';
import {cpuSeconds, nofileLimits, rssKiB} from './proc-stats.js';
import {login, startBaseline, startDaemon, startFederation, type RunSettings, type Server, type ServerKind} from './servers.js';

/** Timing of one run. */
export interface Timing {
  warmupMs: number;
  measureMs: number;
}

/** The figures of one run of one workload on one server. */
export interface Figures {
  /** The workload's throughput: requests or messages per second (see Workload.unit). */
  rate: number;
  /** Latency quantiles in ms (what they time depends on the workload, see Workload.latency). */
  p50: number;
  p99: number;
  max: number;
  /** CPU use of the server process(es) over the measured window, % of one core (summed over processes). */
  cpu: number;
  /** Resident memory of the server process(es) at the end of the window, MiB (summed). */
  rssMiB: number;
  /** CPU use of this load generator over the window, % of one core. */
  loadCpu: number;
  /** Replies with status ERROR. */
  errors: number;
  /** Workload-specific figures, printed as `key=value`. */
  extra: Record<string, number>;
}

/** Options the workloads read. */
export interface WorkloadOptions extends RunSettings {
  timing: Timing;
  /** Idle connections of the `conns` workload. */
  conns: number;
  /** Requests in flight on the fairness hog connection. */
  hogWindow: number;
  /** `--store postgres`: realmchatd is N processes of one realm on this cluster (the load spread over them). */
  pg?: PgRealmSettings;
}

export interface Workload {
  name: string;
  /** One line: what the load is. */
  title: string;
  unit: 'req/s' | 'msg/s' | 'conns';
  /** What p50/p99 time. */
  latency: string;
  /** The figure compared to the baseline's: higher is better for rate, lower for the others. */
  compare: 'rate' | 'p99' | 'rssPerConnKiB';
  run(kind: ServerKind, options: WorkloadOptions): Promise<Figures>;
}

/** A 32-byte message text, as in the issue's measurements. */
export const TEXT_32 = 'hello from the load generator 32';

const OK_QUEUED_OFFSET = '{"status":"OK","message":"Message '.length;

// ---- measuring ----

interface Window {
  seconds: number;
  cpu: number;
  rssMiB: number;
  loadCpu: number;
  perPid: {cpu: number; rssMiB: number}[];
  /** CPU-seconds of each server process over the window. */
  cpuSeconds: number[];
  /** CPU-seconds of the database server's processes over the window (undefined: no database server). */
  dbCpuSeconds?: number;
}

/** Waits out the warm-up, then measures `measureMs` between start() and stop() calls; reads /proc around it. */
async function measure(
  pids: readonly number[], timing: Timing, start: () => void, stop: () => void, dbPids?: () => number[],
): Promise<Window> {
  await sleep(timing.warmupMs);
  const db = dbPids?.() ?? [];
  const db0 = db.map(cpuSeconds);
  const cpu0 = pids.map(cpuSeconds);
  const load0 = process.cpuUsage();
  const t0 = performance.now();
  start();
  await sleep(timing.measureMs);
  stop();
  const seconds = (performance.now() - t0) / 1000;
  const load = process.cpuUsage(load0);
  const used = pids.map((pid, i) => cpuSeconds(pid) - cpu0[i]!);
  const perPid = pids.map((pid, i) => ({cpu: (used[i]! / seconds) * 100, rssMiB: rssKiB(pid) / 1024}));
  // A backend that exited meanwhile reads NaN: its CPU after the start is lost, so it counts as 0.
  const dbUsed = db.reduce((sum, pid, i) => sum + (Number.isNaN(cpuSeconds(pid)) ? 0 : cpuSeconds(pid) - db0[i]!), 0);
  return {
    cpuSeconds: used,
    ...(dbPids ? {dbCpuSeconds: dbUsed} : {}),
    seconds,
    cpu: perPid.reduce((sum, p) => sum + p.cpu, 0),
    rssMiB: perPid.reduce((sum, p) => sum + p.rssMiB, 0),
    loadCpu: ((load.user + load.system) / 1e6 / seconds) * 100,
    perPid,
  };
}

/** Opens `count` sockets and logs each in as `userOf(i)`; returns them with their tokens. */
async function openLoggedIn(
  port: number | readonly number[], count: number, userOf: (index: number) => string,
): Promise<{sockets: Socket[]; tokens: string[]}> {
  // Several ports (the processes of one realm): connection i goes to port i mod n.
  const ports = typeof port === 'number' ? [port] : port;
  const sockets: Socket[] = [];
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 64) {
    const wave = await Promise.all(Array.from({length: Math.min(64, count - i)}, async (_, k) => {
      const socket = await openSocket(ports[(i + k) % ports.length]!);
      return {socket, token: await login(socket, userOf(i + k))};
    }));
    for (const {socket, token} of wave) {
      sockets.push(socket);
      tokens.push(token);
    }
  }
  return {sockets, tokens};
}

interface DriveResult {
  count: number;
  errors: number;
  flagged: number;
  latencies: LatencyRecorder;
  window: Window;
}

/**
 * Keeps `window` copies of `lines[i]` in flight on `sockets[i]` (window 1 = closed loop): the first `window` lines
 * in one write, then after each read as many lines as replies it completed, in one write. Counts replies (and
 * those flagged, see ReplyScanner) and their latencies during the measured window.
 */
async function drive(
  sockets: readonly Socket[], lines: readonly Buffer[], window: number, pids: readonly number[], timing: Timing,
  flag?: {offset: number; byte: number}, dbPids?: () => number[],
): Promise<DriveResult> {
  const latencies = new LatencyRecorder();
  let measuring = false;
  let running = true;
  let count = 0;
  const scanners = sockets.map(() => new ReplyScanner(flag?.offset, flag?.byte));
  sockets.forEach((socket, index) => {
    const line = lines[index]!;
    const batch = Buffer.concat(Array.from({length: window}, () => line));
    const sentAt = new Float64Array(window);
    const scanner = scanners[index]!;
    let head = 0;
    let tail = 0;
    socket.on('data', (chunk: Buffer) => {
      const n = scanner.scan(chunk);
      if (n === 0) return;
      const now = performance.now();
      if (measuring) {
        count += n;
        for (let k = 0; k < n; k++) latencies.record(now - sentAt[(head + k) % window]!);
      }
      head += n;
      if (!running) return;
      socket.write(n === window ? batch : batch.subarray(0, n * line.length));
      for (let k = 0; k < n; k++) sentAt[tail++ % window] = now;
    });
    socket.on('error', () => undefined);
    const now = performance.now();
    for (let k = 0; k < window; k++) sentAt[tail++ % window] = now;
    socket.write(batch);
  });
  const sum = (key: 'errors' | 'flagged') => scanners.reduce((total, scanner) => total + scanner[key], 0);
  let errors0 = 0;
  let flagged0 = 0;
  const result = await measure(pids, timing, () => {
    measuring = true;
    errors0 = sum('errors');
    flagged0 = sum('flagged');
  }, () => {
    measuring = false;
    running = false;
  }, dbPids);
  return {count, errors: sum('errors') - errors0, flagged: sum('flagged') - flagged0, latencies, window: result};
}

function figures(rate: number, latencies: LatencyRecorder, window: Window, errors: number, extra: Record<string, number> = {}): Figures {
  if (window.dbCpuSeconds !== undefined) {
    // Several processes on PostgreSQL: CPU per message (µs) of each process and of the database server.
    const messages = rate * window.seconds;
    window.cpuSeconds.forEach((used, i) => { extra[`p${i} cpu us/msg`] = (used / messages) * 1e6; });
    extra['pg cpu us/msg'] = (window.dbCpuSeconds / messages) * 1e6;
  }
  return {
    rate, p50: latencies.quantile(0.5), p99: latencies.quantile(0.99), max: latencies.max,
    cpu: window.cpu, rssMiB: window.rssMiB, loadCpu: window.loadCpu, errors, extra,
  };
}

async function withServer<T>(server: Server, fn: (server: Server) => Promise<T>, sockets: Socket[] = []): Promise<T> {
  try {
    return await fn(server);
  } finally {
    for (const socket of sockets) socket.destroy();
    await server.stop();
  }
}

async function start(kind: ServerKind, options: WorkloadOptions, fixture: FixtureSpec): Promise<Server> {
  if (kind === 'realmchatd' && options.pg) return startPgRealm(options, options.pg, fixture.users);
  return kind === 'baseline' ? startBaseline(options) : startDaemon(options, fixture);
}

// ---- 1-3: send ----

function sendWorkload(name: string, connections: number, window: number): Workload {
  return {
    name,
    title: window === 1
      ? `send, ${connections} connections, 1 in flight each (closed loop)`
      : `send, ${connections} connections x ${window} pipelined`,
    unit: 'req/s',
    latency: 'request round trip',
    compare: 'rate',
    async run(kind, options) {
      const users = Array.from({length: Math.min(connections, 16)}, (_, i) => `sender${i}`);
      const server = await start(kind, options, {users: [...users, 'target']});
      const {sockets, tokens} = await openLoggedIn(server.ports, connections, (i) => users[i % users.length]!);
      return withServer(server, async () => {
        const lines = tokens.map((token) => Buffer.from(`send ${token} target ${TEXT_32} \r\n`));
        const result = await drive(sockets, lines, window, server.pids, options.timing, undefined, server.dbPids);
        return figures(result.count / result.window.seconds, result.latencies, result.window, result.errors);
      }, sockets);
    },
  };
}

// ---- 4-5: relay ----

const STAMP_MARK = Buffer.from('"msg":"T');
const STAMP_DIGITS = 12;

/** A 32-byte text carrying the send time: `T` + 12 digits of performance.now() in µs + filler. */
function stampedText(now: number): string {
  return `T${String(Math.round(now * 1000)).padStart(STAMP_DIGITS, '0')}abcdefghijklmnopqrs`;
}

/**
 * Senders write to receivers (sender i to receiver i, `window` sends in flight each); receivers poll or long-poll.
 * `--store postgres` adds `wakeup` (one pair, one send in flight): the bare cross-process wake-up latency.
 */
export function relayWorkload(name: string, longPoll: boolean, pairs = 8, window = 16): Workload {
  return {
    name,
    title: `relay, ${pairs} senders (<= ${window} in flight) -> ${pairs} receivers ${longPoll ? 'long-polling `inbox 25`' : 'polling `inbox` back to back'}`,
    unit: 'msg/s',
    latency: 'delivery (send written -> seen in an inbox reply); baseline: send round trip',
    compare: 'rate',
    async run(kind, options) {
      const senders = Array.from({length: pairs}, (_, i) => `s${i}`);
      const receivers = Array.from({length: pairs}, (_, i) => `r${i}`);
      const server = await start(kind, options, {users: [...senders, ...receivers]});
      // With several processes each receiver long-polls another process than its sender's: cross-process wake-ups.
      const out = await openLoggedIn(server.ports, pairs, (i) => senders[i]!);
      const into = await openLoggedIn([...server.ports.slice(1), server.ports[0]!], pairs, (i) => receivers[i]!);
      return withServer(server, async () => {
        let measuring = false;
        let running = true;
        let delivered = 0;
        let acked = 0;
        let errors = 0;
        const delivery = new LatencyRecorder();
        const roundTrip = new LatencyRecorder();
        out.sockets.forEach((socket, i) => {
          const prefix = `send ${out.tokens[i]!} ${receivers[i]!} `;
          const scanner = new ReplyScanner();
          const sentAt: number[] = [];
          const sendMany = (n: number) => {
            const now = performance.now();
            let text = '';
            for (let k = 0; k < n; k++) {
              text += `${prefix}${stampedText(now)} \r\n`;
              sentAt.push(now);
            }
            socket.write(text);
          };
          socket.on('data', (chunk: Buffer) => {
            const n = scanner.scan(chunk);
            if (n === 0) return;
            const now = performance.now();
            const sent = sentAt.splice(0, n);
            if (measuring) {
              acked += n;
              for (const at of sent) roundTrip.record(now - at);
            }
            if (running) sendMany(n);
          });
          socket.on('error', () => undefined);
          sendMany(window);
        });
        into.sockets.forEach((socket, i) => {
          const line = `inbox ${into.tokens[i]!}${longPoll ? ' 25' : ''}\r\n`;
          onReplyBytes(socket, (reply) => {
            const now = performance.now();
            if (reply[11] !== 0x4f) errors++;
            let at = reply.indexOf(STAMP_MARK);
            while (at !== -1) {
              const digits = at + STAMP_MARK.length;
              if (measuring) {
                delivered++;
                delivery.record(now - Number(reply.toString('latin1', digits, digits + STAMP_DIGITS)) / 1000);
              }
              at = reply.indexOf(STAMP_MARK, digits + STAMP_DIGITS);
            }
            if (running) socket.write(line);
          });
          socket.on('error', () => undefined);
          socket.write(line);
        });
        const window_ = await measure(server.pids, options.timing, () => (measuring = true), () => {
          measuring = false;
          running = false;
        }, server.dbPids);
        const sentRate = acked / window_.seconds;
        if (kind === 'baseline') {
          // The baseline stores nothing, so it delivers nothing: its figure is the rate of acknowledged sends.
          return figures(sentRate, roundTrip, window_, errors, {'sent/s': sentRate});
        }
        return figures(delivered / window_.seconds, delivery, window_, errors, {
          'sent/s': sentRate, 'send p99 ms': roundTrip.quantile(0.99),
        });
      }, [...out.sockets, ...into.sockets]);
    },
  };
}

// ---- 6: fairness ----

const fairness: Workload = {
  name: 'fairness',
  title: 'fairness: one connection pipelines expensive requests (history 500 of 2 KiB messages, group history, ' +
    'groups, inbox) while a canary does `info` round trips one at a time',
  unit: 'req/s',
  latency: 'canary round trip (rate: the hog\'s requests/s)',
  compare: 'p99',
  async run(kind, options) {
    const fixture: FixtureSpec = {
      users: ['hog', 'hogpeer', 'canary'],
      backgroundUsers: 300,
      groups: [
        {name: 'hall', members: ['hogpeer', 'hog'], backgroundMembers: 100},
        ...Array.from({length: 200}, (_, i) => ({name: `club${String(i).padStart(3, '0')}`, members: ['hog'], backgroundMembers: 5})),
      ],
      conversations: [{from: 'hogpeer', to: 'hog', count: 2000, bodyBytes: 2048, read: false}],
      groupMessages: [{group: 'hall', sender: 'hogpeer', count: 1000, bodyBytes: 1024, read: true}],
    };
    const server = await start(kind, options, fixture);
    const port = server.ports[0]!;
    const hog = await openLoggedIn(port, 1, () => 'hog');
    const canary = await openLoggedIn(port, 1, () => 'canary');
    return withServer(server, async () => {
      const token = hog.tokens[0]!;
      const middle = server.ids ? server.ids.conversations[0]!.first + 1000 : 1000;
      const mix = [
        `history ${token} hogpeer 500`, `history ${token} group:hall 500`, `history ${token} hogpeer 500 ${middle}`,
        `history ${token} hogpeer 500`, `groups ${token}`, `inbox ${token}`,
      ];
      // One line per slot of the window, cycling through the mix; drive() refills slot by slot.
      const hogLines = Buffer.from(mix.map((line) => `${line}\r\n`).join(''));
      let hogRequests = 0;
      let hogRunning = true;
      let measuring = false;
      const scanner = new ReplyScanner();
      const hogSocket = hog.sockets[0]!;
      const refill = (n: number) => {
        const parts: Buffer[] = [];
        for (let k = 0; k < Math.ceil(n / mix.length); k++) parts.push(hogLines);
        hogSocket.write(Buffer.concat(parts));
        return Math.ceil(n / mix.length) * mix.length;
      };
      let inFlight = 0;
      hogSocket.on('data', (chunk: Buffer) => {
        const n = scanner.scan(chunk);
        inFlight -= n;
        if (measuring) hogRequests += n;
        if (hogRunning && inFlight <= options.hogWindow - mix.length) inFlight += refill(options.hogWindow - inFlight);
      });
      hogSocket.on('error', () => undefined);
      inFlight += refill(options.hogWindow);

      const rtt = new LatencyRecorder();
      const canarySocket = canary.sockets[0]!;
      const canaryLine = `info ${canary.tokens[0]!}\r\n`;
      const canaryScanner = new ReplyScanner();
      let sentAt = 0;
      let canaryRunning = true;
      let waiting = false;
      canarySocket.on('data', (chunk: Buffer) => {
        if (canaryScanner.scan(chunk) === 0) return;
        waiting = false;
        if (measuring) rtt.record(performance.now() - Math.max(sentAt, measuredFrom));
        if (!canaryRunning) return;
        sentAt = performance.now();
        waiting = true;
        canarySocket.write(canaryLine);
      });
      sentAt = performance.now();
      waiting = true;
      canarySocket.write(canaryLine);
      let measuredFrom = 0;
      let unanswered = 0;
      const window = await measure(server.pids, options.timing, () => {
        measuring = true;
        measuredFrom = performance.now();
      }, () => {
        // A round trip still waiting when the window closes counts with the time it has waited so far (a frozen
        // daemon must not look good because its canary never came back); one still waiting since before the
        // window counts from the window's start.
        if (waiting) {
          rtt.record(performance.now() - Math.max(sentAt, measuredFrom));
          unanswered = 1;
        }
        measuring = false;
        hogRunning = false;
        canaryRunning = false;
      });
      return figures(hogRequests / window.seconds, rtt, window, scanner.errors + canaryScanner.errors, {
        'canary round trips': rtt.count, 'canary unanswered at end': unanswered, 'hog req/s': hogRequests / window.seconds,
      });
    }, [...hog.sockets, ...canary.sockets]);
  },
};

// ---- 7: connections ----

/** `info` round trips one at a time on one socket for `ms`; returns their latencies. */
async function canaryRoundTrips(socket: Socket, token: string, ms: number): Promise<LatencyRecorder> {
  const rtt = new LatencyRecorder();
  const line = `info ${token}\r\n`;
  const scanner = new ReplyScanner();
  const end = performance.now() + ms;
  await new Promise<void>((resolve) => {
    let sentAt = performance.now();
    const onData = (chunk: Buffer) => {
      if (scanner.scan(chunk) === 0) return;
      const now = performance.now();
      rtt.record(now - sentAt);
      if (now >= end) {
        socket.off('data', onData);
        resolve();
        return;
      }
      sentAt = now;
      socket.write(line);
    };
    socket.on('data', onData);
    socket.write(line);
  });
  return rtt;
}

const conns: Workload = {
  name: 'conns',
  title: 'connections: N idle logged-in connections (--conns); RSS per connection, canary p99 before/after',
  unit: 'conns',
  latency: 'canary `info` round trip with the N connections open (CPU: while they open and log in)',
  compare: 'rssPerConnKiB',
  async run(kind, options) {
    const server = await start(kind, options, {users: ['idle', 'canary']});
    const pid = server.pids[0]!;
    const idle: Socket[] = [];
    const canary = await openLoggedIn(server.ports[0]!, 1, () => 'canary');
    return withServer(server, async () => {
      // Stay under both processes' descriptor limits (each connection is one descriptor on each side).
      const limit = Math.min(nofileLimits().soft, nofileLimits(pid).soft) - 100;
      const wanted = options.conns;
      const n = Math.max(0, Math.min(wanted, limit));
      const probeMs = Math.max(500, Math.min(options.timing.measureMs, 3000));
      await canaryRoundTrips(canary.sockets[0]!, canary.tokens[0]!, Math.min(options.timing.warmupMs, 1000));
      const before = await canaryRoundTrips(canary.sockets[0]!, canary.tokens[0]!, probeMs);
      const rss0 = rssKiB(pid);
      const cpu0 = cpuSeconds(pid);
      const t0 = performance.now();
      for (let i = 0; i < n; i += 250) {
        const wave = await Promise.all(Array.from({length: Math.min(250, n - i)}, async () => {
          const socket = await openSocket(server.ports[0]!);
          socket.on('error', () => undefined);
          idle.push(socket);
          const reply = await requestOnce(socket, 'auth idle pw');
          return reply.status === 'OK';
        }));
        if (wave.includes(false)) throw new Error('an idle connection failed to log in');
      }
      const openSeconds = (performance.now() - t0) / 1000;
      const openCpu = cpuSeconds(pid) - cpu0;
      await sleep(1000);
      const rss1 = rssKiB(pid);
      const after = await canaryRoundTrips(canary.sockets[0]!, canary.tokens[0]!, probeMs);
      const perConn = n > 0 ? (rss1 - rss0) / n : NaN;
      return {
        rate: n, p50: after.quantile(0.5), p99: after.quantile(0.99), max: after.max,
        cpu: (openCpu / openSeconds) * 100, rssMiB: rss1 / 1024, loadCpu: NaN, errors: 0,
        extra: {
          connections: n, ...(n < wanted ? {'capped from': wanted} : {}),
          'rssPerConnKiB': perConn, 'RSS before MiB': rss0 / 1024, 'RSS after MiB': rss1 / 1024,
          'canary p99 before ms': before.quantile(0.99), 'canary p99 after ms': after.quantile(0.99),
          'open+auth s': openSeconds,
        },
      };
    }, [...canary.sockets, ...idle]);
  },
};

// ---- 8: federation ----

const federation: Workload = {
  name: 'federation',
  title: 'federation: 128 connections on alpha, `sendprivaterealm beta bob <32 bytes>` closed loop (reply after beta\'s verdict)',
  unit: 'msg/s',
  latency: 'request round trip',
  compare: 'rate',
  async run(kind, options) {
    const connections = 128;
    const server = kind === 'baseline'
      ? await startBaseline(options)
      : await startFederation(options, {users: ['alice']}, {users: ['bob']}, 'alice');
    const {sockets, tokens} = await openLoggedIn(server.ports[0]!, connections, () => 'alice');
    return withServer(server, async () => {
      const lines = tokens.map((token) => Buffer.from(`sendprivaterealm ${token} beta bob ${TEXT_32} \r\n`));
      // "Message queued…" (the link was not up or too slow): OK, but not a live delivery.
      const result = await drive(sockets, lines, 1, server.pids, options.timing, {offset: OK_QUEUED_OFFSET, byte: 'q'.charCodeAt(0)});
      const live = (result.count - result.flagged) / result.window.seconds;
      const extra: Record<string, number> = {queued: result.flagged};
      if (result.window.perPid.length === 2) {
        extra['alpha CPU %'] = result.window.perPid[0]!.cpu;
        extra['beta CPU %'] = result.window.perPid[1]!.cpu;
        extra['alpha RSS MiB'] = result.window.perPid[0]!.rssMiB;
        extra['beta RSS MiB'] = result.window.perPid[1]!.rssMiB;
      }
      return figures(live, result.latencies, result.window, result.errors, extra);
    }, sockets);
  },
};

export const WORKLOADS: readonly Workload[] = [
  sendWorkload('send16', 16, 1),
  sendWorkload('send128', 128, 1),
  sendWorkload('pipelined', 16, 16),
  relayWorkload('relay-poll', false),
  relayWorkload('relay-longpoll', true),
  fairness,
  conns,
  federation,
];
