/**
 * realmchat's options as data, the one table both faces read (meow's shape: `type`, `shortFlag`). The shell parses
 * them with meow (shell/parse-args.ts) and derives every spelling it must recognise from this table; the
 * full-screen client reads its switches through `booleanFlag`, from the same table.
 */

/** One option: meow's flag declaration. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly shortFlag?: string;
}

/** Every option of realmchat. */
export const FLAGS = {
  server: {type: 'string', shortFlag: 's'},
  json: {type: 'boolean'},
  /** search: the conversation to search in. */
  in: {type: 'string'},
  /** search: the most results. */
  limit: {type: 'string'},
  color: {type: 'boolean'},
  bell: {type: 'boolean'},
  mouse: {type: 'boolean'},
  help: {type: 'boolean', shortFlag: 'h'},
  version: {type: 'boolean', shortFlag: 'v'},
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** Boolean options that do something rather than switch something: they have no `--no-` form. */
const ACTIONS: ReadonlySet<FlagName> = new Set(['help', 'version']);

const ENTRIES = Object.entries(FLAGS) as [FlagName, FlagSpec][];

/** The keys meow reports for our flags: names, short flags, and `--` (everything after it). */
export const FLAG_KEYS: ReadonlySet<string> = new Set([...ENTRIES.flatMap(([name, spec]) => [name, ...(spec.shortFlag ? [spec.shortFlag] : [])]), '--']);

/** The spellings of options that take a value: the word after them is that value, not the command. */
export const VALUE_FLAG_SPELLINGS: ReadonlySet<string> = new Set(
  ENTRIES.filter(([, spec]) => spec.type === 'string').flatMap(([name, spec]) => spellings(name, spec)),
);

/** Every spelling of every option (`-s`, `--server`, `--json`, `--no-json`, …). */
export const FLAG_SPELLINGS: ReadonlySet<string> = new Set(ENTRIES.flatMap(([name, spec]) => [
  ...spellings(name, spec), ...(spec.type === 'boolean' && !ACTIONS.has(name) ? [`--no-${name}`] : []),
]));

function spellings(name: string, spec: FlagSpec): string[] {
  return [`--${name}`, ...(spec.shortFlag ? [`-${spec.shortFlag}`] : [])];
}

/**
 * A boolean option in command-line words: true for `--name` (or its short flag), false for `--no-name`, undefined
 * when absent; the last one given wins. Words after `--` are not options.
 */
export function booleanFlag(argv: readonly string[], name: FlagName): boolean | undefined {
  const spec: FlagSpec = FLAGS[name];
  if (spec.type !== 'boolean') throw new TypeError(`--${name} is not a boolean option`);
  const on = new Set(spellings(name, spec));
  let value: boolean | undefined;
  for (const word of argv) {
    if (word === '--') break;
    if (on.has(word)) value = true;
    else if (word === `--no-${name}`) value = false;
  }
  return value;
}
