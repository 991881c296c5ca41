/**
 * What the shell says about a word that is not a command (issue 12, point 11): in English, with the commands whose
 * names are close to it (`realmchat frobnicate`, `realmchat sned`). Pure.
 */

/** Edit distance between two words (insertions, deletions, substitutions), for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The commands close to `word`: a small edit away, or starting with it / it starting with them; closest first. */
export function closeCommands(word: string, commands: readonly string[]): string[] {
  const lower = word.toLowerCase();
  return commands
    .map((command) => ({command, cost: command.startsWith(lower) || (lower.startsWith(command) && command.length >= 3) ? 0 : distance(lower, command)}))
    .filter(({cost}) => cost <= 2)
    .sort((a, b) => a.cost - b.cost || a.command.localeCompare(b.command))
    .slice(0, 4)
    .map(({command}) => command);
}

/** `"frobnicate" is not a realmchat command.` and, when some are close, `Did you mean: send, sendgroup?` */
export function notACommand(word: string, commands: readonly string[], prefix = 'realmchat: '): string[] {
  const close = closeCommands(word, commands);
  return [`${prefix}"${word}" is not a command.`, ...(close.length > 0 ? [`Did you mean: ${close.join(', ')}?`] : [])];
}
