/**
 * Writes one connection's request lines to its socket, in order. A short line goes straight to the socket; a long
 * one (a file's `sendfile … <base64>`, up to about 11 MiB) goes in chunks of CHUNK_BYTES, the next one handed over
 * only when the socket has room again ('drain'), so the line is never copied whole into the socket's buffer and each
 * chunk's write callback can say how much has left. Lines written meanwhile wait their turn: pipelined requests
 * never interleave.
 */
import type {Writable} from 'node:stream';

/** A long line goes to the socket this many bytes at a time. */
export const CHUNK_BYTES = 256 * 1024;

/** Told, after each chunk the socket took, how many bytes of the line are written so far, out of `total`. */
export type WrittenListener = (written: number, total: number) => void;

interface QueuedLine {
  readonly bytes: Buffer;
  /** Bytes handed to the socket so far. */
  offset: number;
  /** Bytes the socket acknowledged (write callback) so far. */
  acknowledged: number;
  readonly onWritten: WrittenListener | undefined;
}

/** The request lines of one socket; a new socket (a reconnect) gets a new writer. */
export class LineWriter {
  readonly #socket: Pick<Writable, 'write' | 'once'>;
  readonly #chunkBytes: number;
  readonly #queue: QueuedLine[] = [];
  #waitingForDrain = false;

  constructor(socket: Pick<Writable, 'write' | 'once'>, chunkBytes = CHUNK_BYTES) {
    this.#socket = socket;
    this.#chunkBytes = chunkBytes;
  }

  /** Writes `line` after the lines before it; `onWritten` hears of each chunk acknowledged, the last at `total`. */
  write(line: string, onWritten?: WrittenListener): void {
    // The common case, a short request with nothing queued, costs no copy: the socket takes the string as it is.
    if (this.#queue.length === 0 && onWritten === undefined && line.length <= this.#chunkBytes / 4) {
      this.#socket.write(line);
      return;
    }
    this.#queue.push({bytes: Buffer.from(line), offset: 0, acknowledged: 0, onWritten});
    this.#pump();
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#waitingForDrain) {
      const line = this.#queue[0]!;
      const end = Math.min(line.offset + this.#chunkBytes, line.bytes.length);
      const chunk = line.bytes.subarray(line.offset, end);
      line.offset = end;
      if (end === line.bytes.length) this.#queue.shift();
      const room = this.#socket.write(chunk, line.onWritten && ((error?: Error | null) => {
        if (error) return; // the socket failed: the connection's close handler rejects the request
        line.acknowledged += chunk.length;
        line.onWritten!(line.acknowledged, line.bytes.length);
      }));
      if (!room) {
        this.#waitingForDrain = true;
        this.#socket.once('drain', () => {
          this.#waitingForDrain = false;
          this.#pump();
        });
      }
    }
  }
}
