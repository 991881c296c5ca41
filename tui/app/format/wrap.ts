/**
 * Wrapping plain text to a terminal width, measured in columns (wide CJK characters and most emoji take two).
 * The history pane is windowed by lines (Ink 6 cannot scroll), so it must know how many lines each message takes.
 */
import stringWidth from 'string-width';

const segmenter = new Intl.Segmenter(undefined, {granularity: 'grapheme'});

/** The width of text in terminal columns. */
export function textWidth(text: string): number {
  return stringWidth(text);
}

/** Cuts text to at most `width` columns. */
export function truncate(text: string, width: number, ellipsis = '…'): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  const room = Math.max(0, width - textWidth(ellipsis));
  let out = '';
  let used = 0;
  for (const {segment} of segmenter.segment(text)) {
    const w = textWidth(segment);
    if (used + w > room) break;
    out += segment;
    used += w;
  }
  return out + (width >= textWidth(ellipsis) ? ellipsis : '');
}

/** Pads text with spaces to `width` columns (after truncating it to that width). */
export function padEnd(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - textWidth(cut)));
}

/** Splits a word that is wider than `width` into pieces of at most `width` columns. */
function breakWord(word: string, width: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  for (const {segment} of segmenter.segment(word)) {
    const w = textWidth(segment);
    if (used + w > width && piece !== '') {
      pieces.push(piece);
      piece = '';
      used = 0;
    }
    piece += segment;
    used += w;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * Word-wraps text into lines of at most `width` columns; words wider than a line are broken. Runs of spaces between
 * words on one line are kept; at a break they are dropped. Always at least one line.
 */
export function wrapText(text: string, width: number): string[] {
  const max = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const token of text.split(/( +)/)) {
    if (token === '') continue;
    const w = textWidth(token);
    if (token.startsWith(' ')) {
      if (used + w <= max) {
        line += token;
        used += w;
      } else if (line !== '') {
        lines.push(line);
        line = '';
        used = 0;
      }
      continue;
    }
    if (used + w <= max) {
      line += token;
      used += w;
      continue;
    }
    if (line.trimEnd() !== '') lines.push(line.trimEnd());
    if (w <= max) {
      line = token;
      used = w;
    } else {
      const pieces = breakWord(token, max);
      lines.push(...pieces.slice(0, -1));
      line = pieces.at(-1) ?? '';
      used = textWidth(line);
    }
  }
  lines.push(line.trimEnd());
  return lines;
}
