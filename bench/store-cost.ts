/**
 * npm run bench:store: the CPU a message costs the SQLite store alone, without sockets or the daemon: what a
 * schema or statement change does to the write path, measurable on a busy machine. Each run is a child process
 * that opens a `SqliteStore` on a temp file (17 users, a group of 10), stores messages with `storeMessage` in
 * batches of 16 with `commit()` (the daemon's group commit), and reads `process.cpuUsage()` (every thread: the
 * checkpoint worker included) around the writes and around the 3 s after them, when the search indexer's slices
 * run. Runs of each kind alternate; the minimum and the median are printed. A benchmark, never a test.
 *
 *   npm run bench:store
 *   npm run bench:store -- --runs 9 --messages 32000
 */
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {median} from './load-wire.js';
import {SqliteStore} from '../daemon/store/sqlite-store.js';

const HELP = `Usage: npm run bench:store -- [options]

  --runs N        runs of each kind, alternated                  (default 5)
  --messages N    private messages per run (a group run: N / 5)  (default 16000)

Kinds: private (16 senders to one user, one message each per batch of 16), pipelined private (16 messages of one
sender per batch), group of 10.
`;

/**
 * private: 16 senders to one user, one message each per batch (the send16 workload's shape); pipelined: 16 messages
 * of one sender to one user per batch (a pipelining connection's); group of 10: one sender to a group of 10.
 */
const KINDS = ['private', 'pipelined private', 'group of 10'] as const;
type Kind = (typeof KINDS)[number];
const BATCH = 16;
const BODY = 'hello there this is 32 bytes ok.';
const INDEXER_WAIT_MS = 3_000;

/** One run in this process: µs of CPU per message for the writes and for the indexer after them. */
async function measure(kind: Kind, messages: number): Promise<{write: number; indexer: number}> {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-store-cost-'));
  const store = new SqliteStore({file: join(dir, 'realmchat.db')});
  try {
    const users = Array.from({length: 17}, (_, i) => `user${i}`);
    for (const username of users) store.createUser({username, fullName: username, country: 'x', createdAt: 0}, 'v');
    const members = users.slice(0, 10);
    store.createGroup('devs', 'user0', 0);
    for (const username of members.slice(1)) store.addMember('devs', username, 0);
    store.commit();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = process.cpuUsage();
    for (let i = 0; i < messages; i += BATCH) {
      for (let j = 0; j < BATCH; j++) {
        if (kind === 'private') store.storeMessage({sender: users[1 + j]!, recipient: 'user0', body: BODY, ts: i}, ['user0']);
        else if (kind === 'pipelined private') store.storeMessage({sender: 'user1', recipient: 'user0', body: BODY, ts: i}, ['user0']);
        else store.storeMessage({sender: 'user0', group: 'devs', body: BODY, ts: i}, members.slice(1));
      }
      store.commit();
    }
    const written = process.cpuUsage(before);
    await new Promise((resolve) => setTimeout(resolve, INDEXER_WAIT_MS));
    const all = process.cpuUsage(before);
    const perMessage = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / messages;
    return {write: perMessage(written), indexer: perMessage(all) - perMessage(written)};
  } finally {
    await store.close();
    rmSync(dir, {recursive: true, force: true});
  }
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    runs: {type: 'string', default: '5'},
    messages: {type: 'string', default: '16000'},
    child: {type: 'string'},
    help: {type: 'boolean', default: false},
  }});
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const messages = Number(values.messages);
  if (values.child) {
    const kind = values.child as Kind;
    process.stdout.write(JSON.stringify(await measure(kind, kind === 'group of 10' ? Math.ceil(messages / 5) : messages)));
    return;
  }
  const runs = Number(values.runs);
  const results = new Map<Kind, Array<{write: number; indexer: number}>>(KINDS.map((kind) => [kind, []]));
  // A fresh process per run: one run's heap, caches and checkpoint worker never meet another's.
  for (let run = 0; run < runs; run++) {
    for (const kind of KINDS) {
      const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', kind, '--messages', String(messages)],
        {encoding: 'utf8'});
      if (child.status !== 0) throw new Error(`a ${kind} run failed:\n${child.stderr}`);
      results.get(kind)!.push(JSON.parse(child.stdout) as {write: number; indexer: number});
    }
  }
  const figure = (values: number[]) => `${Math.min(...values).toFixed(1)} (${median(values).toFixed(1)})`;
  console.log(`CPU per message on the SQLite store, µs, minimum (median) of ${runs} runs:\n`);
  console.log('| message | write | indexer, later | in all |\n|---|---|---|---|');
  for (const [kind, list] of results) {
    console.log(`| ${kind} | ${figure(list.map((r) => r.write))} | ${figure(list.map((r) => r.indexer))} | ${figure(list.map((r) => r.write + r.indexer))} |`);
  }
}

await main();
