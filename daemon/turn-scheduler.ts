/**
 * The end of an event-loop turn, where the daemon batches. During a turn, connections answer the requests they have
 * read; every store write joins one open transaction. At the end of the turn (setImmediate) the scheduler commits
 * that transaction once, lets each connection that answered something write its replies (one socket write per
 * connection per turn), then resumes the connections that gave up the rest of their slice so others could run.
 *
 *   data events ─▶ connections answer (writes join the open batch) ─▶ end of turn: COMMIT ─▶ replies out ─▶ resume
 */
import type {BurstLog} from './burst-log.js';
import type {Logger} from './logger.js';
import {isStoreUnavailable} from './store/errors.js';
import type {CommitBatch, Store} from './store/types.js';

/** What the scheduler drives: a connection. */
export interface TurnParticipant {
  /** Writes the replies whose commit is done, in order. */
  flush(): void;
  /** Goes on answering after it yielded the rest of its slice. */
  resume(): void;
}

export class TurnScheduler {
  #toFlush = new Set<TurnParticipant>();
  #toResume = new Set<TurnParticipant>();
  #scheduled = false;
  /** Failed batches already logged (several connections may have had requests in one). */
  readonly #loggedFailures = new WeakSet<CommitBatch>();

  constructor(private readonly store: Store, private readonly logger: Logger, private readonly outages: BurstLog) {}

  /** `participant` has replies to send once this turn's batch is committed. */
  flushSoon(participant: TurnParticipant): void {
    this.#toFlush.add(participant);
    this.#schedule();
  }

  /** `participant` used up its slice; it goes on after this turn, when everybody else had theirs. */
  resumeSoon(participant: TurnParticipant): void {
    this.#toResume.add(participant);
    this.#schedule();
  }

  /**
   * A connection found its requests' batch failed: logged once per batch, with the store's error; a store that could
   * not reach its database is an outage, logged once per burst of them.
   */
  commitFailed(batch: CommitBatch): void {
    if (this.#loggedFailures.has(batch)) return;
    this.#loggedFailures.add(batch);
    batch.done.catch((err: unknown) => {
      if (isStoreUnavailable(err)) this.outages.note({during: 'commit'});
      else this.logger.error('commit failed', {err});
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#endTurn);
  }

  readonly #endTurn = (): void => {
    this.#scheduled = false;
    this.store.commit();
    const flush = this.#toFlush;
    this.#toFlush = new Set();
    for (const participant of flush) participant.flush();
    const resume = this.#toResume;
    this.#toResume = new Set();
    for (const participant of resume) participant.resume();
  };
}
