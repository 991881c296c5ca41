/**
 * Request framing: bytes in, complete lines out. No sockets, no timers.
 *
 * A request is one line ending in LF; a CR right before the LF is dropped. Each complete line is decoded as strict
 * UTF-8 on its own, so a multi-byte character split across reads is fine and a broken one is reported. A line longer
 * than `maxLineBytes` is reported once as soon as it crosses the limit and the rest of it, up to its LF, is discarded,
 * so one bad request never costs the connection nor grows memory.
 *
 * Some verbs carry a file on their line (`sendfile … <base64>`): `longLines` gives them a limit of their own. Which
 * limit applies is decided from the line's first word as soon as that word is complete, before more of the line is
 * buffered, so any other line still stops at `maxLineBytes`. A long line past its own limit is reported as
 * `FILE_TOO_LARGE`.
 */

/** What the framer yields for each request line. */
export type FramedLine =
  | {kind: 'line'; text: string}
  | {kind: 'error'; code: 'LINE_TOO_LONG' | 'INVALID_UTF8' | 'FILE_TOO_LARGE'};

/** Limits of the framer. */
export interface LineFramerOptions {
  /** Longest accepted line in bytes, without its line ending. @default 65536 */
  maxLineBytes?: number;
  /** Verbs (lower case) whose lines may be longer, up to `maxBytes`. @default none */
  longLines?: {readonly verbs: ReadonlySet<string>; readonly maxBytes: number};
}

/** The first word of a line is looked at for this many bytes at most (verbs are short). */
const MAX_VERB_BYTES = 32;

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/**
 * Shared by every framer: decoding a whole line at once (never with `stream`) keeps no state between calls, and one
 * decoder per connection would cost each idle connection a few KiB.
 */
const UTF8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;

export class LineFramer {
  readonly maxLineBytes: number;
  readonly #longLines: LineFramerOptions['longLines'];
  /** Bytes of the current, incomplete line (only while it is within the limit). */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** True while the rest of an over-long line is being skipped. */
  #discarding = false;
  /** The current line's first word so far, while it is not known yet whether it is a long-line verb. */
  #verb = '';
  /** Whether the current line's limit is decided (always, without long-line verbs). */
  #decided: boolean;
  /** The current line's limit, and whether it is a long-line verb's. */
  #limit: number;
  #long = false;

  constructor(options: LineFramerOptions = {}) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#longLines = options.longLines;
    this.#decided = this.#longLines === undefined;
    this.#limit = this.maxLineBytes;
  }

  /** Feeds bytes; returns every line completed by them, in order. */
  push(chunk: Uint8Array): FramedLine[] {
    const out: FramedLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      const end = lf === -1 ? chunk.length : lf;
      if (!this.#decided && !this.#discarding) this.#decide(chunk, start, end);
      if (this.#discarding) {
        if (lf !== -1) {
          this.#discarding = false;
          this.#newLine();
        }
      } else if (this.#pendingBytes + (end - start) > this.#limit + 1) {
        // +1: a CR that turns out to precede the LF does not count against the limit.
        out.push({kind: 'error', code: this.#long ? 'FILE_TOO_LARGE' : 'LINE_TOO_LONG'});
        this.#reset();
        this.#discarding = lf === -1;
        if (lf !== -1) this.#newLine();
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

  /** Looks at the start of the current line for its first word, until it is complete or too long to be a verb. */
  #decide(chunk: Uint8Array, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const byte = chunk[i]!;
      if (byte === SPACE || byte === TAB || byte === CR) {
        if (this.#verb === '') continue; // blanks before the verb
        return this.#decideFor(this.#verb);
      }
      this.#verb += String.fromCharCode(byte | 0x20); // ASCII lower case; other bytes cannot make a verb anyway
      if (this.#verb.length > MAX_VERB_BYTES) return this.#decideFor('');
    }
  }

  #decideFor(verb: string): void {
    this.#decided = true;
    this.#long = this.#longLines!.verbs.has(verb);
    this.#limit = this.#long ? this.#longLines!.maxBytes : this.maxLineBytes;
  }

  /** The next line starts: its limit is not known until its first word is. */
  #newLine(): void {
    this.#verb = '';
    this.#decided = this.#longLines === undefined;
    this.#limit = this.maxLineBytes;
    this.#long = false;
  }

  #finishLine(tail: Uint8Array): FramedLine {
    let bytes: Uint8Array = tail;
    if (this.#pending.length > 0) {
      this.#pending.push(Buffer.from(tail));
      bytes = Buffer.concat(this.#pending);
    }
    const limit = this.#limit;
    const long = this.#long;
    this.#reset();
    this.#newLine();
    let length = bytes.length;
    if (length > 0 && bytes[length - 1] === CR) length--;
    if (length > limit) return {kind: 'error', code: long ? 'FILE_TOO_LARGE' : 'LINE_TOO_LONG'};
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
