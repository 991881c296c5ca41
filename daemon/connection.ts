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
 */
import type {Socket} from 'node:net';
import {LineFramer, type FramedLine} from '../common/protocol/line-framer.js';
import {encodeReply} from '../common/protocol/reply-codec.js';
import {error, type Reply} from '../common/protocol/replies.js';
import type {RequestContext, Services, Session} from './context.js';
import {routeLine, type ConnectionState} from './router.js';

export type ConnectionPhase = 'open' | 'draining' | 'closed';

export class Connection implements ConnectionState {
  session: Session | undefined;
  phase: ConnectionPhase = 'open';
  readonly #abort = new AbortController();
  readonly #framer: LineFramer;
  readonly #queue: FramedLine[] = [];
  #busy = false;
  #waitingForDrain = false;
  #drainTimer: NodeJS.Timeout | undefined;
  /** Resolves once the socket is closed. */
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
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.drain());
    socket.on('drain', () => {
      clearTimeout(this.#drainTimer);
      this.#waitingForDrain = false;
      void this.#pump();
    });
    socket.on('error', (err) => services.logger.debug('connection error', {connection: id, error: err.message}));
    socket.on('close', () => this.#onClose());
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
    for (const item of this.#framer.push(chunk)) this.#queue.push(item);
    if (this.#queue.length >= this.services.options.maxPipelinedRequests) this.socket.pause();
    void this.#pump();
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
    const reply = await routeLine(item.text, this, this.services);
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
  }
}
