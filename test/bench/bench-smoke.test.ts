/**
 * The bench still runs (never how fast: timings are the bench's business, not a test's). Its fixtures write the
 * schema's tables with raw SQL, so a migration that changes them must also change bench/fixtures.ts; these runs of
 * the built bench on tiny sizes catch that, and a large mode that no longer measures both databases.
 */
import {spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';

const BENCH = new URL('../../dist/bench/bench.js', import.meta.url).pathname;
const cacheDir = mkdtempSync(join(tmpdir(), 'realmchat-bench-smoke-'));

afterAll(() => rmSync(cacheDir, {recursive: true, force: true}));

/** Runs the built bench to its end; its exit code and output. */
function runBench(args: string[]): Promise<{code: number | null; out: string}> {
  return runScript(BENCH, ['--no-pin', ...args]);
}

/** Runs a built script to its end; its exit code and output (stdout and stderr). */
function runScript(script: string, args: string[]): Promise<{code: number | null; out: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({code, out}));
  });
}

/** The rows of the Markdown table the bench prints last. */
function summaryRows(out: string): string[][] {
  const table = out.slice(out.indexOf('Summary (Markdown):'));
  return table.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| request') && !line.startsWith('| workload'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

describe('npm run bench', () => {
  it('runs a workload against the baseline and the daemon in turns and prints their ratio', async () => {
    const {code, out} = await runBench(['--only', 'send16', '--seconds', '0.3', '--warmup', '0', '--runs', '2']);
    expect(code, out).toBe(0);
    const [row, ...rest] = summaryRows(out);
    expect(rest).toEqual([]);
    const [name, baseline, daemon, ratio] = row!;
    expect(name).toBe('send16');
    expect(baseline).toMatch(/^[\d,]+ req\/s$/);
    expect(daemon).toMatch(/^[\d,]+ req\/s$/);
    expect(ratio).toMatch(/^\d+\.\d+x$/);
    expect(out).toMatch(/median realmchatd .* errors 0/);
    // The servers take turns, the order flipped in the second round.
    const runs = out.split('\n').filter((line) => /^\s+run \d /.test(line)).map((line) => line.trim().split(/\s+/).slice(1, 3).join(' '));
    expect(runs).toEqual(['1 baseline', '1 realmchatd', '2 realmchatd', '2 baseline']);
  }, 60_000);

  it('times every request kind on both databases in alternating rounds (--large)', async () => {
    const {code, out} = await runBench(['--large', '--large-messages', '3000', '--large-requests', '5', '--seconds', '0.2',
      '--warmup', '0', '--runs', '2', '--cache-dir', cacheDir]);
    expect(code, out).toBe(0);
    const rows = summaryRows(out);
    const labels = rows.map((row) => row[0]);
    for (const label of ['inbox (empty poll; fresh user)', 'send', 'history bigpeer 50', 'history group:town 50', 'groups']) {
      expect(labels).toContain(label);
    }
    expect(labels.some((label) => label?.startsWith('getrealminbox alpha'))).toBe(true);
    for (const row of rows) {
      expect(row[3], row.join(' | ')).toMatch(/^\d+\.\d+x( \*\*)?$/);
      expect(Number(row[1]), row.join(' | ')).toBeGreaterThan(0);
      expect(Number(row[2]), row.join(' | ')).toBeGreaterThan(0);
    }
    // Each kind on each database once per round: 2 rounds, empty first in the first and large first in the second.
    const sendLines = out.split('\n').filter((line) => /^\s+(empty|large)\s+send\s/.test(line)).map((line) => line.trim().split(/\s+/)[0]);
    expect(sendLines).toEqual(['empty', 'large', 'large', 'empty']);
    expect(out).not.toMatch(/errors\)/);
  }, 120_000);
});

describe('npm run bench:index', () => {
  it('fills a sharded index and one index in lockstep and says where each put the messages', async () => {
    const script = new URL('../../dist/bench/index-stalls.js', import.meta.url).pathname;
    const kept = join(cacheDir, 'index');
    const out = await runScript(script, ['--messages', '3000', '--window', '1000', '--shard-messages', '1000', '--keep', kept]);
    expect(out.code, out.out).toBe(0);
    const windows = out.out.split('\n').filter((line) => /^[\d,]+\t/.test(line)).map((line) => line.split('\t')[0]);
    expect(windows).toEqual(['1,000', '2,000', '3,000']);
    // Shards of 1,000: the first holds ids 1-1,000, the next starts after it, and so on, each merged once closed;
    // the other is one index. Then the searches, on both.
    expect(out.out).toMatch(/^shards: 3 shard\(s\) \(2 merged\), indexer [\d.]+ s/m);
    expect(out.out).toMatch(/^one-index: 1 shard\(s\) \(0 merged\), indexer [\d.]+ s/m);
    // Each search read whole, then in parts (requests, the longest and all of them).
    const nobody = /^a word nobody wrote, one user\t\d+ µs \(0\); 1 req, [\d.]+ \/ [\d.]+ ms\t\d+ µs \(0\); 1 req, [\d.]+ \/ [\d.]+ ms$/m;
    expect(out.out).toMatch(nobody);
    // The searches alone, on the databases it kept.
    const searches = await runScript(script, ['--searches', kept]);
    expect(searches.code, searches.out).toBe(0);
    expect(searches.out).toMatch(nobody);
    expect(searches.out).not.toMatch(/^[\d,]+\t/m);
  }, 60_000);
});
