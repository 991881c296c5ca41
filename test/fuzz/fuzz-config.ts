/**
 * Run counts of the property-based tests. `npm test` runs each property a few dozen times (a few seconds in all);
 * `npm run fuzz -- --runs N` sets FUZZ_RUNS and runs only these files, N times each property (the daemon property
 * a tenth of that: each of its runs is a whole connection). FUZZ_SEED replays a failure fast-check reported.
 */
import fc from 'fast-check';

const runs = Number(process.env.FUZZ_RUNS ?? 0);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** fast-check parameters: `quick` runs in `npm test`, scaled by `share` of FUZZ_RUNS in long runs. */
export function fuzzParameters<T>(quick: number, share = 1): fc.Parameters<T> {
  const numRuns = runs > 0 ? Math.max(1, Math.round(runs * share)) : quick;
  return {numRuns, ...(seed === undefined ? {} : {seed})};
}

/** A test timeout that grows with long runs. */
export const FUZZ_TIMEOUT_MS = runs > 0 ? Math.max(60_000, runs * 200) : 30_000;

/** The characters request lines are built from: protocol words, separators, and some that break things. */
const WORDS = [
  'auth', 'register', 'send', 'sendgroup', 'inbox', 'logout', 'info', 'groups', 'history', 'addgroup', 'joingroup',
  'addrealm', 'sendprivaterealm', 'sendgrouprealm', 'getrealminbox', 'realms', 'AUTH', 'Inbox', 'constructor',
  '__proto__', 'toString', 'fuzzer', 'pw', 'bob', 'group:devs', 'devs', 'alpha', 'beta', 'u1,u2', 'a,,b', 'a,A',
  'bob@beta', 'group:devs@alpha', '0', '1', '65535', '65536', '5x', '-1', '999999999', '1e3', '127.0.0.1',
  '00000000-0000-0000-0000-000000000000', '"', '\\', '{}', 'null', '\u00e9', '\u{1f600}', '\u202e', '\u0000', '\f',
];

/** One word of a request line, as bytes (possibly not UTF-8, never a LF). */
const word: fc.Arbitrary<Buffer> = fc.oneof(
  {weight: 6, arbitrary: fc.constantFrom(...WORDS).map((text) => Buffer.from(text))},
  {weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.@:,-]{1,40}$/).map((text) => Buffer.from(text))},
  {weight: 2, arbitrary: fc.string({unit: 'binary', maxLength: 20}).map((text) => Buffer.from(text.replace(/\n/g, '')))},
  {weight: 1, arbitrary: fc.uint8Array({maxLength: 12}).map((bytes) => Buffer.from(bytes.filter((byte) => byte !== 0x0a)))},
  {weight: 1, arbitrary: fc.integer({min: 100, max: 700}).map((length) => Buffer.alloc(length, 'x'))},
);

/** A request line without its LF: words joined by spaces or tabs, sometimes ending in CR. */
export const requestLine: fc.Arbitrary<Buffer> = fc.tuple(
  fc.array(fc.tuple(fc.constantFrom(' ', '  ', '\t', ' \t'), word), {maxLength: 6}),
  fc.constantFrom('', ' ', '\r', ' \r'),
).map(([words, end]) => Buffer.concat([
  ...words.flatMap(([gap, bytes], index) => (index === 0 ? [bytes] : [Buffer.from(gap), bytes])),
  Buffer.from(end),
]));

/** Offsets at which to cut a byte stream of `length` into chunks. */
export function cutsOf(length: number): fc.Arbitrary<number[]> {
  return fc.uniqueArray(fc.integer({min: 1, max: Math.max(1, length - 1)}), {maxLength: 8})
    .map((cuts) => cuts.filter((cut) => cut < length).sort((a, b) => a - b));
}

const UTF8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});

/** What a complete line (without LF) must be answered with, by the protocol's rules, independently of the framer. */
export type Expected = {kind: 'none'} | {kind: 'error'; code: string} | {kind: 'any'} | {kind: 'line'; text: string};

export function expectedFor(line: Buffer, maxLineBytes: number, knownCommand: (verb: string) => boolean): Expected {
  const body = line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
  if (body.length > maxLineBytes) return {kind: 'error', code: 'LINE_TOO_LONG'};
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    return {kind: 'error', code: 'INVALID_UTF8'};
  }
  const verb = text.split(/[ \t]+/).find((part) => part !== '');
  if (verb === undefined) return {kind: 'none'};
  return knownCommand(verb.toLowerCase()) ? {kind: 'any'} : {kind: 'error', code: 'UNKNOWN_COMMAND'};
}
