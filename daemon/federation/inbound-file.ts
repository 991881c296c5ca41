/**
 * The file of one message being received from a peer realm: its `chunk` frames are appended to an IncomingBlob
 * (a temporary file: memory stays bounded) until the announced size is reached, then the content's SHA-256 is
 * checked and the blob made durable before the message that names it is stored. Pure bookkeeping around the
 * store's IncomingBlob; inbound.ts decides what happens to the message.
 */
import type {Awaitable, IncomingBlob} from '../store/types.js';
import type {ChunkFrame, LinkFile} from './link-codec.js';

/** What one chunk did to the file. */
export type ChunkOutcome =
  /** More chunks are expected. */
  | {kind: 'more'}
  /** Complete: `stored` when its content matched its SHA-256 and is now a durable blob (PostgreSQL: once written). */
  | {kind: 'done'; stored: Awaitable<boolean>}
  /** The sender no longer had the content. */
  | {kind: 'lost'}
  /** More bytes than announced, or bad base64: the peer broke the protocol. */
  | {kind: 'invalid'};

export class FileAssembly {
  constructor(
    /** The seq of the message the file belongs to. */
    readonly seq: number,
    readonly file: LinkFile,
    private readonly blob: IncomingBlob,
  ) {}

  /** True when nothing more is expected (a 0-byte file). */
  get complete(): boolean {
    return this.blob.bytes === this.file.size;
  }

  /** Finishes a file whose bytes are all there; true when it is now a durable blob. */
  finish(): Awaitable<boolean> {
    return this.blob.finish(this.file.sha256);
  }

  /** Appends one chunk of this file. */
  add(frame: ChunkFrame): ChunkOutcome {
    if (frame.lost) {
      this.blob.discard();
      return {kind: 'lost'};
    }
    const data = Buffer.from(frame.data, 'base64');
    if (data.length === 0 || this.blob.bytes + data.length > this.file.size) {
      this.blob.discard();
      return {kind: 'invalid'};
    }
    this.blob.append(data);
    return this.complete ? {kind: 'done', stored: this.finish()} : {kind: 'more'};
  }

  /** Drops what was received (the connection went, or the peer broke the protocol). */
  discard(): void {
    this.blob.discard();
  }
}
