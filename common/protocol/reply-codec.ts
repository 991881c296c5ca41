/**
 * Reply framing: a reply is one compact JSON object followed by CR LF CR LF.
 *
 * The JSON is ASCII only: every non-ASCII character is escaped as \uXXXX, because the course's Python clients decode
 * each recv() chunk on its own and fail on a multi-byte character split between two chunks. JSON.stringify already
 * escapes CR and LF inside strings, so a message containing "\r\n\r\n" can never end a reply early.
 */
import type {Reply} from './replies.js';

export const REPLY_TERMINATOR = '\r\n\r\n';

const NON_ASCII = /[\u0080-\uffff]/g;

function escapeChar(char: string): string {
  return '\\u' + char.charCodeAt(0).toString(16).padStart(4, '0');
}

/** Encodes one reply as the exact text sent on the wire (ASCII, terminator included). */
export function encodeReply(reply: Reply): string {
  return JSON.stringify(reply).replace(NON_ASCII, escapeChar) + REPLY_TERMINATOR;
}

/** Limits of the reply decoder. */
export interface ReplyDecoderOptions {
  /** Largest reply accepted, in bytes. @default 64 MiB */
  maxReplyBytes?: number;
}

/** Raised by ReplyDecoder for bytes that are not a valid reply stream. */
export class ReplyFramingError extends Error {
  override name = 'ReplyFramingError';
}

/** One reply decoded, and how many bytes it took on the wire. */
export interface ReplyFrame {
  readonly reply: Reply;
  readonly bytes: number;
}

/**
 * Turns the daemon's byte stream back into replies: bytes in, parsed objects out. Used by ChatClient and by tests.
 * Since replies are ASCII, it may search for the terminator in the raw bytes.
 */
export class ReplyDecoder {
  readonly maxReplyBytes: number;
  #buffer: Buffer = Buffer.alloc(0);
  /** Where to resume the terminator search, so a large reply arriving in many chunks is scanned once. */
  #scanFrom = 0;

  constructor(options: ReplyDecoderOptions = {}) {
    this.maxReplyBytes = options.maxReplyBytes ?? 64 * 1024 * 1024;
  }

  /** Feeds bytes; returns each reply they complete. Throws ReplyFramingError for a malformed stream. */
  push(chunk: Uint8Array | string): Reply[] {
    return this.pushFrames(chunk).map((frame) => frame.reply);
  }

  /**
   * As `push`, with each reply's size on the wire (terminator included): a client telling a transfer's progress
   * ends it at the reply's real size.
   */
  pushFrames(chunk: Uint8Array | string): ReplyFrame[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.#buffer = this.#buffer.length === 0 ? bytes : Buffer.concat([this.#buffer, bytes]);
    const frames: ReplyFrame[] = [];
    let end: number;
    while ((end = this.#buffer.indexOf(REPLY_TERMINATOR, this.#scanFrom)) !== -1) {
      const text = this.#buffer.toString('utf8', 0, end);
      this.#buffer = this.#buffer.subarray(end + REPLY_TERMINATOR.length);
      this.#scanFrom = 0;
      frames.push({reply: parseReply(text), bytes: end + REPLY_TERMINATOR.length});
    }
    this.#scanFrom = Math.max(0, this.#buffer.length - (REPLY_TERMINATOR.length - 1));
    if (this.#buffer.length > this.maxReplyBytes) throw new ReplyFramingError('reply too large');
    return frames;
  }

  /** Bytes of an incomplete reply held. */
  get bufferedBytes(): number {
    return this.#buffer.length;
  }
}

/** Parses the text of one reply (without its terminator). */
export function parseReply(text: string): Reply {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ReplyFramingError(`reply is not JSON: ${text.slice(0, 80)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ReplyFramingError('reply is not a JSON object');
  }
  return value as Reply;
}
