/**
 * One TCP connection of a realm link, from the first handshake frame to its close: socket ⇄ codec, the heartbeat,
 * and write backpressure. It knows nothing about realms or messages; its owner (the handshake driver, then a
 * RealmLink) gets the frames through a ChannelHandler.
 */
import type {Socket} from 'node:net';
import {encodeFrame, LinkDecoder, type LinkFrame} from './link-codec.js';
import type {Logger} from '../logger.js';

/** How many maximum-size frames' worth of our bytes a peer may leave unread (4 MiB with the default 1 MiB). */
const UNREAD_FRAMES = 4;

/** What the owner of a channel is told. */
export interface ChannelHandler {
  /** A decoded frame (ping/pong are answered by the channel itself and not passed on). */
  frame(frame: LinkFrame): void;
  /** Every frame of one received chunk has been passed to `frame` (lets a receiver batch its store writes). */
  chunkEnd(): void;
  /** The socket accepts writes again after `write` returned false. */
  writable(): void;
  /** The connection is gone; called once. */
  closed(reason: string): void;
}

/** Limits of a channel. */
export interface ChannelOptions {
  maxFrameBytes: number;
  logger: Logger;
}

/** One link connection: frames in and out of a socket, with heartbeat and backpressure. */
export class LinkChannel {
  /** `ip:port` of the other end, for logs. */
  readonly remote: string;
  readonly #socket: Socket;
  readonly #decoder: LinkDecoder;
  readonly #logger: Logger;
  /** Our frames the peer may leave unread before the connection is cut (see `send`). */
  readonly #maxUnreadBytes: number;
  #handler: ChannelHandler | undefined;
  /** Frames decoded while no handler was attached (between the handshake and the link taking over). */
  readonly #backlog: LinkFrame[] = [];
  #backlogChunkEnd = false;
  #closeReason: string | undefined;
  #isClosed = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #lastReceived = Date.now();
  #lastSent = Date.now();

  constructor(socket: Socket, options: ChannelOptions, head?: Buffer) {
    this.#socket = socket;
    this.#logger = options.logger;
    this.#decoder = new LinkDecoder({maxFrameBytes: options.maxFrameBytes});
    this.#maxUnreadBytes = UNREAD_FRAMES * options.maxFrameBytes;
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#handler?.writable());
    // Links never half-close: the end of the peer's stream is the end of the link.
    socket.on('end', () => this.close('peer closed the connection'));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('close', () => this.#onClose());
    if (head && head.length > 0) this.#onData(head);
  }

  /** True once the connection is closed or closing. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Bytes written but not yet handed to the kernel. */
  get queuedBytes(): number {
    return this.#socket.writableLength;
  }

  /**
   * Gives the frames to `handler` (first any that arrived while none was attached). `undefined` detaches: frames
   * are then held and reading pauses, so an unowned channel never buffers more than one chunk.
   */
  attach(handler: ChannelHandler | undefined): void {
    this.#handler = handler;
    if (!handler) {
      this.#socket.pause();
      return;
    }
    while (this.#backlog.length > 0 && this.#handler === handler) handler.frame(this.#backlog.shift()!);
    if (this.#handler !== handler) return;
    if (this.#backlogChunkEnd) {
      this.#backlogChunkEnd = false;
      handler.chunkEnd();
    }
    if (this.#isClosed) {
      handler.closed(this.#closeReason ?? 'closed');
      return;
    }
    this.#socket.resume();
  }

  /**
   * Sends one frame; false when the socket's buffer is full (wait for `writable`). Control frames (handshake, ack,
   * pong) are small and answer what the peer sends, so they are written regardless; only the message pump
   * (RealmLink) holds back on false. A peer that keeps sending but never reads would make them pile up here without
   * bound (a flood of pings costs nothing, even before the handshake), so once more than a few frames' worth of
   * our bytes wait unread, the connection is cut. The pump alone never queues that much: it stops at a full buffer.
   */
  send(frame: LinkFrame): boolean {
    const flushed = this.write(encodeFrame(frame));
    if (!this.#isClosed && this.#socket.writableLength > this.#maxUnreadBytes) {
      this.#logger.warn('closing a realm link whose peer does not read what we send',
        {peer: this.remote, queuedBytes: this.#socket.writableLength});
      this.close('the peer does not read what we send');
    }
    return flushed;
  }

  /** Sends encoded frames; false when the socket's buffer is full (wait for `writable`). */
  write(text: string): boolean {
    if (this.#isClosed) return false;
    this.#lastSent = Date.now();
    return this.#socket.write(text);
  }

  /**
   * Keeps the connection honest: sends a ping when nothing was sent for `intervalMs`, and closes it when nothing
   * at all was received for `timeoutMs` (a peer that vanished without a FIN, e.g. after a power loss).
   */
  startHeartbeat(intervalMs: number, timeoutMs: number): void {
    clearInterval(this.#heartbeat);
    if (this.#isClosed) return;
    this.#lastReceived = Date.now();
    this.#heartbeat = setInterval(() => {
      const now = Date.now();
      if (now - this.#lastReceived > timeoutMs) this.close(`no frame from the peer for ${timeoutMs} ms`);
      else if (now - this.#lastSent >= intervalMs) this.send({type: 'ping'});
    }, Math.max(10, Math.floor(intervalMs / 2)));
    this.#heartbeat.unref();
  }

  /** Closes the connection at once; the handler's `closed` follows. */
  close(reason: string): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#closeReason = reason;
    clearInterval(this.#heartbeat);
    this.#socket.destroy();
  }

  /** Sends a last frame (a refusal), then closes once it is flushed (or after a second at most). */
  closeAfter(frame: LinkFrame, reason: string): void {
    if (this.#isClosed) return;
    this.#socket.write(encodeFrame(frame));
    this.#isClosed = true;
    this.#closeReason = reason;
    clearInterval(this.#heartbeat);
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  #onData(chunk: Buffer): void {
    this.#lastReceived = Date.now();
    for (const decoded of this.#decoder.push(chunk)) {
      if (this.#isClosed) return;
      if (!decoded.ok) {
        if (decoded.code === 'UNKNOWN_VERB') {
          // A newer peer may send frames this version does not know: ignore them (forward compatibility).
          this.#logger.debug('ignoring an unknown link frame', {peer: this.remote, verb: decoded.verb});
          continue;
        }
        this.#logger.warn('closing a realm link after a malformed frame', {peer: this.remote, code: decoded.code, verb: decoded.verb});
        this.close(`malformed frame (${decoded.code})`);
        return;
      }
      const {frame} = decoded;
      if (frame.type === 'ping') {
        this.send({type: 'pong'});
        continue;
      }
      if (frame.type === 'pong') continue;
      if (this.#handler) this.#handler.frame(frame);
      else this.#backlog.push(frame);
    }
    if (this.#handler) this.#handler.chunkEnd();
    else this.#backlogChunkEnd = true;
  }

  #onClose(): void {
    if (!this.#isClosed) {
      this.#isClosed = true;
      this.#closeReason = 'connection closed';
      clearInterval(this.#heartbeat);
    }
    this.#handler?.closed(this.#closeReason ?? 'closed');
  }
}
