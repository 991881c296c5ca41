/** A scripted realm peer for tests: speaks the link protocol frame by frame over a raw socket. */
import {connect, createServer, type Server, type Socket} from 'node:net';
import {InitiatorHandshake, ResponderHandshake, type KeyCheck} from '../../daemon/federation/handshake.js';
import type {RealmIdentity} from '../../daemon/federation/identity.js';
import {encodeFrame, LinkDecoder, type DecodedFrame, type LinkFrame} from '../../daemon/federation/link-codec.js';

/** A scripted peer trusts whatever key its counterpart presents. */
const trustAll: KeyCheck = () => ({ok: true});

/** Behaviour switches of a scripted peer. */
export interface PeerOptions {
  /** Answer pings (a live peer). @default true */
  answerPings?: boolean;
}

/** A listening scripted peer. */
export interface PeerServer {
  server: Server;
  port: number;
  /** The next authenticated incoming link. */
  accepted(): Promise<RawPeer>;
  close(): Promise<void>;
}

export class RawPeer {
  readonly #decoder = new LinkDecoder();
  readonly #frames: DecodedFrame[] = [];
  readonly #waiters: Array<(frame: DecodedFrame) => void> = [];
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket, options: PeerOptions = {}) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.#decoder.push(chunk)) {
        if (frame.ok && frame.frame.type === 'ping') {
          if (options.answerPings !== false) this.send({type: 'pong'});
          continue;
        }
        const waiter = this.#waiters.shift();
        if (waiter) waiter(frame);
        else this.#frames.push(frame);
      }
    });
    socket.on('error', () => {});
  }

  /** Connects to a daemon's client port and authenticates as realm `self` with `identity` (plain text, loopback). */
  static async dial(port: number, self: string, expected: string, identity: RealmIdentity): Promise<RawPeer> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const peer = new RawPeer(socket);
    const handshake = new InitiatorHandshake(self, expected, identity, 0, trustAll, false);
    peer.send(handshake.hello());
    for (;;) {
      const step = handshake.receive(await peer.frame());
      if (step.kind === 'send') peer.send(step.frame);
      else if (step.kind === 'done') return peer;
      else if (step.kind === 'fail') throw new Error(`handshake failed: ${step.reason}: ${step.detail}`);
      else throw new Error('unexpected starttls');
    }
  }

  /** Listens on loopback and answers incoming links as realm `self` (for a daemon that dials us). */
  static async listen(self: string, identity: RealmIdentity, options: PeerOptions = {}): Promise<PeerServer> {
    const ready: RawPeer[] = [];
    const waiting: Array<(peer: RawPeer) => void> = [];
    const server = createServer((socket) => {
      void (async () => {
        const peer = new RawPeer(socket, options);
        const handshake = new ResponderHandshake(self, identity, trustAll, false);
        for (;;) {
          const step = handshake.receive(await peer.frame());
          if (step.kind === 'send') {
            peer.send(step.frame);
            continue;
          }
          if (step.kind === 'starttls') throw new Error('a scripted peer speaks plain text only');
          if (step.frame) peer.send(step.frame);
          if (step.kind !== 'done') {
            socket.end();
            return;
          }
          const waiter = waiting.shift();
          if (waiter) waiter(peer);
          else ready.push(peer);
          return;
        }
      })().catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      server,
      port: (server.address() as {port: number}).port,
      accepted: () => {
        const peer = ready.shift();
        return peer ? Promise.resolve(peer) : new Promise((resolve) => waiting.push(resolve));
      },
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  send(frame: LinkFrame): void {
    this.socket.write(encodeFrame(frame));
  }

  /** Writes raw bytes. */
  write(text: string): void {
    this.socket.write(text);
  }

  /** The next decoded item (frame or decode error). */
  next(ms = 5000): Promise<DecodedFrame> {
    const queued = this.#frames.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame in time')), ms);
      this.#waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  /** The next frame; fails on a decode error. */
  async frame(ms = 5000): Promise<LinkFrame> {
    const item = await this.next(ms);
    if (!item.ok) throw new Error(`undecodable frame: ${item.code}`);
    return item.frame;
  }

  close(): void {
    this.socket.destroy();
  }
}
