/**
 * One client connection: a small state machine around a socket.
 *
 *   open ──(daemon stops / client sends FIN)──▶ draining ──(queue answered)──▶ closed
 *     └──────────────(socket error, slow reader, destroy)─────────────────────▶ closed
 *
 * Requests are answered strictly one at a time, in order, so pipelined requests see each other's effects and get
 * their replies in request order. A request is answered as soon as it is read (its writes join the store's open
 * group commit), without waiting for the commit of the one before: the reply waits instead. At the end of the turn
 * the TurnScheduler commits, and the connection writes every reply whose batch committed, in one socket write. So
 * an OK is only sent for a committed change, and pipelined requests share a commit and a write.
 *
 * Fairness: a connection answers for at most `sliceMs` per turn, then yields until every other connection had its
 * turn; no client holds the event loop. Flow control both ways: reading pauses while `maxPipelinedRequests` lines
 * wait, answering pauses while the socket's buffer is full (`write()` returned false) and while the replies not yet
 * read pass `maxQueuedBytes`; a client whose unread replies pass that plus one largest reply (connectionReplyCap),
 * or that reads none of them for `drainTimeoutMs`, is disconnected: no client can grow the daemon's memory without
 * bound, and every reply the daemon may give (a file up to `maxFileBytes`) fits.
 *
 * Realm links share the client port: while the daemon takes links (`federation.acceptor`), the bytes of the first
 * line are held back until it is complete; if it starts with the link verb, the socket and those bytes go to the
 * federation module and this connection ends without a reply. Otherwise the held bytes are framed as usual.
 */
import type {Socket} from 'node:net';
import {FILE_COMMANDS} from '../common/protocol/commands.js';
import {base64Length} from '../common/protocol/files.js';
import {LineFramer, type FramedLine} from '../common/protocol/line-framer.js';
import {encodeReply} from '../common/protocol/reply-codec.js';
import {error, type Reply} from '../common/protocol/replies.js';
import type {RequestContext, Services, Session} from './context.js';
import {failureReply, routeLine, type ConnectionState} from './router.js';
import {connectionReplyCap} from './limits/reply-size.js';
import {isStoreUnavailable} from './store/errors.js';
import type {CommitBatch} from './store/types.js';
import type {TurnParticipant, TurnScheduler} from './turn-scheduler.js';

/** A reply waiting for the commit of the batch its request's writes joined. */
interface AnsweredRequest {
  /** The reply's line, encoded once when answered: its size holds answering back (see #repliesPassLimit). */
  readonly line: string;
  readonly batch: CommitBatch;
}

type Answer = Reply | undefined | Promise<Reply | undefined>;

/** Room on a file line for everything but the file's base64. */
const FILE_LINE_SLACK = 64 * 1024;

export type ConnectionPhase = 'open' | 'draining' | 'closed';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket listeners take event-specific arguments
type SocketListener = (...args: any[]) => void;

export class Connection implements ConnectionState, TurnParticipant {
  session: Session | undefined;
  phase: ConnectionPhase = 'open';
  readonly #abort = new AbortController();
  readonly #framer: LineFramer;
  readonly #queue: FramedLine[] = [];
  /** Answered requests whose replies are not written yet, in request order. */
  #answered: AnsweredRequest[] = [];
  /** The bytes of the #answered replies' lines. */
  #answeredBytes = 0;
  /** Answering stopped because the replies not yet read passed maxQueuedBytes; the next flush resumes it. */
  #heldForBytes = false;
  /** Queued reply bytes past which the connection is cut. */
  readonly #replyCap: number;
  /** A request whose handler is still running (a password hash, a long poll); the next ones wait for it. */
  #handlerRunning = false;
  /** Gave up the rest of its slice; the scheduler resumes it. */
  #yielded = false;
  /** The batch the first unwritten reply waits for, when it was pending at the last flush. */
  #awaitedBatch: CommitBatch | undefined;
  #waitingForDrain = false;
  #ended = false;
  #drainTimer: NodeJS.Timeout | undefined;
  /** The first line's bytes while it is incomplete, when a link acceptor may want the socket. */
  #firstLine: Buffer[] | undefined;
  #firstLineBytes = 0;
  /** This connection's socket listeners, removed when the socket is handed over. */
  readonly #listeners: Array<[event: string, listener: SocketListener]> = [];
  #resolveClosed!: () => void;
  /** Resolves once the socket is closed (or handed over to the federation module). */
  readonly closed: Promise<void>;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly services: Services,
    private readonly turns: TurnScheduler,
  ) {
    this.#replyCap = connectionReplyCap(services.options);
    this.#framer = new LineFramer({
      maxLineBytes: services.options.maxLineBytes,
      // A file line holds the base64 of the file plus the verb, token, name and path (a few KiB at most).
      longLines: {verbs: FILE_COMMANDS, maxBytes: base64Length(services.options.maxFileBytes) + FILE_LINE_SLACK},
    });
    const bind = (next: Session | undefined, current: Session | undefined) => {
      if (next) this.session = next;
      else if (this.session?.token === current?.token) this.session = undefined;
    };
    this.baseContext = {
      ...services,
      session: undefined,
      peer: socket.remoteAddress ?? '',
      signal: this.#abort.signal,
      bindSession(next) {
        // `this` is the per-request child context, so `this.session` is the session the request ran with.
        bind(next, this.session);
      },
    };
    socket.setNoDelay(true);
    if (services.federation.acceptor) this.#firstLine = [];
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#listen('data', (chunk: Buffer) => this.#onData(chunk));
    this.#listen('end', () => this.drain());
    this.#listen('drain', () => {
      services.limits.replies.set(this, 0);
      clearTimeout(this.#drainTimer);
      this.#waitingForDrain = false;
      this.#run();
    });
    this.#listen('error', (err: Error) => services.logger.debug('connection error', {connection: id, error: err.message}));
    this.#listen('close', () => this.#onClose());
  }

  #listen(event: string, listener: SocketListener): void {
    this.socket.on(event, listener);
    this.#listeners.push([event, listener]);
  }

  /** The request context shared by this connection's requests (see ConnectionState.baseContext). */
  readonly baseContext: RequestContext;

  /** Stops reading; answers what was already received, then closes. Long polls end at once. */
  drain(): void {
    if (this.phase !== 'open') return;
    this.phase = 'draining';
    this.socket.pause();
    this.#abort.abort();
    this.#run();
  }

  /** Closes at once. */
  destroy(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.phase !== 'open') return;
    if (this.#firstLine) {
      const head = this.#holdFirstLine(chunk);
      if (!head) return;
      chunk = head;
    }
    for (const item of this.#framer.push(chunk)) this.#queue.push(item);
    if (this.#queue.length >= this.services.options.maxPipelinedRequests) this.socket.pause();
    this.#run();
  }

  /**
   * Holds bytes until the first line is complete (or too long to be a link hello). Returns the bytes to frame as
   * client requests, or undefined while holding or once the socket went to the link acceptor.
   */
  #holdFirstLine(chunk: Buffer): Buffer | undefined {
    const held = this.#firstLine!;
    held.push(chunk);
    this.#firstLineBytes += chunk.length;
    if (chunk.indexOf(0x0a) === -1 && this.#firstLineBytes <= this.services.options.maxLineBytes) return undefined;
    this.#firstLine = undefined;
    const head = held.length === 1 ? held[0]! : Buffer.concat(held);
    const acceptor = this.services.federation.acceptor!;
    const verb = head.subarray(0, acceptor.verb.length + 1).toString('latin1');
    if (verb !== `${acceptor.verb} `) return head;
    // A realm link, not a client: the socket (and what was read of it) belongs to the federation module now.
    for (const [event, listener] of this.#listeners) this.socket.off(event, listener);
    this.phase = 'closed';
    this.#abort.abort();
    this.services.logger.debug('connection handed over to the realm link layer', {connection: this.id});
    this.services.federation.acceptor!.accept(this.socket, head);
    this.#resolveClosed();
    return undefined;
  }

  /**
   * Answers queued requests in order until the queue is empty, a handler goes asynchronous (the next request waits
   * for it), the slice is used up, or the socket's buffer is full. A handler that answers with a promise (every
   * handler that reads the store does) continues the same slice once it settles: with a synchronous store that is
   * a microtask later, still in this turn, so a pipeline is still answered within one turn and shares its commit;
   * `started` carries the slice's start across, so the slice still bounds the turn.
   */
  #run(started = performance.now()): void {
    if (this.#handlerRunning || this.#yielded || this.phase === 'closed') return;
    let answered = 0;
    while (this.#queue.length > 0 && !this.#waitingForDrain && !this.#repliesPassLimit()) {
      if (answered > 0 && performance.now() - started > this.services.options.sliceMs) {
        this.#yield();
        break;
      }
      const answer = this.#answer(this.#queue.shift()!);
      answered++;
      if (answer instanceof Promise) {
        this.#handlerRunning = true;
        const done = (reply: Reply | undefined) => {
          this.#handlerRunning = false;
          this.#keep(reply);
          // The awaited request counts as answered in this slice: past the slice (a long wait), yield before the next.
          if (this.#queue.length > 0 && performance.now() - started > this.services.options.sliceMs) this.#yield();
          else this.#run(started);
        };
        // The router turns a handler's rejection into a reply itself; this is the last line of defence.
        answer.then(done, (err: unknown) => done(failureReply(err, this.services, {connection: this.id})));
        break;
      }
      this.#keep(answer);
    }
    if (this.phase === 'open' && this.#queue.length < this.services.options.maxPipelinedRequests / 2 && this.socket.isPaused()) {
      this.socket.resume();
    }
    this.#endIfDrained();
  }

  /**
   * True once the replies answered but not written and the socket's queue pass maxQueuedBytes: answering waits for
   * the flush (and the client's reading), so a pipeline of large replies is written one share at a time.
   */
  #repliesPassLimit(): boolean {
    this.#heldForBytes = this.#answeredBytes + this.socket.writableLength > this.services.options.maxQueuedBytes;
    return this.#heldForBytes;
  }

  resume(): void {
    this.#yielded = false;
    this.#run();
  }

  /** Gives up the rest of the slice: the scheduler resumes this connection once every other one had its turn. */
  #yield(): void {
    this.#yielded = true;
    this.turns.resumeSoon(this);
  }

  #answer(item: FramedLine): Answer {
    if (item.kind === 'error') return error(item.code);
    try {
      return routeLine(item.text, this, this.services);
    } catch (err) {
      // The router answers handler and lookup failures itself; this is the last line of defence: still one reply,
      // and the connection keeps serving.
      return failureReply(err, this.services, {connection: this.id});
    }
  }

  /** Keeps a reply until the batch its request's writes joined is committed. A blank line has no reply. */
  #keep(reply: Reply | undefined): void {
    if (reply === undefined || this.phase === 'closed') return;
    const line = encodeReply(reply);
    this.#answered.push({line, batch: this.services.store.currentBatch()});
    this.#answeredBytes += line.length;
    this.turns.flushSoon(this);
  }

  /** Writes, in one socket write, every reply from the front whose batch is no longer pending. */
  flush(): void {
    if (this.phase === 'closed') return;
    const answered = this.#answered;
    let out = '';
    let count = 0;
    for (; count < answered.length; count++) {
      const {line, batch} = answered[count]!;
      if (batch.state === 'pending') {
        this.#awaitCommit(batch);
        break;
      }
      this.#answeredBytes -= line.length;
      if (batch.state === 'committed') {
        out += line;
      } else {
        // A failed commit undid the request's writes: its OK would be a lie.
        this.turns.commitFailed(batch);
        out += encodeReply(error(isStoreUnavailable(batch.error) ? 'UNAVAILABLE' : 'INTERNAL'));
      }
    }
    this.#answered = count === answered.length ? [] : answered.slice(count);
    if (out !== '') this.#write(out);
    // Answering waited for this write: go on unless the socket is full now (then its 'drain' resumes it).
    if (this.#heldForBytes && !this.#waitingForDrain && !this.socket.destroyed) {
      this.#heldForBytes = false;
      this.#run();
    }
    this.#endIfDrained();
  }

  /** Flushes again once `batch` is committed (a store whose commit completes later than the turn). */
  #awaitCommit(batch: CommitBatch): void {
    if (this.#awaitedBatch === batch) return;
    this.#awaitedBatch = batch;
    const again = () => {
      if (this.#awaitedBatch === batch) this.#awaitedBatch = undefined;
      this.turns.flushSoon(this);
    };
    batch.done.then(again, again);
  }

  #endIfDrained(): void {
    if (this.phase === 'draining' && this.#queue.length === 0 && !this.#handlerRunning && this.#answered.length === 0 &&
        !this.#waitingForDrain && !this.#ended) {
      this.#ended = true;
      this.socket.end();
      // Read (and drop) what the client still sends until its FIN: on a paused socket the FIN would stay unread
      // behind a late request, and the connection would never close.
      this.socket.resume();
    }
  }

  #write(bytes: string): void {
    const flushed = this.socket.write(bytes, 'latin1'); // replies are ASCII
    this.services.limits.replies.set(this, this.socket.writableLength);
    if (this.socket.writableLength > this.#replyCap) {
      this.services.logger.warn('disconnecting a client that does not read its replies', {
        connection: this.id, queuedBytes: this.socket.writableLength,
      });
      this.socket.destroy();
      return;
    }
    if (!flushed && !this.#waitingForDrain) {
      this.#waitingForDrain = true;
      this.#drainTimer = setTimeout(() => {
        this.services.logger.warn('disconnecting a client that stopped reading its replies', {connection: this.id});
        this.socket.destroy();
      }, this.services.options.drainTimeoutMs);
    }
  }

  #onClose(): void {
    this.services.limits.replies.set(this, 0);
    this.phase = 'closed';
    this.#queue.length = 0;
    this.#answered = [];
    this.#answeredBytes = 0;
    clearTimeout(this.#drainTimer);
    this.#abort.abort();
    this.#resolveClosed();
  }
}
