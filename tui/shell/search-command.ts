/**
 * `realmchat search <words…> [--in <conversation>] [--limit N]`: the shell's form of the protocol's `search <text>
 * [conversation] [limit]`. The words are joined with `+` on the wire; `--in` names one conversation (`bob`, `#devs`,
 * `carol@beta`), else every conversation (`*`). The one-shot command line and the line mode both read it here.
 */
import {searchWordsOf} from '../../common/protocol/request.js';

/** The most results the daemon gives for one search. */
const MAX_LIMIT = 100;

/** What the shell makes of a search line. */
export type SearchPlan =
  /** Send `search` with these arguments. */
  | {kind: 'search'; args: string[]}
  /** A usage error to print (exit 2). */
  | {kind: 'usage'; text: string};

const USAGE = 'usage:   realmchat search <words…> [--in <conversation>] [--limit N]\nexample: realmchat search hello world --in #devs\n';

const usage = (reason: string): SearchPlan => ({kind: 'usage', text: `realmchat search: ${reason}\n${USAGE}`});

/** Reads `words` (the options `--in X`, `--in=X`, `--limit N`, `--limit=N` among them; `--` ends the options). */
export function planSearch(words: readonly string[]): SearchPlan {
  const text: string[] = [];
  let scope: string | undefined;
  let limit: string | undefined;
  let options = true;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (options && word === '--') {
      options = false;
      continue;
    }
    const option = options ? /^--(in|limit)(?:=(.*))?$/.exec(word) : null;
    if (!option) {
      text.push(word);
      continue;
    }
    const value = option[2] ?? words[++i];
    if (value === undefined || value === '') return usage(`--${option[1]} needs a value`);
    if (option[1] === 'in') scope = value;
    else limit = value;
  }
  if (!searchWordsOf(text.join(' '))) return usage('give the words to look for (letters or digits)');
  if (limit !== undefined && (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT)) {
    return usage(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not "${limit}"`);
  }
  const joined = text.flatMap((word) => word.split(/\s+/)).filter((word) => word !== '').join('+');
  return {kind: 'search', args: [joined, scope ?? '*', ...(limit === undefined ? [] : [limit])]};
}
