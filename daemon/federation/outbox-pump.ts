/**
 * Writes one realm's outbox to the link's current connection: rows from the window (outbox-window.ts) in seq order,
 * pipelined up to `maxInFlight` unacknowledged rows, written in batches, pausing while the socket's buffer is full
 * and going on when it drains. No timers and no store writes: the link (link.ts) attaches and detaches connections
 * and settles acknowledgements.
 */
import type {OutboxRecord} from '../store/types.js';
import {encodeMessageFrame} from './link-codec.js';
import type {OutboxWindow} from './outbox-window.js';

/** Write batches of frames of about this many characters. */
const WRITE_BATCH_CHARS = 128 * 1024;

/** Where the pump writes: a link connection (LinkChannel) or a test's fake. */
export interface PumpTarget {
  /** Writes text; false when the socket's buffer is full (wait for `writable()`). */
  write(text: string): boolean;
}

export class OutboxPump {
  #target: PumpTarget | undefined;
  /** The socket's buffer is full; wait for `writable()`. */
  #blocked = false;
  #pumpQueued = false;

  constructor(private readonly window: OutboxWindow, private readonly maxInFlight: number) {}

  /** Rows written and not yet acknowledged. */
  get inFlight(): number {
    return this.window.inFlight;
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
    this.#queuePump();
  }

  /** The connection is gone: nothing is written until the next attach; unacknowledged rows will be resent. */
  detach(): void {
    this.window.rewind();
    this.#target = undefined;
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
    if (!target || this.#blocked) return;
    let batch = '';
    while (this.window.inFlight < this.maxInFlight) {
      const entry = this.window.next();
      if (!entry) break;
      batch += encodeMessageFrame(entry.seq, entry.body);
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
