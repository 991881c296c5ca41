/**
 * Mentions: a group message *names* a user when its text holds the username as a whole word, as `@name` or as
 * `name:`, case-insensitively. Pure; the store finds the names once when it stores a message (for the counts), the
 * read paths flag each message for its reader.
 */

/** A run of the characters a username may hold (letters, digits, `_`, `-`, `.`). */
const NAME_RUN = /[A-Za-z0-9_.-]+/g;

/** At most this many distinct names are looked up per message: a text of a thousand words names nobody a thousand times. */
const MAX_NAMES = 64;

/**
 * The names a text could name, lower-cased, each once: every whole run of name characters, and the run without its
 * trailing `.` or `-` (`thanks alice.` names alice; `alicea` and `malice` do not name alice).
 */
export function namedIn(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(NAME_RUN)) {
    if (names.size >= MAX_NAMES) break;
    const run = match[0].toLowerCase();
    if (run.length <= 32) names.add(run);
    const trimmed = run.replace(/[.-]+$/, '');
    if (trimmed !== '' && trimmed.length <= 32) names.add(trimmed);
  }
  return [...names];
}

/** True when a text names the user (see namedIn: the same names, so the flag and the counts agree). */
export function names(text: string, username: string): boolean {
  return namedIn(text).includes(username.toLowerCase());
}
