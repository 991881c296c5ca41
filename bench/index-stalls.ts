/**
 * npm run bench:index: how long the search indexer's slices take as the history grows, with the full-text index in
 * shards (migration 13) and as one index. A slice runs on the daemon's one thread, so its length is how long every
 * client waits when it comes during one; FTS5's merges make a few slices far longer than the rest, and in one index
 * the longest grow with the history. Two databases made by the store's own migrations are filled in lockstep with
 * the same chat-like messages (slices of INDEX_SLICE, the store's indexer statements, each slice its own
 * transaction with the merge step of a closed shard that the store's slice makes, timed with its commit; the
 * inserts of the messages and the WAL checkpoints are not timed), so the machine's drift reaches both alike. Per
 * window of messages it prints each variant's slices (mean, p99, longest); at the end a few searches on both (read
 * whole, and as the store reads them: in parts bounded by its search budget), and the longest slices with where
 * they came. A benchmark, never a test: about 25 minutes for the default 22 million
 * messages per variant (one index makes its large merges every 2 to 3 million messages, and at about 21 million
 * the next level's, eight times as large).
 *
 *   npm run bench:index
 *   npm run bench:index -- --messages 3000000 --window 250000
 *   npm run bench:index -- --searches DIR      (the searches alone, on the databases of a run with --keep DIR)
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import Database from 'better-sqlite3';
import {INDEX_SLICE, SHARD_MESSAGES, SearchShards, indexPending, prepareSearchIndexer} from '../daemon/store/search-indexer.js';
import {searchCandidates, searchMatch} from '../daemon/store/sqlite-conversations.js';
import {groupToken, userToken} from '../daemon/store/conversation-keys.js';
import {SEARCH_BUDGET_MS, SqliteStore} from '../daemon/store/sqlite-store.js';
import {SEARCH_CANDIDATES} from '../daemon/store/types.js';

const HELP = `Usage: npm run bench:index -- [options]

  --messages N        messages per variant                                  (default 22000000)
  --window N          messages per printed line                             (default 1000000)
  --shard-messages N  the sharded variant's shard span (the other: one index) (default ${SHARD_MESSAGES})
  --keep DIR          keep the two databases in DIR (default: a temp folder, removed)
  --searches DIR      only the searches, on the databases an earlier run kept in DIR
`;

/**
 * A deterministic generator (mulberry32), so both variants (and every run) index the same messages. (A plain LCG's
 * consecutive draws correlate: the group messages of its first runs repeated a few texts.)
 */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Chat-like texts: half the words from a few very common ones, the rest from 20,000 with a long tail. */
function messageMaker(): (id: number) => [number, string, string | null, string | null, string, number] {
  const next = random(1);
  const common = ['the', 'a', 'to', 'is', 'and', 'you', 'i', 'it', 'of', 'in', 'that', 'for', 'on', 'we', 'be'];
  const rare = Array.from({length: 20_000}, (_, i) => `w${i.toString(36)}`);
  return (id) => {
    const words: string[] = [];
    for (let n = 4 + Math.floor(next() * 8); n > 0; n--) {
      words.push(next() < 0.5 ? common[Math.floor(next() * next() * common.length)]! : rare[Math.floor(next() ** 3 * rare.length)]!);
    }
    const sender = `user${Math.floor(next() * 10_000)}`;
    // One in ten to a group of 200, the rest private between 10,000 users.
    if (next() < 0.1) return [id, sender, null, `group${Math.floor(next() * 200)}`, words.join(' '), id];
    return [id, sender, `user${Math.floor(next() * 10_000)}`, null, words.join(' '), id];
  };
}

interface Variant {
  name: string;
  db: Database.Database;
  shards: SearchShards;
  insert: Database.Statement;
  slice: () => void;
  /** Slice times of the current window, ms. */
  window: number[];
  /** The longest slices so far: [ms, messages indexed when it ended]. */
  longest: Array<[number, number]>;
  totalMs: number;
}

async function openVariant(dir: string, name: string, shardMessages: number): Promise<Variant> {
  const file = join(dir, `${name}.db`);
  if (existsSync(file)) throw new Error(`${file} exists: --keep needs a folder without the bench's databases`);
  // The schema of today's store (its migrations), then a connection of our own that runs the indexer alone.
  await new SqliteStore({file, checkpointIntervalMs: 0}).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // A commit in WAL mode syncs nothing either way; OFF spares the checkpoints' fsyncs, which the daemon makes on its
  // checkpoint worker, not on the thread that runs the slices.
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -32768');
  db.pragma('wal_autocheckpoint = 0'); // checkpoints between slices, untimed
  const statements = prepareSearchIndexer(db, shardMessages);
  // As the store's slice: the messages, then a merge step of a closed shard when one waits.
  const index = db.transaction(() => {
    indexPending(statements, INDEX_SLICE);
    statements.shards.mergeStep();
  });
  return {
    name, db, shards: statements.shards, window: [], longest: [], totalMs: 0,
    insert: db.prepare('INSERT INTO messages (id, sender, recipient, group_name, body, ts) VALUES (?, ?, ?, ?, ?, ?)'),
    slice: () => index(),
  };
}

/**
 * What the shards cost a search: one that fills its candidates from the newest messages, and ones that find few or
 * none and so read every shard (median of 21, after one to warm the statements), first read whole in one go as
 * before the search budget, then as the store reads it: shard by shard until SEARCH_BUDGET_MS is spent, request
 * after request from where the last stopped (one index is one shard: read whole).
 */
function searchFigures(variants: ReadonlyArray<Pick<Variant, 'name' | 'db'>>, messages: number): void {
  // The group with the most of the last 100,000 messages (the generator favours some).
  const group = variants[0]!.db.prepare<[number], string>(`SELECT group_name FROM messages WHERE id > ? AND group_name IS NOT NULL
    GROUP BY group_name ORDER BY count(*) DESC LIMIT 1`).pluck().get(Math.max(0, messages - 100_000)) ?? 'group0';
  // The last four find fewer than their candidates, so they read every shard, and their words are common but seldom
  // together in the scope (w0, w1 and w2 are the commonest of the long tail): they read the ends of long lists.
  const searches: Array<[string, {words: string[]; scope: string[]}]> = [
    ['a common word, one user', {words: ['the'], scope: [userToken('user17')]}],
    [`two common words, ${group}`, {words: ['the', 'you'], scope: [groupToken(group)]}],
    ['a rare word, one user', {words: ['w5ab'], scope: [userToken('user17')]}],
    ['a word nobody wrote, one user', {words: ['zzzzz'], scope: [userToken('user17')]}],
    [`the + w0, ${group}`, {words: ['the', 'w0'], scope: [groupToken(group)]}],
    [`the + w1, ${group}`, {words: ['the', 'w1'], scope: [groupToken(group)]}],
    ['the + and, one user', {words: ['the', 'and'], scope: [userToken('user17')]}],
    ['you + w2, one user', {words: ['you', 'w2'], scope: [userToken('user17')]}],
  ];
  const budget = {now: () => performance.now(), ms: SEARCH_BUDGET_MS};
  const NO_BUDGET = {now: () => 0, ms: Number.POSITIVE_INFINITY};
  console.log(`search: whole (median µs, matches); budgeted (requests, longest and total ms at the median)\t${variants.map((variant) => variant.name).join('\t')}`);
  for (const [label, query] of searches) {
    const match = searchMatch({...query, limit: 20});
    const cells = variants.map((variant) => {
      const shards = new SearchShards(variant.db);
      const whole = () => searchCandidates(shards, variant.db, match, Number.MAX_SAFE_INTEGER, NO_BUDGET).rows.length;
      /** Requests from the newest message until one has its candidates or nothing is left: [requests, longest ms]. */
      const budgeted = (): [number, number] => {
        let before = Number.MAX_SAFE_INTEGER;
        let found = 0;
        let longest = 0;
        for (let requests = 1; ; requests++) {
          const started = performance.now();
          const page = searchCandidates(shards, variant.db, match, before, budget);
          longest = Math.max(longest, performance.now() - started);
          found += page.rows.length;
          if (page.nextBefore === undefined || found >= SEARCH_CANDIDATES) return [requests, longest];
          before = page.nextBefore;
        }
      };
      let found = whole();
      budgeted();
      const wholeTimes: number[] = [];
      const runs: Array<[number, number, number]> = [];
      for (let n = 0; n < 21; n++) {
        let started = performance.now();
        found = whole();
        wholeTimes.push((performance.now() - started) * 1000);
        started = performance.now();
        const [requests, longest] = budgeted();
        runs.push([performance.now() - started, requests, longest]);
      }
      runs.sort((a, b) => a[0] - b[0]);
      const [total, requests] = runs[10]!;
      const longest = runs.map((run) => run[2]).sort((a, b) => a - b)[10]!;
      return `${percentile(wholeTimes.sort((a, b) => a - b), 0.5).toFixed(0)} µs (${found}); ${requests} req, ${longest.toFixed(1)} / ${total.toFixed(1)} ms`;
    });
    console.log([label, ...cells].join('\t'));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function main(): Promise<void> {
  const {values} = parseArgs({options: {
    messages: {type: 'string', default: '22000000'},
    window: {type: 'string', default: '1000000'},
    'shard-messages': {type: 'string', default: String(SHARD_MESSAGES)},
    keep: {type: 'string'},
    searches: {type: 'string'},
    help: {type: 'boolean', default: false},
  }});
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const messages = Number(values.messages);
  const windowSize = Number(values.window);
  const shardMessages = Number(values['shard-messages']);
  for (const [name, value] of [['--messages', messages], ['--window', windowSize], ['--shard-messages', shardMessages]] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  }
  if (values.searches !== undefined) {
    const kept = ['shards', 'one-index'].map((name) => ({name, db: new Database(join(values.searches!, `${name}.db`), {readonly: true, fileMustExist: true})}));
    try {
      const newest = kept[0]!.db.prepare<[], number>('SELECT indexed_upto FROM search_progress').pluck().get()!;
      searchFigures(kept, newest);
    } finally {
      for (const {db} of kept) db.close();
    }
    return;
  }
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'realmchat-index-stalls-'));
  const variants = [
    await openVariant(dir, 'shards', shardMessages),
    await openVariant(dir, 'one-index', Number.MAX_SAFE_INTEGER),
  ];
  const make = messageMaker();
  console.log(`${messages.toLocaleString('en')} messages per variant, slices of ${INDEX_SLICE}; shards of ${shardMessages.toLocaleString('en')} against one index`);
  console.log(['messages', ...variants.map((v) => `${v.name}: mean / p99 / longest ms`)].join('\t'));
  try {
    for (let id = 1; id <= messages; id += INDEX_SLICE) {
      const rows = Array.from({length: Math.min(INDEX_SLICE, messages - id + 1)}, (_, n) => make(id + n));
      // The order of the two alternates: neither always runs right after the other's checkpoint.
      const order = (id / INDEX_SLICE) % 2 < 1 ? variants : [...variants].reverse();
      for (const variant of order) {
        variant.db.transaction(() => { for (const row of rows) variant.insert.run(...row); })();
        const started = process.hrtime.bigint();
        variant.slice();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        variant.window.push(ms);
        variant.totalMs += ms;
        variant.longest.push([ms, id + rows.length - 1]);
        if (variant.longest.length > 20) variant.longest = variant.longest.sort((a, b) => b[0] - a[0]).slice(0, 10);
        if ((id - 1) % (20 * INDEX_SLICE) === 0) variant.db.pragma('wal_checkpoint(PASSIVE)');
      }
      const upto = id + rows.length - 1;
      if (upto % windowSize === 0 || upto === messages) {
        const cells = variants.map((variant) => {
          const sorted = [...variant.window].sort((a, b) => a - b);
          const mean = variant.window.reduce((sum, ms) => sum + ms, 0) / sorted.length;
          variant.window = [];
          return `${mean.toFixed(2)} / ${percentile(sorted, 0.99).toFixed(1)} / ${sorted.at(-1)!.toFixed(1)}`;
        });
        console.log([upto.toLocaleString('en'), ...cells].join('\t'));
      }
    }
    searchFigures(variants, messages);
    for (const variant of variants) {
      const longest = variant.longest.sort((a, b) => b[0] - a[0]).slice(0, 5);
      const shards = variant.db.prepare('SELECT count(*) FROM search_shards').pluck().get();
      const merged = variant.db.prepare('SELECT count(*) FROM search_shards WHERE merged = 1').pluck().get();
      console.log(`${variant.name}: ${shards} shard(s) (${merged} merged), indexer ${(variant.totalMs / 1000).toFixed(1)} s in all (${(variant.totalMs * 1000 / messages).toFixed(2)} µs a message); longest slices: ${
        longest.map(([ms, at]) => `${ms.toFixed(0)} ms at ${(at / 1e6).toFixed(2)}M`).join(', ')}`);
    }
  } finally {
    for (const variant of variants) variant.db.close();
    if (values.keep === undefined) rmSync(dir, {recursive: true, force: true});
  }
}

await main();
