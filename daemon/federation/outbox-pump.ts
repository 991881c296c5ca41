/**
 * Writes one realm's outbox to the link's current connection: rows from the window (outbox-window.ts) in seq order,
 * pipelined up to `maxInFlight` unacknowledged rows, written in batches, pausing while the socket's buffer is full
 * and going on when it drains. A file message's `msg` frame is followed by its content in `chunk` frames read from
 * its blob a chunk at a time (so a file never sits in memory whole), and a full socket may pause the pump in the
 * middle of a file. No timers and no store writes: the link (link.ts) attaches and detaches connections and settles
 * acknowledgements.
 */
import type {Awaitable, OutboxRecord} from '../store/types.js';
import {encodeChunkFrame, encodeMessageFrame, FILE_CHUNK_BYTES} from './link-codec.js';
import type {OutboxWindow} from './outbox-window.js';

/** Write batches of frames of about this many characters. */
const WRITE_BATCH_CHARS = 128 * 1024;

/** Where the pump writes: a link connection (LinkChannel) or a test's fake. */
export interface PumpTarget {
  /** Writes text; false when the socket's buffer is full (wait for `writable()`). */
  write(text: string): boolean;
}

/**
 * Reads at most `length` bytes of a blob from `offset` (Store.readBlobRange); undefined when it is missing. At once
 * on SQLite; a promise on PostgreSQL, during which the pump writes nothing (frames stay in order).
 */
export type BlobChunkReader = (sha256: string, offset: number, length: number) => Awaitable<Buffer | undefined>;

/** A file whose `msg` frame is written and whose chunks are not all written yet. */
interface FileInProgress {
  record: OutboxRecord;
  offset: number;
}

export class OutboxPump {
  #target: PumpTarget | undefined;
  /** The socket's buffer is full; wait for `writable()`. */
  #blocked = false;
  #pumpQueued = false;
  #file: FileInProgress | undefined;
  /** A chunk is being read from the store: nothing is written until it is there. */
  #reading = false;

  constructor(
    private readonly window: OutboxWindow,
    private readonly maxInFlight: number,
    private readonly readChunk: BlobChunkReader = () => undefined,
  ) {}

  /** Rows written and not yet acknowledged. */
  get inFlight(): number {
    return this.window.inFlight;
  }

  /** Bytes of the rows written and not yet acknowledged: their message frames and their files' chunk frames. */
  get inFlightBytes(): number {
    return this.window.inFlightBytes;
  }

  /** A row whose transaction committed; it goes out after the current burst of offers. */
  add(record: OutboxRecord): void {
    this.window.add(record);
    this.#queuePump();
  }

  /** A new connection: every unacknowledged row is sent again on it, from the oldest. */
  attach(target: PumpTarget): void {
    this.window.rewind();
    this.#target = target;
    this.#blocked = false;
    this.#file = undefined;
    this.#reading = false;
    this.#queuePump();
  }

  /** The connection is gone: nothing is written until the next attach; unacknowledged rows will be resent. */
  detach(): void {
    this.window.rewind();
    this.#target = undefined;
    this.#file = undefined;
    this.#reading = false;
  }

  /** The socket's buffer drained: write on. */
  writable(): void {
    this.#blocked = false;
    this.pump();
  }

  /** Removes and returns the rows the peer acknowledged (seq <= upto). Call pump() once they are settled. */
  acknowledge(upto: number): OutboxRecord[] {
    return this.window.acknowledge(upto);
  }

  /** Writes unsent rows in batches until the window is full, the outbox is empty or the socket is full. */
  pump(): void {
    const target = this.#target;
    if (!target || this.#blocked || this.#reading) return;
    if (this.#file && !this.#writeFile(target)) return;
    let batch = '';
    while (this.window.inFlight < this.maxInFlight) {
      const entry = this.window.next();
      if (!entry) break;
      batch += encodeMessageFrame(entry.seq, entry.body);
      if (entry.file) {
        // The message frame first, then its chunks, in order on this connection.
        const flushed = target.write(batch);
        batch = '';
        this.#file = {record: entry, offset: 0};
        if (!flushed) {
          this.#blocked = true;
          return;
        }
        if (!this.#writeFile(target)) return;
        continue;
      }
      if (batch.length >= WRITE_BATCH_CHARS) {
        const flushed = target.write(batch);
        batch = '';
        if (!flushed) {
          this.#blocked = true;
          return;
        }
      }
    }
    if (batch !== '' && !target.write(batch)) this.#blocked = true;
  }

  /**
   * Writes the chunks of the file in progress until it is done (true), the socket is full or a chunk is being read
   * (false; the rest follows on `writable()` or when the read answers). A blob gone missing is reported in one `lost`
   * chunk, which the receiver refuses.
   */
  #writeFile(target: PumpTarget): boolean {
    const file = this.#file!;
    const {sha256, size} = file.record.file!;
    while (file.offset < size) {
      const data = this.readChunk(sha256, file.offset, Math.min(FILE_CHUNK_BYTES, size - file.offset));
      if (data instanceof Promise) {
        this.#awaitChunk(file, data);
        return false;
      }
      if (!this.#writeChunk(target, file, data)) return false;
    }
    this.#file = undefined;
    return true;
  }

  /** Writes one chunk read (or a `lost` chunk); false when the socket is full. */
  #writeChunk(target: PumpTarget, file: FileInProgress, data: Buffer | undefined): boolean {
    const {size} = file.record.file!;
    let flushed: boolean;
    if (!data || data.length === 0) {
      flushed = target.write(`chunk {"seq":${file.record.seq},"data":"","lost":true}\n`);
      file.offset = size;
    } else {
      flushed = target.write(encodeChunkFrame(file.record.seq, data));
      file.offset += data.length;
    }
    if (file.offset >= size) this.#file = undefined;
    if (!flushed) this.#blocked = true;
    return flushed;
  }

  /**
   * Waits for a chunk the store reads asynchronously, then writes it and pumps on. A read that fails (the database
   * is away) is not a lost file: it is tried again on the next pump (a new row, an acknowledgement, a reconnect).
   */
  #awaitChunk(file: FileInProgress, pending: Promise<Buffer | undefined>): void {
    this.#reading = true;
    pending.then((data) => {
      if (this.#file !== file) return; // the connection changed meanwhile: the file is sent again from its start
      this.#reading = false;
      const target = this.#target;
      if (target && this.#writeChunk(target, file, data)) this.pump();
    }, () => {
      if (this.#file === file) this.#reading = false;
    });
  }

  /** Pumps once after the current burst of offers (they come in one run of microtasks after a commit). */
  #queuePump(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.pump();
    });
  }
}
