/**
 * node dist/bench/federation-bench.js: throughput of one realm link, between two built realmchatd child processes
 * on loopback (port 0, temp databases, a generated key). Not part of npm test.
 *
 * 1. Backlog drain (the link itself): beta is stopped, N messages for bob@beta are queued on alpha (each one
 *    durably in the outbox), beta is started again, and the clock runs from the moment the link is ready until
 *    alpha's outbox is empty, i.e. every message is stored on beta (with its dedup id) and acknowledged.
 * 2. Live sends (end to end): C client connections on alpha each send sendprivaterealm in a closed loop while the
 *    link is up; every reply waits for beta's verdict. Reported as messages per second.
 *
 *   node dist/bench/federation-bench.js                  # N = 50000, C = 64, 3 runs each, medians
 *   node dist/bench/federation-bench.js --n 100000 --c 128 --runs 5 --seconds 5
 */
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {ChatClient} from '../common/client/index.js';
import {median, onReplies, openSocket} from './load-wire.js';
import {startRealmchatd} from './realmchatd-process.js';
import {BENCH_FLAGS} from './servers.js';


interface Realm {
  child: ChildProcess;
  port: number;
}

async function startRealm(name: string, data: string, port = 0): Promise<Realm> {
  return startRealmchatd(['--realm', name, '--port', String(port), '--data', data, '--federation', 'tofu', '--admins', 'alice',
    '--log-level', 'warn', ...BENCH_FLAGS]);
}

async function stopRealm(realm: Realm): Promise<void> {
  if (realm.child.exitCode !== null) return;
  realm.child.removeAllListeners('exit');
  await new Promise<void>((resolve) => {
    realm.child.once('exit', () => resolve());
    realm.child.kill('SIGTERM');
  });
}

/** Sends `count` copies of `line` over `connections` sockets, pipelined (at most `window` unanswered per socket). */
async function flood(port: number, line: string, count: number, connections: number, window = 256): Promise<number> {
  const sockets = await Promise.all(Array.from({length: connections}, () => openSocket(port)));
  const bytes = Buffer.from(line + '\r\n');
  let errors = 0;
  await Promise.all(sockets.map((socket, index) => new Promise<void>((resolve) => {
    const share = Math.floor(count / connections) + (index < count % connections ? 1 : 0);
    let sent = 0;
    let answered = 0;
    const top = () => {
      const batch: Buffer[] = [];
      while (sent < share && sent - answered < window) {
        batch.push(bytes);
        sent++;
      }
      if (batch.length) socket.write(Buffer.concat(batch));
    };
    onReplies(socket, (ok) => {
      if (!ok) errors++;
      answered++;
      if (answered === share) resolve();
      else if (sent - answered < window / 2) top();
    });
    if (share === 0) resolve();
    else top();
  })));
  for (const socket of sockets) socket.destroy();
  return errors;
}

/** Closed loop: `connections` sockets, one request in flight each, for `seconds`; returns replies per second. */
async function closedLoop(port: number, line: string, connections: number, seconds: number): Promise<{rate: number; errors: number}> {
  const sockets = await Promise.all(Array.from({length: connections}, () => openSocket(port)));
  const bytes = Buffer.from(line + '\r\n');
  let running = true;
  let replies = 0;
  let errors = 0;
  const done = sockets.map((socket) => new Promise<void>((resolve) => {
    onReplies(socket, (ok) => {
      if (!ok) errors++;
      replies++;
      if (running) socket.write(bytes);
      else resolve();
    });
    socket.write(bytes);
  }));
  const t0 = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  running = false;
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  const counted = replies;
  await Promise.all(done);
  for (const socket of sockets) socket.destroy();
  return {rate: counted / elapsed, errors};
}

async function realmsOf(client: ChatClient): Promise<{state: string; queued: number}> {
  const reply = await client.realms();
  return (reply.realms as Array<{state: string; queued: number}>)[0]!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    n: {type: 'string', default: '50000'},
    c: {type: 'string', default: '64'},
    runs: {type: 'string', default: '3'},
    seconds: {type: 'string', default: '5'},
  }});
  const n = Number(values.n);
  const runs = Number(values.runs);
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-fedbench-'));
  const alpha = await startRealm('alpha', join(dir, 'alpha'));
  let beta = await startRealm('beta', join(dir, 'beta'));
  const betaPort = beta.port;
  try {
    const admin = new ChatClient({host: '127.0.0.1', port: alpha.port, requestTimeoutMs: 60_000});
    await admin.connect();
    const alice = await admin.register('alice', 'pw', 'Alice', 'lab');
    const bobClient = new ChatClient({host: '127.0.0.1', port: betaPort});
    await bobClient.connect();
    await bobClient.register('bob', 'pw', 'Bob', 'lab');
    await bobClient.close();
    const added = await admin.addrealm('beta', '127.0.0.1', betaPort);
    if (added.status !== 'OK') throw new Error(`addrealm failed: ${String(added.message)}`);
    const line = `sendprivaterealm ${String(alice.tokenid)} beta bob a message of about the size of a chat line, 60 bytes`;
    console.log(`realmchat federation benchmark: one link alpha → beta, loopback, child processes, ${runs} run(s)`);

    const drainRates: number[] = [];
    for (let run = 1; run <= runs; run++) {
      await stopRealm(beta);
      while ((await realmsOf(admin)).state === 'ready') await sleep(20);
      const fill0 = Date.now();
      const errors = await flood(alpha.port, line, n, 8);
      const fillSeconds = (Date.now() - fill0) / 1000;
      const queued = (await realmsOf(admin)).queued;
      beta = await startRealm('beta', join(dir, 'beta'), betaPort);
      // Time from the moment the link is up (the redial delay is backoff, not throughput).
      while ((await realmsOf(admin)).state !== 'ready') await sleep(2);
      const t0 = process.hrtime.bigint();
      let status = await realmsOf(admin);
      while (status.queued > 0) {
        await sleep(10);
        status = await realmsOf(admin);
      }
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      drainRates.push(queued / seconds);
      console.log(`  drain run ${run}: ${queued} queued (filled in ${fillSeconds.toFixed(1)} s, ${errors} errors), ` +
        `delivered in ${seconds.toFixed(2)} s = ${(queued / seconds).toFixed(0)} msgs/s`);
    }

    const liveRates: number[] = [];
    for (let run = 1; run <= runs; run++) {
      const {rate, errors} = await closedLoop(alpha.port, line, Number(values.c), Number(values.seconds));
      liveRates.push(rate);
      console.log(`  live run ${run}: ${values.c} connections, ${rate.toFixed(0)} msgs/s with verdicts (${errors} errors)`);
      while ((await realmsOf(admin)).queued > 0) await sleep(20);
    }
    console.log(`median backlog drain over one link: ${median(drainRates).toFixed(0)} msgs/s`);
    console.log(`median live sendprivaterealm (reply after the peer's verdict): ${median(liveRates).toFixed(0)} msgs/s`);
    await admin.close();
  } finally {
    await Promise.all([stopRealm(alpha), stopRealm(beta)]);
    rmSync(dir, {recursive: true, force: true});
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
