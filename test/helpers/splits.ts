/** Feeding a byte-stream parser every way the bytes can arrive: one chunk, byte by byte, and split at every index. */

/** The cut offsets of every split the tests try. */
export function everySplit(bytes: Uint8Array): number[][] {
  const splits: number[][] = [[], Array.from({length: bytes.length - 1}, (_, i) => i + 1)];
  for (let i = 1; i < bytes.length; i++) splits.push([i]);
  return splits;
}

/** Feeds `bytes` cut at `cuts` to `push` (a fresh parser's push); returns everything it produced, in order. */
export function feedCut<T>(bytes: Buffer, cuts: readonly number[], push: (chunk: Buffer) => T[]): T[] {
  const out: T[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(...push(bytes.subarray(start, cut)));
    start = cut;
  }
  return out;
}
