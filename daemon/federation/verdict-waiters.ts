/**
 * Senders waiting for the peer's verdict on their message, by outbox seq. A wait ends in exactly one way, through
 * one method (#settle): the peer's verdict (delivered or refused), or "queued" when no verdict comes within the
 * timeout or the link goes down first.
 */
import type {ErrorCode} from '../../common/protocol/replies.js';

/** What the sender's reply reports about a message. */
export type Verdict = {kind: 'delivered'} | {kind: 'refused'; code: ErrorCode} | {kind: 'queued'};

interface Waiter {
  readonly resolve: (verdict: Verdict) => void;
  readonly timer: NodeJS.Timeout;
}

export class VerdictWaiters {
  readonly #waiting = new Map<number, Waiter>();

  /** `timeoutMs`: how long a sender waits before it is told "queued". */
  constructor(private readonly timeoutMs: number) {}

  /** Waits for the verdict on the message with `seq`; "queued" when none comes within the timeout. */
  wait(seq: number): Promise<Verdict> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle(seq, {kind: 'queued'}), this.timeoutMs);
      this.#waiting.set(seq, {resolve, timer});
    });
  }

  /** True while a sender waits for the verdict on `seq`. */
  has(seq: number): boolean {
    return this.#waiting.has(seq);
  }

  /** The peer's verdict on `seq` came: its sender is told (nothing when nobody waits for it any more). */
  settle(seq: number, verdict: Verdict): void {
    this.#settle(seq, verdict);
  }

  /** The link is down: no verdict will come soon, so every waiting sender is told "queued". */
  releaseAll(): void {
    for (const seq of [...this.#waiting.keys()]) this.#settle(seq, {kind: 'queued'});
  }

  #settle(seq: number, verdict: Verdict): void {
    const waiter = this.#waiting.get(seq);
    if (!waiter) return;
    this.#waiting.delete(seq);
    clearTimeout(waiter.timer);
    waiter.resolve(verdict);
  }
}
