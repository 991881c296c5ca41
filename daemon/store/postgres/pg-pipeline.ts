/**
 * Group commit on PostgreSQL: every operation of an event-loop turn runs in ONE transaction on one reserved
 * connection, in the order issued, pipelined (each goes on the wire without waiting for the answer before it).
 *
 * - The first operation opens a batch (BEGIN goes out with it). commit() closes the batch to new operations; once
 *   every operation it issued has answered, COMMIT goes out (ROLLBACK if one failed) and the batch's `done` settles
 *   when COMMIT has answered. Operations of the next batch wait in memory until this COMMIT is on the wire, then go
 *   out behind it (BEGIN first), so batches commit in order and a connection always sees its own earlier writes.
 * - At most two batches at a time: one on the wire and one gathering. commit() does not close a batch that is still
 *   waiting for the one before it: operations of later turns join it instead of queueing up as batches of their own
 *   (one transaction, one WAL flush, per turn would make the connection commit once per turn in series). It closes at
 *   the end of the turn it went out in. So a batch holds whatever arrived while the one before it ran and committed:
 *   batches grow with load and with the database's commit latency (group commit).
 * - A lost connection or a refused connect fails the affected operations and batches with StoreUnavailableError
 *   (never an OK that was not committed); the pipeline then reconnects with backoff in the background, and while it is
 *   down operations fail at once. Any other SQL error fails its batch (its replies become INTERNAL upstream).
 * - A conflict PostgreSQL breaks by aborting the transaction (a deadlock between processes, 40P01, or a
 *   serialization failure, 40001) is not reported: the operation that met it, and those the aborted transaction
 *   refused after it, wait; the batch is rolled back and runs again, every operation in issue order, up to
 *   MAX_RETRIES times after a short random delay. An operation whose caller already has its result must give the
 *   same result again (else the batch fails as before); the waiting ones get their new result. No reply waits on
 *   anything but the batch's COMMIT, so no client sees the first attempt.
 */
import {isDeepStrictEqual} from 'node:util';
import type {ReservedSql} from 'postgres';
import {backoffDelay, type BackoffOptions} from '../../../common/util/backoff.js';
import {StoreUnavailableError} from '../errors.js';
import type {CommitBatch} from '../types.js';
import {isConnectionLoss, isInAbortedTransaction, isRetryableConflict, unavailable} from './pg-errors.js';

/** The pipeline's connection. */
export type Connection = ReservedSql;

/** Issues an operation's statements on the connection (without awaiting between them) and returns its result. */
export type Issue<T> = (conn: Connection) => Promise<T>;

/** How many times a batch aborted by a conflict runs again before it fails. */
const MAX_RETRIES = 3;

/** The delay before retry `n` (1-based): a few ms, random, so the two sides of a deadlock do not meet again. */
function retryDelayMs(n: number): number {
  return Math.round((5 + Math.random() * 20) * n);
}

/** An operation of a batch, kept for a retry. */
interface BatchOp {
  readonly issue: Issue<unknown>;
  /** What its caller was given (a retry must give the same). */
  delivered?: {value: unknown};
  /** Not answered yet: it met the conflict, or came after it; it gets the retry's result. */
  parked?: {resolve: (value: unknown) => void; reject: (error: unknown) => void; error: unknown};
}

/** One group commit. */
export class PgBatch implements CommitBatch {
  state: CommitBatch['state'] = 'pending';
  /** Why the batch failed (a StoreUnavailableError makes its replies UNAVAILABLE rather than INTERNAL). */
  error: unknown;
  readonly done: Promise<void>;
  /** Users this batch delivered to ('*' once too many to name), for the wake-up hint after COMMIT. */
  readonly recipients = new Set<string>();
  /** The batch changed the linked realms: its NOTIFY tells the other processes to re-read them. */
  realmsChanged = false;
  /** BEGIN is on the wire: operations go out at once. */
  started = false;
  /** The connection the batch started on (undefined: it started while the database was down). */
  conn: Connection | undefined;
  /** The first failure of an operation: the batch rolls back. */
  failure: unknown;
  /** Failed on its own (a statement, its COMMIT, the connection), not because a batch before it failed. */
  ownFailure = false;
  /**
   * The batches still unsettled when this one opened. A request's writes may have gone into one of them while its
   * reply waits on this one (the connection keeps the batch current when the handler finishes): if one of them fails
   * on its own, this batch reports that failure too, though its own transaction committed. Not transitive, so one
   * failure under steady load does not fail every batch after it.
   */
  before: PgBatch[] = [];
  /** Operations that wait for BEGIN. */
  readonly waiting: Array<() => void> = [];
  /** The tag of the last operation in `waiting` (see GroupCommitPipeline.lastWaiting). */
  lastTag: object | undefined;
  /** One promise per operation issued, resolved once it answered or failed: COMMIT waits for them. */
  readonly issued: Promise<void>[] = [];
  /** How to fail each operation not yet answered (the connection went). */
  readonly unanswered = new Set<(error: unknown) => void>();
  /** Every operation issued, in order (a retry runs them again). */
  readonly ops: BatchOp[] = [];
  /** The conflict that aborted the transaction: the batch runs again before COMMIT. */
  conflict: unknown;
  /** Runs after the first. */
  retries = 0;
  #resolve!: () => void;
  #reject!: (error: unknown) => void;
  #started!: () => void;
  readonly whenStarted = new Promise<void>((resolve) => { this.#started = resolve; });

  constructor() {
    this.done = new Promise<void>((resolve, reject) => { this.#resolve = resolve; this.#reject = reject; });
    this.done.catch(() => {}); // reported to those who wait on it, never as an unhandled rejection
  }

  markStarted(conn: Connection | undefined): void {
    this.started = true;
    this.conn = conn;
    this.#started();
  }

  settle(error?: unknown): void {
    if (this.state !== 'pending') return;
    this.state = error === undefined ? 'committed' : 'failed';
    this.error = error;
    if (error === undefined) this.#resolve();
    else this.#reject(error);
  }
}

/** Options of the pipeline. */
export interface PipelineOptions {
  /** Reserves a fresh connection (and checks it answers). */
  connect: () => Promise<Connection>;
  /** Reconnect delays after the connection is lost. */
  reconnect?: BackoffOptions;
  /** Statements to send inside a batch's transaction just before COMMIT (the wake-up NOTIFY). */
  beforeCommit?: (conn: Connection, batch: PgBatch) => void;
  /** Told after a batch committed. */
  onCommitted?: (batch: PgBatch) => void;
  /** Told after a batch failed (rolled back, or its outcome is unknown). */
  onFailed?: (batch: PgBatch) => void;
  /** Told when the connection is lost and when it is back (for logs; never with a password). */
  onStatus?: (status: 'lost' | 'restored', error?: unknown) => void;
}

export class GroupCommitPipeline {
  #conn: Connection | undefined;
  /** The batch operations join now, if one is open. */
  #open: PgBatch | undefined;
  /** The last batch closed, until it settles (what currentBatch() returns when none is open). */
  #lastClosed: PgBatch | undefined;
  /** Batches whose COMMIT is not on the wire yet, oldest first; only the first has started. */
  readonly #queue: PgBatch[] = [];
  /** Batches opened and not yet settled (what a new batch must not report OK before). */
  readonly #unsettled = new Set<PgBatch>();
  #reconnecting = false;
  #closed = false;

  constructor(private readonly options: PipelineOptions) {}

  /** Connects the first time (rejects with StoreUnavailableError when the database cannot be reached). */
  async start(): Promise<void> {
    try {
      this.#conn = await this.options.connect();
    } catch (error) {
      throw unavailable(error);
    }
  }

  /**
   * Runs an operation in the open batch (opening one), after every operation issued before it. `tag` marks it so that
   * work issued later may join it while it is still the last one waiting to go out (lastWaiting).
   */
  run<T>(issue: Issue<T>, batch: PgBatch = this.#open ?? this.#openBatch(), tag?: object): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      const fire = () => this.#fire(batch, issue, resolve, reject);
      if (batch.started) {
        fire();
      } else {
        batch.waiting.push(fire);
        batch.lastTag = tag;
      }
    });
  }

  /**
   * The tag of the open batch's last operation while it still waits to go out (its batch waits for the one before
   * it): work added to that operation now goes out with it, in its place, as if it had been issued then, since
   * nothing was issued after it.
   */
  get lastWaiting(): object | undefined {
    const open = this.#open;
    return open && !open.started ? open.lastTag : undefined;
  }

  /** The batch of the current operations. */
  get openBatch(): PgBatch {
    return this.#open ?? this.#openBatch();
  }

  #fire<T>(batch: PgBatch, issue: Issue<T>, resolve: (value: T) => void, reject: (error: unknown) => void, replayable = true): void {
    const conn = batch.conn;
    if (conn === undefined || conn !== this.#conn) {
      const error = new StoreUnavailableError('the database connection is down');
      batch.failure ??= error;
      reject(error);
      return;
    }
    let answered!: () => void;
    batch.issued.push(new Promise<void>((resolve) => { answered = resolve; }));
    const op: BatchOp | undefined = replayable ? {issue: issue as Issue<unknown>} : undefined;
    if (op) batch.ops.push(op);
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      batch.unanswered.delete(fail);
      // The cause wins over the refusals of the transaction it aborted, in whatever order they settle.
      if (batch.failure === undefined || (isInAbortedTransaction(batch.failure) && !isInAbortedTransaction(error))) batch.failure = error;
      reject(error);
      answered();
    };
    batch.unanswered.add(fail);
    let answer: Promise<T>;
    try {
      answer = issue(conn);
    } catch (error) {
      fail(error);
      return;
    }
    answer.then((value) => {
      if (settled) return;
      settled = true;
      batch.unanswered.delete(fail);
      if (op) op.delivered = {value};
      resolve(value);
      answered();
    }, (error: unknown) => {
      if (isConnectionLoss(error)) this.#lost(error);
      if (op && !settled && this.#mayRetry(batch, error)) {
        settled = true;
        batch.unanswered.delete(fail);
        if (isRetryableConflict(error)) batch.conflict ??= error;
        op.parked = {resolve: resolve as (value: unknown) => void, reject, error};
        answered();
        return;
      }
      fail(isConnectionLoss(error) ? unavailable(error) : error);
    });
  }

  #openBatch(): PgBatch {
    const batch = new PgBatch();
    batch.before = [...this.#unsettled];
    this.#unsettled.add(batch);
    void batch.done.catch(() => {}).finally(() => this.#unsettled.delete(batch));
    this.#open = batch;
    this.#queue.push(batch);
    if (this.#queue.length === 1) this.#start(batch);
    return batch;
  }

  /**
   * Puts BEGIN on the wire, then the operations that waited for it (in the same turn: one write). The batch closes at
   * the end of this turn: the daemon's commit() then, or this fallback for operations made outside a daemon turn.
   */
  #start(batch: PgBatch): void {
    batch.markStarted(this.#conn);
    if (this.#conn) this.#fire(batch, (conn) => conn`BEGIN`.then(() => undefined), () => {}, () => {}, false);
    batch.lastTag = undefined;
    for (const fire of batch.waiting.splice(0)) fire();
    setImmediate(() => { if (this.#open === batch) this.commit(); });
  }

  /**
   * The batch a request that has finished waits for before its reply goes out: the newest batch on the wire. A
   * batch still gathering holds no operation that has answered, so every operation the request awaited is in this
   * one or in one before it (which this one waits for: `before`). Not the gathering batch: that would hold every
   * reply back one more commit.
   */
  currentBatch(): CommitBatch {
    const open = this.#open;
    if (open?.started) return open;
    return this.#lastClosed?.state === 'pending' ? this.#lastClosed : COMMITTED;
  }

  /** The newest batch, a gathering one included: it settles once every operation issued so far has committed. */
  latestBatch(): CommitBatch {
    return this.#open ?? this.currentBatch();
  }

  /**
   * Closes the open batch to new operations and commits it once its operations have answered. A batch still waiting
   * for the one before it stays open (it gathers the next turns' operations) and closes at the end of the turn it
   * starts in.
   */
  commit(): void {
    const batch = this.#open;
    if (!batch?.started) return;
    this.#open = undefined;
    this.#lastClosed = batch;
    void this.#finish(batch);
  }

  async #finish(batch: PgBatch): Promise<void> {
    await batch.whenStarted;
    await Promise.all(batch.issued);
    const conn = batch.conn;
    if (conn !== undefined && conn === this.#conn && batch.failure === undefined && batch.conflict !== undefined) {
      batch.failure = await this.#retry(batch, conn);
    }
    // Refusals of an aborted transaction waited for a cause that never came (it settled elsewhere): fail with one.
    batch.failure ??= batch.ops.find((op) => op.parked)?.parked?.error;
    const alive = conn !== undefined && conn === this.#conn;
    if (batch.failure !== undefined || !alive) {
      const error = batch.failure ?? new StoreUnavailableError('the database connection was lost');
      if (alive) void conn`ROLLBACK`.catch(() => {}); // the next batch's BEGIN goes behind it
      for (const op of batch.ops) op.parked?.reject(isConnectionLoss(error) ? error : op.parked.error);
      this.#next(batch);
      this.#fail(batch, error);
      return;
    }
    let answer: Promise<{command: string}>;
    try {
      this.options.beforeCommit?.(conn, batch);
      answer = conn`COMMIT`.then((result) => ({command: result.command}));
    } catch (error) {
      void conn`ROLLBACK`.catch(() => {});
      this.#next(batch);
      this.#fail(batch, error);
      return;
    }
    this.#next(batch);
    try {
      // A transaction that failed on the server (a statement nobody awaited) answers COMMIT with ROLLBACK.
      const {command} = await answer;
      if (command !== 'COMMIT') throw new Error(`the transaction was rolled back (${command})`);
    } catch (error) {
      if (isConnectionLoss(error)) this.#lost(error);
      this.#fail(batch, isConnectionLoss(error) ? unavailable(error) : error);
      return;
    }
    this.options.onCommitted?.(batch); // its writes are in: other processes and long polls may look
    const before = batch.before;
    batch.before = [];
    await Promise.all(before.map((earlier) => earlier.done.catch(() => {})));
    const failed = before.find((earlier) => earlier.ownFailure);
    batch.settle(failed?.error);
  }

  /**
   * Whether a failed operation waits for the batch to run again rather than report `error`. A refusal of the aborted
   * transaction (25P02) waits too, whatever aborted it: operations' answers may settle in another order than they
   * came (an operation of several statements settles later), so the cause may be learnt after it. If the cause was
   * no conflict, the batch fails with it and the waiting operations get their own refusals.
   */
  #mayRetry(batch: PgBatch, error: unknown): boolean {
    if (batch.retries >= MAX_RETRIES || batch.failure !== undefined) return false;
    return isRetryableConflict(error) || isInAbortedTransaction(error);
  }

  /**
   * Rolls back a batch a conflict aborted and runs its operations again (pipelined, in issue order, as the first
   * time), until one run meets no conflict or MAX_RETRIES are spent. Undefined once a run went through (COMMIT may
   * go out), else the error the batch fails with. Nothing else runs on the connection meanwhile: the next batch starts
   * behind this one's COMMIT or ROLLBACK.
   */
  async #retry(batch: PgBatch, conn: Connection): Promise<unknown> {
    while (batch.conflict !== undefined) {
      if (batch.retries >= MAX_RETRIES) return batch.conflict;
      batch.retries++;
      batch.conflict = undefined;
      try {
        await conn`ROLLBACK`;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(batch.retries)));
        if (conn !== this.#conn) return new StoreUnavailableError('the database connection was lost');
        const begun = conn`BEGIN`.then(() => undefined); // .then: postgres.js sends a query only once asked for its result
        const runs = batch.ops.map((op) => {
          try {
            return op.issue(conn);
          } catch (error) {
            return Promise.reject(error);
          }
        });
        await begun;
        const results = await Promise.allSettled(runs);
        const failed = this.#retryFailure(batch, results);
        if (failed !== undefined) return failed;
      } catch (error) {
        if (isConnectionLoss(error)) this.#lost(error);
        return isConnectionLoss(error) ? unavailable(error) : error;
      }
    }
    batch.ops.forEach((op) => {
      const parked = op.parked;
      op.parked = undefined;
      parked?.resolve(op.delivered!.value);
    });
    return undefined;
  }

  /**
   * Checks one run of a retry: an error to fail the batch with, or undefined (it ran through, or met a conflict
   * again: `batch.conflict`). Errors are judged all together, as in the first run: a refusal of the aborted
   * transaction may settle before its cause.
   */
  #retryFailure(batch: PgBatch, results: ReadonlyArray<PromiseSettledResult<unknown>>): unknown {
    const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
    const lost = errors.find(isConnectionLoss);
    if (lost !== undefined) {
      this.#lost(lost);
      return unavailable(lost);
    }
    const cause = errors.find((error) => !isRetryableConflict(error) && !isInAbortedTransaction(error));
    if (cause !== undefined) return cause;
    if (errors.length > 0) {
      batch.conflict = errors.find(isRetryableConflict) ?? errors[0];
      return undefined;
    }
    for (const [index, result] of results.entries()) {
      const op = batch.ops[index]!;
      const value = (result as PromiseFulfilledResult<unknown>).value;
      if (op.parked) op.delivered = {value};
      else if (!isDeepStrictEqual(op.delivered?.value, value)) {
        return new Error('a batch run again after a conflict read other data than its first run gave its callers');
      }
    }
    return undefined;
  }

  #fail(batch: PgBatch, error: unknown): void {
    batch.ownFailure = true;
    batch.before = [];
    batch.settle(error);
    this.options.onFailed?.(batch);
  }

  /** The batch's COMMIT or ROLLBACK is on the wire: the next batch starts behind it. */
  #next(batch: PgBatch): void {
    if (this.#queue[0] === batch) this.#queue.shift();
    const next = this.#queue[0];
    if (next && !next.started) this.#start(next);
  }

  /** The connection is gone: every operation waiting for an answer fails now, and reconnecting starts. */
  lost(error: unknown): void {
    this.#lost(error);
  }

  #lost(error: unknown): void {
    if (!this.#conn || this.#closed) return;
    this.#conn = undefined;
    this.options.onStatus?.('lost', error);
    const failure = unavailable(error);
    for (const batch of this.#queue) {
      if (!batch.started) continue;
      batch.failure ??= failure;
      for (const fail of [...batch.unanswered]) fail(failure);
    }
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    if (this.#reconnecting) return;
    this.#reconnecting = true;
    try {
      for (let attempt = 0; !this.#closed && !this.#conn; attempt++) {
        // The first try comes at once (a connection the server closed while idle is back at once), though never
        // inside the client's own close handler, which this is called from; then backoff.
        const delay = attempt === 0 ? 0 : backoffDelay(attempt - 1, this.options.reconnect);
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.#closed) return;
        try {
          this.#conn = await this.options.connect();
          this.options.onStatus?.('restored');
        } catch {
          // still down: try again later
        }
      }
    } finally {
      this.#reconnecting = false;
    }
  }

  /** Commits what is open and waits for every batch to settle; then no operation is accepted. */
  async close(): Promise<Connection | undefined> {
    const gathering = this.#open?.started === false ? this.#open : undefined;
    this.commit();
    const last = gathering ?? this.#lastClosed;
    if (last) await last.done.catch(() => {});
    this.#closed = true;
    return this.#conn;
  }
}

/** What operations belong to when no batch is open: everything before them is committed. */
const COMMITTED: CommitBatch = {state: 'committed', done: Promise.resolve()};
