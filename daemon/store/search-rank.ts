/**
 * The ranking of search candidates, in JavaScript: a BM25 score (word frequency, saturated, against the message's
 * length relative to the candidates' average) over the at most SEARCH_CANDIDATES messages the full-text index
 * handed over. FTS5's own bm25() is not used: its word weights count every message holding a word in the whole
 * index, which costs as much as the history is long. Every candidate holds every word (the query is an AND), so the
 * weights would be equal anyway. Pure.
 */

/** BM25's usual constants: how fast repeats stop counting, and how much length counts. */
const K1 = 1.2;
const B = 0.75;

/** The words of a text as the index cuts them: runs of letters and digits, lower-cased, accents removed. */
export function indexWordsOf(text: string): string[] {
  return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
}

/** A word of a query with accents removed, as indexWordsOf leaves it. */
export function plainWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}+/gu, '');
}

/**
 * The candidates that really hold every query word (the index was asked for the last word's first letters only, see
 * sqlite-conversations.ts), best first, newest first on equal scores.
 */
export function rankCandidates<T extends {id: number; body: string}>(candidates: readonly T[], queryWords: readonly string[]): T[] {
  const words = queryWords.map(plainWord);
  const last = words.length - 1;
  const scored: Array<{item: T; counts: number[]; length: number}> = [];
  for (const item of candidates) {
    const text = indexWordsOf(item.body);
    const counts = words.map((word, index) => text.filter((candidate) => (index === last ? candidate.startsWith(word) : candidate === word)).length);
    if (counts.every((count) => count > 0)) scored.push({item, counts, length: text.length});
  }
  const average = scored.reduce((sum, entry) => sum + entry.length, 0) / Math.max(1, scored.length);
  const score = (counts: number[], length: number) =>
    counts.reduce((sum, tf) => sum + (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / average)), 0);
  return scored
    .map((entry) => ({item: entry.item, score: score(entry.counts, entry.length)}))
    .sort((a, b) => b.score - a.score || b.item.id - a.item.id)
    .map((entry) => entry.item);
}
