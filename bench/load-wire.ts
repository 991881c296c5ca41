/**
 * The hot loop of the load generators, kept apart from ChatClient on purpose: set-up goes through ChatClient, but
 * measuring needs the thinnest possible client (no JSON parsing, no promise per request) so the generator costs
 * little next to the daemon it measures.
 */
import {connect, type Socket} from 'node:net';

const TERMINATOR = Buffer.from('\r\n\r\n');
/** `{"status":"OK"…`: the 'O' of OK is at this offset of every OK reply. */
const STATUS_OFFSET = 11;

/** Opens a loopback TCP connection with Nagle off. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** Calls `onReply(ok)` for every reply that arrives on the socket, in order; `ok` is whether its status was OK. */
export function onReplies(socket: Socket, onReply: (ok: boolean) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let end;
    while ((end = pending.indexOf(TERMINATOR)) !== -1) {
      const ok = pending[STATUS_OFFSET] === 0x4f;
      pending = pending.subarray(end + TERMINATOR.length);
      onReply(ok);
    }
  });
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const LF = 0x0a;
const OK_BYTE = 0x4f;

/**
 * Counts replies in a socket's byte stream without buffering or parsing them. A reply is compact ASCII JSON in
 * which CR and LF are always escaped, so the only LF bytes of the stream are the two of each `\r\n\r\n`: every
 * second LF ends a reply. Also checks each reply's status byte (offset 11, see STATUS_OFFSET) and, optionally,
 * counts replies with a given byte at a given offset (e.g. the `q` of "Message queued…").
 */
export class ReplyScanner {
  /** Replies whose status was not OK. */
  errors = 0;
  /** Replies with `flagByte` at `flagOffset`. */
  flagged = 0;
  /** Bytes left before the status byte of the current reply (-1: checked). */
  #toStatus = STATUS_OFFSET;
  #toFlag: number;
  #lfs = 0;

  constructor(private readonly flagOffset = -1, private readonly flagByte = 0) {
    this.#toFlag = flagOffset;
  }

  /** Feeds a chunk; returns how many replies it completed. */
  scan(chunk: Buffer): number {
    let done = 0;
    let pos = 0;
    const length = chunk.length;
    while (pos < length) {
      if (this.#toStatus >= 0) {
        if (pos + this.#toStatus >= length) {
          // Every reply is longer than its status offset: nothing in the rest of this chunk can end it.
          this.#toStatus -= length - pos;
          if (this.#toFlag >= 0) this.#toFlag -= length - pos;
          break;
        }
        if (chunk[pos + this.#toStatus] !== OK_BYTE) this.errors++;
        this.#toStatus = -1;
      }
      if (this.#toFlag >= 0) {
        if (pos + this.#toFlag < length) {
          if (chunk[pos + this.#toFlag] === this.flagByte) this.flagged++;
          this.#toFlag = -1;
        } else {
          this.#toFlag -= length - pos;
        }
      }
      const lf = chunk.indexOf(LF, pos);
      if (lf === -1) break;
      pos = lf + 1;
      if (++this.#lfs === 2) {
        this.#lfs = 0;
        done++;
        this.#toStatus = STATUS_OFFSET;
        this.#toFlag = this.flagOffset;
      }
    }
    return done;
  }
}

/** Calls `onReply(bytes)` with each whole reply (without its terminator): for the few places that read replies. */
export function onReplyBytes(socket: Socket, onReply: (reply: Buffer) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  let scanFrom = 0;
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let end;
    while ((end = pending.indexOf(TERMINATOR, scanFrom)) !== -1) {
      const reply = pending.subarray(0, end);
      pending = pending.subarray(end + TERMINATOR.length);
      scanFrom = 0;
      onReply(reply);
    }
    scanFrom = Math.max(0, pending.length - 3);
  });
}

/** Writes one line and resolves with its reply parsed (set-up only: one request at a time, nothing else reading). */
export function requestOnce(socket: Socket, line: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => finish(new Error(`no reply to ${line.split(' ')[0]} within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error, reply?: Record<string, unknown>) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve(reply!);
    };
    const onData = (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const end = pending.indexOf('\r\n\r\n');
      if (end !== -1) finish(undefined, JSON.parse(pending.slice(0, end)) as Record<string, unknown>);
    };
    const onClose = () => finish(new Error(`connection closed before the reply to ${line.split(' ')[0]}`));
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.write(line.endsWith('\n') ? line : `${line}\r\n`);
  });
}

/** Latencies in ms, kept in a growing Float64Array (cheap to record, sorted once at the end). */
export class LatencyRecorder {
  #values = new Float64Array(1 << 16);
  #count = 0;
  #sorted = false;

  record(ms: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = ms;
    this.#sorted = false;
  }

  get count(): number {
    return this.#count;
  }

  /** The q-quantile (0..1), NaN when empty. */
  quantile(q: number): number {
    if (this.#count === 0) return NaN;
    if (!this.#sorted) {
      this.#values.subarray(0, this.#count).sort();
      this.#sorted = true;
    }
    return this.#values[Math.min(this.#count - 1, Math.floor(q * this.#count))]!;
  }

  get max(): number {
    return this.quantile(1);
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
