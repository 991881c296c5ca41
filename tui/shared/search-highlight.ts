/**
 * The searched words in a result's text, for highlighting: whole words in any case, the last word (of three letters
 * or more) also as the start of a longer one (the daemon's rule for `search`). Pure.
 */

/** A piece of text, and whether it is a searched word. */
export interface TextPiece {
  readonly text: string;
  readonly hit: boolean;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` cut into pieces, the searched `words` marked. */
export function highlightWords(text: string, words: readonly string[]): TextPiece[] {
  if (words.length === 0) return [{text, hit: false}];
  const alternatives = words.map((word, i) => `${escape(word)}${i === words.length - 1 && word.length >= 3 ? '[\\p{L}\\p{N}]*' : ''}`);
  // Longest first, so `hello` wins over `hell` when both were asked.
  alternatives.sort((a, b) => b.length - a.length);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > at) pieces.push({text: text.slice(at, match.index), hit: false});
    pieces.push({text: match[0], hit: true});
    at = match.index + match[0].length;
  }
  if (at < text.length) pieces.push({text: text.slice(at), hit: false});
  return pieces;
}
