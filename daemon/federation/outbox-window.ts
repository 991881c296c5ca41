/**
 * The part of one realm's durable outbox that is held in memory: the oldest unacknowledged messages, in seq
 * order, with a cursor that separates the ones in flight on the current connection from the ones not sent yet.
 *
 *   acked (deleted) │ in flight: entries[0, sent) │ not sent: entries[sent, …) │ only in the database (spilled)
 *
 * The database is the truth; memory holds at most `capacity` rows, so a long outage costs disk, not RAM. Rows
 * past the window are paged in as acknowledgements make room. Only rows known to be committed are ever read back
 * (`committedHigh`): a row of the still-open group-commit batch must not be sent, since it may yet roll back.
 */
import type {Awaitable, OutboxRecord} from '../store/types.js';

/** Reads committed outbox rows `afterSeq < seq <= uptoSeq` of this realm, oldest first, at most `limit`. */
export type OutboxLoader = (afterSeq: number, uptoSeq: number, limit: number) => Awaitable<OutboxRecord[]>;

/** The in-memory window over one realm's outbox (see the top of this file). */
export class OutboxWindow {
  readonly #entries: OutboxRecord[] = [];
  /** entries[0, #sent) were written to the current connection and await their ack. */
  #sent = 0;
  /** Highest seq ever placed in memory (or acknowledged); the database holds everything after it. */
  #loadedHigh = 0;
  /** Highest seq known to be committed. */
  #committedHigh: number;
  /** True while committed rows exist that are not in memory. */
  #spilled: boolean;
  /** An asynchronous store is reading a page; `next()` has nothing new until it arrives. */
  #loading = false;
  /** Raised by reset(): a page read before it is dropped when it arrives. */
  #generation = 0;

  constructor(
    private readonly load: OutboxLoader,
    /** Most rows held in memory. */
    readonly capacity: number,
    /** The highest seq in the database at start-up (all committed); 0 for an empty outbox. */
    lastCommittedSeq: number,
    /**
     * Told when a page an asynchronous store read arrived (send on) or could not be read (`error`; the rows stay in
     * the database and the next `next()` or acknowledgement reads again).
     */
    private readonly loaded: (error?: unknown) => void = () => {},
    /**
     * Other processes add rows to this outbox too (a shared store): a row offered here may follow rows committed
     * elsewhere that this window has not read yet, so every row is read back from the database, in seq order.
     */
    private readonly shared = false,
  ) {
    this.#committedHigh = lastCommittedSeq;
    this.#spilled = lastCommittedSeq > 0;
  }

  /** Adds a row whose transaction has committed. */
  add(record: OutboxRecord): void {
    this.#committedHigh = Math.max(this.#committedHigh, record.seq);
    if (this.shared || this.#spilled || this.#entries.length >= this.capacity) {
      // Leave it in the database; paging reads it back in order.
      this.#spilled = true;
      return;
    }
    if (record.seq > this.#loadedHigh) {
      this.#entries.push(record);
      this.#loadedHigh = record.seq;
      return;
    }
    // Out of order (not expected: rows are offered in commit order). Keep the order among the unsent rows.
    if (this.#entries.some((entry) => entry.seq === record.seq)) return;
    let at = this.#entries.length;
    while (at > this.#sent && this.#entries[at - 1]!.seq > record.seq) at--;
    this.#entries.splice(at, 0, record);
  }

  /** The next row to send on the current connection, or undefined when all are sent (moves the cursor). */
  next(): OutboxRecord | undefined {
    if (this.#sent === this.#entries.length) this.#refill();
    const entry = this.#entries[this.#sent];
    if (entry) this.#sent++;
    return entry;
  }

  /** Rows written and not yet acknowledged. */
  get inFlight(): number {
    return this.#sent;
  }

  /**
   * About how many bytes the rows in flight take on the wire: each message frame, and a file's content as base64
   * chunk frames (4/3 of its size). Walks the rows in flight: the ack watchdog asks a few times per timeout.
   */
  get inFlightBytes(): number {
    let bytes = 0;
    for (let i = 0; i < this.#sent; i++) {
      const entry = this.#entries[i]!;
      bytes += entry.body.length + (entry.file ? Math.ceil(entry.file.size / 3) * 4 : 0);
    }
    return bytes;
  }

  /** The seq of the last row in flight (0 when none). */
  get lastSentSeq(): number {
    return this.#sent === 0 ? 0 : this.#entries[this.#sent - 1]!.seq;
  }

  /** Rows up to `seq` are committed (another process of the realm added them): they are read in as room allows. */
  learnCommitted(seq: number): void {
    if (seq <= this.#committedHigh) return;
    this.#committedHigh = seq;
    this.#spilled = true;
  }

  /**
   * Forgets what memory holds and starts over from the database, whose rows are all committed up to `lastCommittedSeq`
   * (this process takes the link over: another one may have sent and settled rows meanwhile).
   */
  reset(lastCommittedSeq: number): void {
    this.#generation++;
    this.#loading = false;
    this.#entries.length = 0;
    this.#sent = 0;
    this.#loadedHigh = 0;
    this.#committedHigh = lastCommittedSeq;
    this.#spilled = lastCommittedSeq > 0;
  }

  /** The connection is gone: every unacknowledged row will be sent again, from the oldest. */
  rewind(): void {
    this.#sent = 0;
  }

  /** Removes and returns the in-flight rows with seq <= upto (an ack never covers rows not sent yet). */
  acknowledge(upto: number): OutboxRecord[] {
    let count = 0;
    while (count < this.#sent && this.#entries[count]!.seq <= upto) count++;
    const done = this.#entries.splice(0, count);
    this.#sent -= count;
    if (this.#entries.length < this.capacity / 2) this.#refill();
    return done;
  }

  #refill(): void {
    if (!this.#spilled || this.#loading) return;
    const room = this.capacity - this.#entries.length;
    if (room <= 0) return;
    const upto = this.#committedHigh;
    const rows = this.load(this.#loadedHigh, upto, room);
    if (!(rows instanceof Promise)) {
      this.#place(rows, room, upto);
      return;
    }
    this.#loading = true;
    const generation = this.#generation;
    rows.then((page) => {
      if (generation !== this.#generation) return;
      this.#loading = false;
      this.#place(page, room, upto);
      this.loaded();
    }, (error: unknown) => {
      if (generation !== this.#generation) return;
      this.#loading = false;
      this.loaded(error);
    });
  }

  /** Appends a page read up to `upto` (only spilled rows are read, so they all follow the entries in memory). */
  #place(rows: readonly OutboxRecord[], room: number, upto: number): void {
    for (const row of rows) this.#entries.push(row);
    if (rows.length > 0) this.#loadedHigh = rows[rows.length - 1]!.seq;
    if (rows.length < room) {
      this.#loadedHigh = Math.max(this.#loadedHigh, upto);
      // Rows committed while an asynchronous read was under way are still only in the database.
      this.#spilled = this.#committedHigh > upto;
    }
  }
}
