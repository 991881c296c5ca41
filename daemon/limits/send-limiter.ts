/**
 * Per-sender bounds on what may be stored for others: token buckets of messages and bytes per second (with bursts),
 * and a cap on the unread bytes one sender holds in one recipient's inbox. All O(1) per send and in memory: the
 * buckets are refilled lazily from the clock, and the unread bytes of a (sender, recipient) pair are read from the
 * database once, the first time the pair is checked, then counted up on each send and down as the recipient reads.
 */
import type {Clock} from '../clock.js';
import type {Awaitable} from '../store/types.js';

/** A rate with a burst. */
export interface RateLimit {
  /** Sustained rate, per second. */
  perSecond: number;
  /** Bucket size: how much may go at once after a quiet spell. */
  burst: number;
}

/** The bounds of one kind of sender (local users, or a remote realm). */
export interface SendLimits {
  messages: RateLimit;
  /** Message text bytes. */
  bytes: RateLimit;
  /** Most unread text bytes from one sender in one recipient's inbox. */
  unreadBytesPerRecipient: number;
}

interface Buckets {
  messages: number;
  bytes: number;
  updated: number;
}

/** Reads the unread text bytes `sender` (of `senderRealm`, null when local) holds in `recipient`'s inbox. */
export type UnreadBytesReader = (recipient: string, sender: string, senderRealm: string | null) => Awaitable<number>;

/** The retry_after of a send refused because the recipient holds too much unread from the sender. */
export const UNREAD_RETRY_SECONDS = 60;

/** Past this many entries, idle ones (full buckets, empty counters) are swept. */
const SWEEP_AT = 10_000;

const pairKey = (sender: string, senderRealm: string | null, recipient: string) =>
  `${senderRealm ?? ''}\u0000${sender.toLowerCase()}\u0000${recipient.toLowerCase()}`;

export class SendLimiter {
  readonly #buckets = new Map<string, Buckets>();
  readonly #unread = new Map<string, number>();
  #sweepAt = SWEEP_AT;

  constructor(
    private readonly limits: SendLimits,
    private readonly clock: Clock,
    private readonly readUnreadBytes: UnreadBytesReader,
  ) {}

  /**
   * Takes one message of `bytes` text to `recipients` from the sender's allowance. Returns 0 when it may be stored
   * (and counts it), else the seconds (at least 1) after which the same send may succeed. Synchronous unless a
   * (sender, recipient) pair is new and the store answers asynchronously.
   */
  take(sender: string, senderRealm: string | null, recipients: readonly string[], bytes: number): Awaitable<number> {
    const {limits} = this;
    const now = this.clock.now();
    const key = senderRealm === null ? sender.toLowerCase() : `${senderRealm}\u0000${sender.toLowerCase()}`;
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = {messages: limits.messages.burst, bytes: limits.bytes.burst, updated: now};
      if (this.#buckets.size >= this.#sweepAt) this.#sweep(now);
      this.#buckets.set(key, bucket);
    } else {
      const elapsed = Math.max(0, now - bucket.updated) / 1000;
      if (elapsed > 0) {
        bucket.messages = Math.min(limits.messages.burst, bucket.messages + elapsed * limits.messages.perSecond);
        bucket.bytes = Math.min(limits.bytes.burst, bucket.bytes + elapsed * limits.bytes.perSecond);
        bucket.updated = now;
      }
    }
    const cost = Math.min(bytes, limits.bytes.burst); // a message larger than the burst waits for a full bucket
    const wait = Math.max(
      bucket.messages >= 1 ? 0 : (1 - bucket.messages) / limits.messages.perSecond,
      bucket.bytes >= cost ? 0 : (cost - bucket.bytes) / limits.bytes.perSecond,
    );
    if (wait > 0) return Math.max(1, Math.ceil(wait));
    if (limits.unreadBytesPerRecipient === Number.POSITIVE_INFINITY) {
      bucket.messages -= 1;
      bucket.bytes -= cost;
      return 0;
    }
    const keys = recipients.map((recipient) => pairKey(sender, senderRealm, recipient));
    const read = keys.map((pair, index) => this.#unreadOf(pair, recipients[index]!, sender, senderRealm));
    const decide = (held: readonly number[]): number => {
      if (held.some((unread) => unread + bytes > limits.unreadBytesPerRecipient)) {
        // Waiting helps only once the recipient reads; the reply still says when to try again.
        return UNREAD_RETRY_SECONDS;
      }
      bucket.messages -= 1;
      bucket.bytes -= cost;
      keys.forEach((pair, index) => this.#unread.set(pair, held[index]! + bytes));
      return 0;
    };
    if (!read.some((unread) => unread instanceof Promise)) return decide(read as number[]);
    // A send that took the same pair while the store answered counted it already: its count wins over the read.
    return Promise.all(read).then((held) => decide(held.map((unread, index) => this.#unread.get(keys[index]!) ?? unread)));
  }

  /** The recipient read (or lost) these messages: their bytes no longer count against their senders. */
  read(recipient: string, messages: ReadonlyArray<{sender: string; senderRealm?: string; body: string; bytes?: number}>): void {
    for (const message of messages) {
      const pair = pairKey(message.sender, message.senderRealm ?? null, recipient);
      const held = this.#unread.get(pair);
      if (held === undefined) continue;
      // `bytes`: what the send counted when it was not the text (a file's size).
      const left = held - (message.bytes ?? Buffer.byteLength(message.body));
      if (left > 0) this.#unread.set(pair, left);
      else this.#unread.delete(pair);
    }
  }

  #unreadOf(pair: string, recipient: string, sender: string, senderRealm: string | null): Awaitable<number> {
    const held = this.#unread.get(pair);
    if (held !== undefined) return held;
    if (this.#unread.size >= this.#sweepAt) this.#sweepAt = this.#unread.size * 2;
    return this.readUnreadBytes(recipient, sender, senderRealm);
  }

  #sweep(now: number): void {
    const {limits} = this;
    const fullAfterS = Math.max(limits.messages.burst / limits.messages.perSecond, limits.bytes.burst / limits.bytes.perSecond);
    for (const [key, bucket] of this.#buckets) if ((now - bucket.updated) / 1000 >= fullAfterS) this.#buckets.delete(key);
    this.#sweepAt = Math.max(SWEEP_AT, this.#buckets.size * 2);
  }
}
