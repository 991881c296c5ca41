/**
 * Request framing: bytes in, complete lines out. No sockets, no timers.
 *
 * A request is one line ending in LF; a CR right before the LF is dropped. Each complete line is decoded as strict
 * UTF-8 on its own, so a multi-byte character split across reads is fine and a broken one is reported. A line longer
 * than `maxLineBytes` is reported once as soon as it crosses the limit and the rest of it, up to its LF, is discarded,
 * so one bad request never costs the connection nor grows memory.
 */

/** What the framer yields for each request line. */
export type FramedLine =
  | {kind: 'line'; text: string}
  | {kind: 'error'; code: 'LINE_TOO_LONG' | 'INVALID_UTF8'};

/** Limits of the framer. */
export interface LineFramerOptions {
  /** Longest accepted line in bytes, without its line ending. @default 65536 */
  maxLineBytes?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/**
 * Shared by every framer: decoding a whole line at once (never with `stream`) keeps no state between calls, and one
 * decoder per connection would cost each idle connection a few KiB.
 */
const UTF8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});

const LF = 0x0a;
const CR = 0x0d;

export class LineFramer {
  readonly maxLineBytes: number;
  /** Bytes of the current, incomplete line (only while it is within the limit). */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** True while the rest of an over-long line is being skipped. */
  #discarding = false;

  constructor(options: LineFramerOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** Feeds bytes; returns every line completed by them, in order. */
  push(chunk: Uint8Array): FramedLine[] {
    const out: FramedLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf === -1 ? chunk.length : lf;
      if (this.#discarding) {
        if (lf !== -1) this.#discarding = false;
      } else if (this.#pendingBytes + (end - start) > this.maxLineBytes + 1) {
        // +1: a CR that turns out to precede the LF does not count against the limit.
        this.#reset();
        out.push({kind: 'error', code: 'LINE_TOO_LONG'});
        this.#discarding = lf === -1;
      } else if (lf === -1) {
        this.#pending.push(Buffer.from(chunk.subarray(start, end)));
        this.#pendingBytes += end - start;
      } else {
        out.push(this.#finishLine(chunk.subarray(start, end)));
      }
      if (lf === -1) break;
      start = lf + 1;
    }
    return out;
  }

  /** Bytes held for the current incomplete line. */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  #finishLine(tail: Uint8Array): FramedLine {
    let bytes: Uint8Array = tail;
    if (this.#pending.length > 0) {
      this.#pending.push(Buffer.from(tail));
      bytes = Buffer.concat(this.#pending);
    }
    this.#reset();
    let length = bytes.length;
    if (length > 0 && bytes[length - 1] === CR) length--;
    if (length > this.maxLineBytes) return {kind: 'error', code: 'LINE_TOO_LONG'};
    try {
      return {kind: 'line', text: UTF8.decode(bytes.subarray(0, length))};
    } catch {
      return {kind: 'error', code: 'INVALID_UTF8'};
    }
  }

  #reset(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}
