/** Text helpers both faces of realmchat use: splitting a typed command line, and making others' text safe to print. */
import {findCommand, type CommandSpec} from '../../common/protocol/commands.js';

/**
 * Splits a typed line into a command and its arguments. Message text is kept as typed (inner spaces included) as
 * one argument, so `send bob a  b` sends "a  b".
 */
export function splitLine(line: string): {command: string; args: string[]} | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  const [command = '', ...words] = trimmed.split(/\s+/);
  const spec: CommandSpec | undefined = findCommand(command);
  if (spec?.rest !== 'text') return {command, args: words};
  // Take the command and the fixed parameters as words; the rest of the line is the text.
  const fixed = new RegExp(`^\\S+${'\\s+\\S+'.repeat(Math.min(spec.params.length, words.length))}\\s*`);
  const prefix = fixed.exec(trimmed)![0];
  const text = trimmed.slice(prefix.length);
  return {command, args: [...words.slice(0, spec.params.length), ...(text === '' ? [] : [text])]};
}

/**
 * Text from other users goes straight to a terminal: control characters (escape sequences could move the cursor,
 * retitle the window or fake output) and bidi overrides (could disguise text) are replaced.
 */
export function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
}
