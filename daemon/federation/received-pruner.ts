/**
 * Bounds the table of received message ids (`received`, the dedup table): every `pruneIntervalMs` it deletes the
 * ids older than `receivedRetentionMs`, `pruneBatch` rows per store write, yielding to the event loop between
 * batches (setImmediate), so a large backlog of old ids never blocks the daemon. Messages older than the window
 * are refused on arrival (inbound.ts), so a pruned id can never come back as a resend.
 */
import type {Clock} from '../clock.js';
import type {Logger} from '../logger.js';
import type {Store} from '../store/types.js';
import type {LinkTunables} from './options.js';

export class ReceivedPruner {
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = false;

  constructor(
    private readonly services: {readonly store: Store; readonly clock: Clock; readonly logger: Logger},
    private readonly tunables: Pick<LinkTunables, 'receivedRetentionMs' | 'pruneIntervalMs' | 'pruneBatch'>,
  ) {}

  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => void this.runOnce(), this.tunables.pruneIntervalMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  /** One pruning pass (batches until nothing old is left); resolves with how many ids went. */
  async runOnce(): Promise<number> {
    if (this.#running) return 0;
    this.#running = true;
    let total = 0;
    try {
      const before = this.services.clock.now() - this.tunables.receivedRetentionMs;
      while (!this.#stopped) {
        const deleted = await this.services.store.pruneReceived(before, this.tunables.pruneBatch);
        total += deleted;
        if (deleted < this.tunables.pruneBatch) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (total > 0) this.services.logger.debug('pruned ids of old received messages', {count: total});
    } catch (err) {
      this.services.logger.error('pruning received message ids failed', {err});
    } finally {
      this.#running = false;
    }
    return total;
  }
}
