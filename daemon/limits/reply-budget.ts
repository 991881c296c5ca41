/**
 * The daemon-wide budget for reply bytes queued in sockets. Each connection reports its socket's queued bytes when
 * it writes and when the socket drains (or closes); the total is kept as a running sum, so the hot path does one
 * Map update and no scan. Past the budget, the connections holding the most unread bytes are cut first, until the
 * total is back within it, and the daemon logs it.
 */
import type {Logger} from '../logger.js';

/** What the budget needs of a connection. */
export interface QueueHolder {
  readonly id: number;
  destroy(): void;
}

export class ReplyBudget {
  readonly #queued = new Map<QueueHolder, number>();
  #total = 0;

  constructor(private readonly budget: number, private readonly logger: Logger) {}

  /** Reply bytes queued over all connections, as last reported. */
  get total(): number {
    return this.#total;
  }

  /** `holder` now has `bytes` queued (0 once drained or closed). */
  set(holder: QueueHolder, bytes: number): void {
    const before = this.#queued.get(holder) ?? 0;
    if (bytes === before) return;
    if (bytes === 0) this.#queued.delete(holder);
    else this.#queued.set(holder, bytes);
    this.#total += bytes - before;
    if (this.#total > this.budget) this.#cut();
  }

  #cut(): void {
    const biggest = [...this.#queued].sort((a, b) => b[1] - a[1]);
    const cut: Array<{connection: number; queuedBytes: number}> = [];
    for (const [holder, bytes] of biggest) {
      if (this.#total <= this.budget) break;
      this.#queued.delete(holder);
      this.#total -= bytes;
      cut.push({connection: holder.id, queuedBytes: bytes});
      holder.destroy();
    }
    this.logger.warn('queued replies passed the daemon-wide budget: disconnecting the clients that read least', {
      budget: this.budget, cut: cut.length, connections: cut.map((entry) => entry.connection).join(','),
      freedBytes: cut.reduce((sum, entry) => sum + entry.queuedBytes, 0),
    });
  }
}
