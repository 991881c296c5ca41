/**
 * The lease on one peer realm's link, for a realm served by several processes on one shared store (PostgreSQL):
 * exactly one process at a time dials the peer, sends its outbox and accepts its incoming link. Every `ttl/3` the
 * keeper claims the lease (while it is free or expired) or renews it (while held). A renewal that fails, says the
 * lease is someone else's now, or has not succeeded for a whole ttl (the store is unreachable) ends the hold at
 * once: the link drops its connection and waits for the lease again. The store fences what a stale holder writes
 * (completeOutbox checks the epoch), and the peer's dedupe by message id absorbs what it resent.
 */
import type {LinkLease, Store} from '../store/types.js';
import type {Logger} from '../logger.js';

/** What the link hears from its lease keeper. */
export interface LeaseEvents {
  /** This process now holds the lease (the epoch is new: start from the database's outbox). Awaited by round(). */
  acquired(): Promise<void>;
  /** The hold ended: stop the link's connection at once. */
  lost(reason: string): void;
  /** A claim or renewal round ended (the link refreshes what other processes changed, e.g. its outbox count). */
  ticked(): void;
}

/** Who is asking, for how long, and how to tell the time (the local clock only times the missing renewals). */
export interface LeaseSettings {
  store: Pick<Store, 'claimLinkLease' | 'renewLinkLease' | 'releaseLinkLease'>;
  realm: string;
  /** This process (unique per process and start). */
  owner: string;
  ttlMs: number;
  logger: Logger;
  now: () => number;
}

export class LinkLeaseKeeper {
  #lease: LinkLease | undefined;
  /** When the store last confirmed the lease (local clock). */
  #confirmedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #stopped = false;

  constructor(private readonly settings: LeaseSettings, private readonly events: LeaseEvents) {}

  /** The lease while this process holds it (the fencing token for completeOutbox). */
  get lease(): LinkLease | undefined {
    return this.#lease;
  }

  get held(): boolean {
    return this.#lease !== undefined;
  }

  /** Claims at once, then every ttl/3. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => void this.round(), Math.max(1, Math.floor(this.settings.ttlMs / 3)));
    this.#timer.unref();
    void this.round();
  }

  /** One claim-or-renew round now (also what addrealm runs before it adopts its first connection). */
  async round(): Promise<void> {
    const {store, realm, owner, ttlMs, logger, now} = this.settings;
    // Checked before the busy guard: a renewal the store never answers must not keep the hold alive.
    if (this.#lease && now() - this.#confirmedAt > ttlMs) this.#drop(`the lease was not renewed within ${ttlMs} ms`);
    if (this.#busy || this.#stopped) return;
    this.#busy = true;
    try {
      const lease = this.#lease;
      if (lease) {
        const renewed = await store.renewLinkLease(realm, lease, ttlMs);
        if (this.#lease !== lease) return;
        if (renewed) this.#confirmedAt = now();
        else this.#drop('another process of this realm took the link over');
      } else {
        const started = now();
        const epoch = await store.claimLinkLease(realm, owner, ttlMs);
        if (epoch !== null && this.#stopped) {
          await store.releaseLinkLease(realm, {owner, epoch});
        } else if (epoch !== null) {
          this.#lease = {owner, epoch};
          this.#confirmedAt = started;
          logger.info('realm link lease taken: this process runs the link', {realm, epoch});
          await this.events.acquired();
        }
      }
    } catch (err) {
      // A hold the store cannot confirm ends when its ttl has run out (the next rounds check it).
      logger.debug('realm link lease: the store did not answer', {realm, err: String(err)});
    } finally {
      this.#busy = false;
    }
    if (!this.#stopped) this.events.ticked();
  }

  /** The store refused a completion under this lease: another process holds the link now. */
  lost(reason: string): void {
    if (this.#lease) this.#drop(reason);
  }

  /** Stops for good and gives a held lease up, so another process takes the link over without waiting for it. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    const lease = this.#lease;
    this.#lease = undefined;
    if (!lease) return;
    try {
      await this.settings.store.releaseLinkLease(this.settings.realm, lease);
    } catch {
      // It expires by itself within its ttl.
    }
  }

  #drop(reason: string): void {
    this.settings.logger.warn('realm link lease lost: this process stops the link', {realm: this.settings.realm, reason});
    this.#lease = undefined;
    this.events.lost(reason);
  }
}
