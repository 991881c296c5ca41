/**
 * Command line parsing with meow 14: a parent parse with `commands` (it stops at the command word, so message text
 * after it is never read as flags of the parent), then a per-command parse of the rest, so options may also follow
 * the command (`realmchat inbox --json`). Words starting with `-` in a message go after `--`.
 *
 * meow exits the process for --help, --version, unknown commands and flag errors; realmchat must not (runCli returns
 * an exit code and is tested in-process), so those are all handled here before or instead of meow.
 */
import meow from 'meow';
import {FLAG_KEYS, FLAG_SPELLINGS, FLAGS, VALUE_FLAG_SPELLINGS} from '../shared/flags.js';
import {COMMAND_WORDS} from './command-words.js';

/** The options every command accepts. */
export interface GlobalFlags {
  /** --server / -s, unchecked text. */
  server?: string;
  json: boolean;
  /** --color / --no-color; undefined when not given. */
  color?: boolean;
  /** --bell / --no-bell (the full-screen client's bell for direct messages); undefined when not given. */
  bell?: boolean;
  /** --mouse / --no-mouse (the full-screen client's mouse); undefined when not given. */
  mouse?: boolean;
  /** search's --in CONVERSATION, unchecked text. */
  in?: string;
  /** search's --limit N, unchecked text. */
  limit?: string;
}

/** What the command line asks for. */
export type ParsedArgs =
  /** A command (`command` undefined: none given, i.e. the full-screen client). */
  | {kind: 'command'; command: string | undefined; args: string[]; flags: GlobalFlags}
  /** --help, -h or `help [topic]`. */
  | {kind: 'help'; topic: string | undefined; flags: GlobalFlags}
  | {kind: 'version'; version: string}
  | {kind: 'unknown-command'; word: string; flags: GlobalFlags}
  | {kind: 'usage-error'; message: string; flags: GlobalFlags};

export {COMMAND_WORDS};

/** Index of the command word: the first word that is neither an option nor an option's value. */
function commandIndex(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return i + 1 < argv.length ? i + 1 : -1;
    if (!word.startsWith('-') || word === '-') return i;
    if (VALUE_FLAG_SPELLINGS.has(word)) i++;
  }
  return -1;
}

type MeowFlags = Record<string, unknown>;

function parse(argv: readonly string[], commands?: readonly string[]) {
  return meow({
    importMeta: import.meta,
    argv,
    flags: FLAGS,
    autoHelp: false,
    autoVersion: false,
    // undefined: a boolean flag that was not given stays absent, so the command's parse does not undo the parent's.
    booleanDefault: undefined,
    description: false,
    help: false,
    ...(commands ? {commands} : {}),
  });
}

function unknownFlag(flags: MeowFlags): string | undefined {
  const key = Object.keys(flags).find((name) => !FLAG_KEYS.has(name));
  return key === undefined ? undefined : (key.length === 1 ? `-${key}` : `--${key}`);
}

/** Parses realmchat's arguments (without `node` and the script). Never exits the process. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  const words = [...argv];
  const index = commandIndex(words);
  const noFlags: GlobalFlags = {json: false};
  // An unknown option before the command could swallow the command word as its value, and meow would then exit
  // on the "unknown command" that follows; so options before the command are checked first.
  const before = words.slice(0, index === -1 ? words.length : index).filter((word, i, all) => word.startsWith('-') && !VALUE_FLAG_SPELLINGS.has(all[i - 1] ?? ''));
  const strange = before.find((word) => word !== '--' && !FLAG_SPELLINGS.has(word.replace(/=.*$/, '')));
  if (strange !== undefined) return {kind: 'usage-error', message: `unknown option ${strange}`, flags: noFlags};
  if (index !== -1) {
    const word = words[index]!.toLowerCase();
    // The protocol's command words are case-insensitive; so are realmchat's.
    if (!COMMAND_WORDS.includes(word)) return {kind: 'unknown-command', word: words[index]!, flags: noFlags};
    words[index] = word;
  }

  const parent = parse(words, COMMAND_WORDS);
  const child = parent.command === undefined ? parent : parse(parent.input);
  const raw: MeowFlags = {...parent.unnormalizedFlags, ...child.unnormalizedFlags};
  const flags: GlobalFlags = {json: raw.json === true};
  if (typeof raw.server === 'string') flags.server = raw.server;
  if (typeof raw.color === 'boolean') flags.color = raw.color;
  if (typeof raw.bell === 'boolean') flags.bell = raw.bell;
  if (typeof raw.mouse === 'boolean') flags.mouse = raw.mouse;
  if (typeof raw.in === 'string') flags.in = raw.in;
  if (typeof raw.limit === 'string') flags.limit = raw.limit;

  const bad = unknownFlag(raw);
  if (bad !== undefined) {
    const hint = parent.command && parent.command !== 'help'
      ? ` (to send text that starts with "-", put it after --: realmchat ${parent.command} … -- ${bad})` : '';
    return {kind: 'usage-error', message: `unknown option ${bad}${hint}`, flags};
  }
  if (raw.server !== undefined && typeof raw.server !== 'string') {
    return {kind: 'usage-error', message: '--server needs a value: --server HOST:PORT', flags};
  }
  for (const name of ['in', 'limit'] as const) {
    if (raw[name] !== undefined && typeof raw[name] !== 'string') return {kind: 'usage-error', message: `--${name} needs a value`, flags};
    if (raw[name] !== undefined && parent.command !== 'search') {
      return {kind: 'usage-error', message: `--${name} belongs to realmchat search`, flags};
    }
  }
  const args = child.input.map(String);
  if (raw.help === true) return {kind: 'help', topic: parent.command === 'help' ? args[0] : parent.command, flags};
  if (parent.command === 'help') return {kind: 'help', topic: args[0], flags};
  if (raw.version === true && parent.command === undefined) return {kind: 'version', version: String(parent.pkg.version ?? '')};
  return {kind: 'command', command: parent.command, args, flags};
}
