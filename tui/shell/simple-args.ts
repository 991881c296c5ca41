/**
 * The common command line without meow: `realmchat send bob hi`, with no word that starts with `-`. Such a line has
 * no options to read, so the command is the first word and the rest are its arguments, exactly as parseArgs reads
 * them; meow (and what it loads) is then never imported, which is most of a one-shot command's start-up (issue 12,
 * point 15). Anything else (an option, `--`, no command) goes to parseArgs.
 */
import type {GlobalFlags, ParsedArgs} from './parse-args.js';
import {COMMAND_WORDS} from './command-words.js';

/** The parse of a line without options; undefined when parseArgs must read it. */
export function parseSimpleArgs(argv: readonly string[]): ParsedArgs | undefined {
  if (argv.length === 0 || argv.some((word) => word.startsWith('-'))) return undefined;
  const flags: GlobalFlags = {json: false};
  const [first, ...args] = argv;
  const command = first!.toLowerCase();
  if (!COMMAND_WORDS.includes(command)) return {kind: 'unknown-command', word: first!, flags};
  if (command === 'help') return {kind: 'help', topic: args[0], flags};
  return {kind: 'command', command, args, flags};
}
