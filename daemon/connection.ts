/**
 * One client connection: a small state machine around a socket.
 *
 *   open ──(daemon stops / client sends FIN)──▶ draining ──(queue answered)──▶ closed
 *     └──────────────(socket error, slow reader, destroy)─────────────────────▶ closed
 *
 * Requests are answered strictly one at a time, in order, so pipelined requests see each other's effects and get
 * their replies in request order. Every reply waits for the store's group commit (`settled()`): an OK is only sent
 * for a committed change. Flow control both ways: reading pauses while `maxPipelinedRequests` lines wait, answering
 * pauses while the socket's buffer is full (`write()` returned false), and a client whose unread replies pass
 * `maxQueuedBytes`, or that reads none of them for `drainTimeoutMs`, is disconnected: no client can grow the
 * daemon's memory without bound.
 *
 * Realm links share the client port: while the daemon takes links (`federation.acceptor`), the bytes of the first
 * line are held back until it is complete; if it starts with the link verb, the socket and those bytes go to the
 * federation module and this connection ends without a reply. Otherwise the held bytes are framed as usual.
 */
import type {Socket} from 'node:net';
import {LineFramer, type FramedLine} from '../common/protocol/line-framer.js';
import {encodeReply} from '../common/protocol/reply-codec.js';
import {error, type Reply} from '../common/protocol/replies.js';
import type {RequestContext, Services, Session} from './context.js';
import {routeLine, type ConnectionState} from './router.js';

export type ConnectionPhase = 'open' | 'draining' | 'closed';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket listeners take event-specific arguments
type SocketListener = (...args: any[]) => void;

export class Connection implements ConnectionState {
  session: Session | undefined;
  phase: ConnectionPhase = 'open';
  readonly #abort = new AbortController();
  readonly #framer: LineFramer;
  readonly #queue: FramedLine[] = [];
  #busy = false;
  #waitingForDrain = false;
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
  ) {
    this.#framer = new LineFramer({maxLineBytes: services.options.maxLineBytes});
    const bind = (next: Session | undefined, current: Session | undefined) => {
      if (next) this.session = next;
      else if (this.session?.token === current?.token) this.session = undefined;
    };
    this.baseContext = {
      ...services,
      session: undefined,
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
      clearTimeout(this.#drainTimer);
      this.#waitingForDrain = false;
      void this.#pump();
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
    void this.#pump();
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
    void this.#pump();
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

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0 && !this.#waitingForDrain && this.phase !== 'closed') {
        const reply = await this.#answer(this.#queue.shift()!);
        if (reply && (this.phase as ConnectionPhase) !== 'closed') this.#write(reply);
      }
    } finally {
      this.#busy = false;
    }
    if (this.phase === 'open' && this.#queue.length < this.services.options.maxPipelinedRequests / 2 && this.socket.isPaused()) {
      this.socket.resume();
    }
    if (this.phase === 'draining' && this.#queue.length === 0 && !this.#waitingForDrain) this.socket.end();
  }

  async #answer(item: FramedLine): Promise<Reply | undefined> {
    if (item.kind === 'error') return error(item.code);
    let reply: Reply | undefined;
    try {
      reply = await routeLine(item.text, this, this.services);
    } catch (err) {
      // The router answers handler bugs itself; this catches a failure before a handler runs (a store error in
      // the session lookup): still our bug, still one reply, and the connection keeps serving.
      this.services.logger.error('request failed', {connection: this.id, err});
      reply = error('INTERNAL');
    }
    try {
      await this.services.store.settled();
    } catch (err) {
      this.services.logger.error('commit failed', {connection: this.id, err});
      return error('INTERNAL');
    }
    return reply;
  }

  #write(reply: Reply): void {
    const flushed = this.socket.write(encodeReply(reply));
    if (this.socket.writableLength > this.services.options.maxQueuedBytes) {
      this.services.logger.warn('disconnecting a client that does not read its replies', {
        connection: this.id, queuedBytes: this.socket.writableLength,
      });
      this.socket.destroy();
      return;
    }
    if (!flushed) {
      this.#waitingForDrain = true;
      this.#drainTimer = setTimeout(() => {
        this.services.logger.warn('disconnecting a client that stopped reading its replies', {connection: this.id});
        this.socket.destroy();
      }, this.services.options.drainTimeoutMs);
    }
  }

  #onClose(): void {
    this.phase = 'closed';
    this.#queue.length = 0;
    clearTimeout(this.#drainTimer);
    this.#abort.abort();
    this.#resolveClosed();
  }
}
