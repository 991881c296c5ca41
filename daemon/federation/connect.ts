/**
 * Getting an authenticated channel: dial a peer and run the initiator handshake, or run the responder handshake
 * on a connection the daemon handed over. Off loopback (or with `tls: 'always'`) the initiator asks for TLS in its
 * hello; the responder answers `starttls` in plain text and both start TLS 1.3 before the challenge (tls.ts). A
 * responder refuses a peer that is not on loopback and did not ask for TLS. Both resolve with a channel that is
 * detached (frames held, reading paused) for the caller to attach to its RealmLink, or with the reason it failed.
 * Neither ever throws.
 */
import {connect, type Socket} from 'node:net';
import type {SecureContext} from 'node:tls';
import {LinkChannel, type ChannelHandler} from './channel.js';
import {InitiatorHandshake, ResponderHandshake, type HandshakeStep} from './handshake.js';
import type {RealmIdentity} from './identity.js';
import {decodeLine, encodeFrame, LinkDecoder, type LinkFrame} from './link-codec.js';
import {startTls, tlsChannelInfo} from './tls.js';
import type {HandshakePins, KeyPins} from './trust.js';
import type {Logger} from '../logger.js';

/** When links use TLS: `auto` = whenever the peer is not on loopback; `always` = on loopback too. */
export type LinkTlsMode = 'auto' | 'always';

/** What both handshake drivers need. */
export interface HandshakeSettings {
  /** Our realm name. */
  self: string;
  identity: RealmIdentity;
  /** The pinned keys (and TOFU) that decide whom to trust. */
  pins: KeyPins;
  /** Our TLS context (certificate from the realm key), made on first use. */
  tlsContext(): SecureContext;
  tls: LinkTlsMode;
  /** Our client port (told to the peer, for display). */
  port: number;
  logger: Logger;
  maxFrameBytes: number;
  /** The whole handshake (TCP connect and TLS included) must finish within this, in ms. */
  timeoutMs: number;
  /** Whether this process may accept a link from `realm` now (only the holder of its link lease). @default always */
  mayLink?: (realm: string) => boolean;
}

/** An authenticated channel, or why there is none. */
export type HandshakeResult =
  | {ok: true; channel: LinkChannel; peer: string; peerPort: number}
  | {ok: false; reason: string};

/** True for an address of this machine's loopback interface (IPv4 127/8, IPv6 ::1, IPv4-mapped 127/8). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** Whether a link with a peer at `address` runs over TLS. */
function needsTls(settings: HandshakeSettings, address: string | undefined): boolean {
  return settings.tls === 'always' || !isLoopback(address);
}

/**
 * Dials `host:port` and authenticates as the initiator, expecting the peer to be realm `expected`. Aborting
 * `signal` (the daemon stops) gives up at once: the socket is closed and the result is a failure.
 */
export async function dialLink(
  settings: HandshakeSettings, target: {host: string; port: number; expected: string},
  onConnected: (channel: LinkChannel) => void = () => {},
  signal?: AbortSignal,
): Promise<HandshakeResult> {
  let pins: HandshakePins;
  try {
    pins = await settings.pins.forRealm(target.expected);
  } catch (err) {
    return {ok: false, reason: `store: the pinned keys cannot be read (${(err as Error).message})`};
  }
  return new Promise((resolve) => {
    let channel: LinkChannel | undefined;
    let settled = false;
    const socket: Socket = connect({host: target.host, port: target.port});
    const finish = (result: HandshakeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const giveUp = (reason: string) => {
      socket.destroy();
      channel?.close(reason);
      finish({ok: false, reason});
    };
    const onAbort = () => giveUp('daemon stopping');
    const timer = setTimeout(() => giveUp(`no handshake within ${settings.timeoutMs} ms`), settings.timeoutMs);
    if (signal?.aborted) {
      giveUp('daemon stopping');
      return;
    }
    signal?.addEventListener('abort', onAbort, {once: true});
    // `on`, not `once`: under TLS this socket lives on beneath the TLS socket, and may fail again later.
    socket.on('error', (err) => giveUp(err.message));
    socket.once('connect', () => {
      const tls = needsTls(settings, socket.remoteAddress);
      const handshake = new InitiatorHandshake(settings.self, target.expected, settings.identity, settings.port,
        pins.check, tls);
      socket.write(encodeFrame(handshake.hello()));
      const run = (linkSocket: Socket) => {
        if (settled) {
          linkSocket.destroy();
          return;
        }
        channel = new LinkChannel(linkSocket, {maxFrameBytes: settings.maxFrameBytes, logger: settings.logger});
        onConnected(channel);
        runHandshake(pins, channel, (frame) => handshake.receive(frame), finish);
      };
      if (!tls) {
        run(socket);
        return;
      }
      void readPlainFrame(socket, settings.maxFrameBytes)
        .then(async (frame) => {
          if (frame.type === 'refuse') throw new Error(`refused: peer refused: ${frame.reason}`);
          if (frame.type !== 'starttls') throw new Error(`unexpected-frame: ${frame.type} instead of starttls`);
          const secure = await startTls(socket, settings.tlsContext(), 'client');
          handshake.channel(tlsChannelInfo(secure));
          run(secure);
        })
        .catch((err: unknown) => giveUp((err as Error).message));
    });
  });
}

/** Reads one frame from a plain socket that carries nothing after it (the `starttls` answer). */
function readPlainFrame(socket: Socket, maxFrameBytes: number): Promise<LinkFrame> {
  return new Promise((resolve, reject) => {
    const decoder = new LinkDecoder({maxFrameBytes});
    const onData = (chunk: Buffer) => {
      const frames = decoder.push(chunk);
      if (frames.length === 0) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      const first = frames[0]!;
      if (!first.ok) reject(new Error(`unexpected-frame: malformed answer (${first.code})`));
      else if (frames.length > 1 || decoder.bufferedBytes > 0) reject(new Error('unexpected-frame: data after starttls'));
      else resolve(first.frame);
    };
    const onClose = () => reject(new Error('connection closed during the handshake'));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/**
 * Authenticates a connection whose first line was `realmlink …` (`head`: every byte read so far). Every refusal is
 * logged with the peer's address and the reason.
 */
export async function acceptLink(settings: HandshakeSettings, socket: Socket, head: Buffer): Promise<HandshakeResult> {
  const newline = head.indexOf(0x0a);
  const decoded = newline === -1
    ? {ok: false as const, code: 'LINE_TOO_LONG' as const}
    : decodeLine(head.subarray(0, newline).toString('utf8').replace(/\r$/, ''));
  // The pins of the realm the hello names, read before the handshake (which never waits) runs.
  let pins: HandshakePins | undefined;
  if (decoded.ok && decoded.frame.type === 'hello') {
    try {
      pins = await settings.pins.forRealm(decoded.frame.realm);
    } catch (err) {
      socket.destroy();
      const reason = `store: the pinned keys cannot be read (${(err as Error).message})`;
      settings.logger.warn('refused a realm link', {peer: `${socket.remoteAddress}:${socket.remotePort}`, ...splitReason(reason)});
      return {ok: false, reason};
    }
  }
  const checkKey = pins?.check ?? (() => ({ok: false, reason: 'unknown-realm', detail: 'no hello'} as const));
  return new Promise((resolve) => {
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    let channel: LinkChannel | undefined;
    let settled = false;
    const finish = (result: HandshakeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!result.ok) settings.logger.warn('refused a realm link', {peer: remote, ...splitReason(result.reason)});
      resolve(result);
    };
    const timer = setTimeout(() => {
      socket.destroy();
      channel?.close('handshake timeout');
      finish({ok: false, reason: `timeout: no handshake within ${settings.timeoutMs} ms`});
    }, settings.timeoutMs);
    socket.on('error', () => {});
    const handshake = new ResponderHandshake(settings.self, settings.identity, checkKey,
      needsTls(settings, socket.remoteAddress), settings.mayLink);
    const step: HandshakeStep = decoded.ok
      ? handshake.receive(decoded.frame)
      : {kind: 'fail', frame: {type: 'refuse', reason: 'unexpected-frame'}, reason: 'unexpected-frame', detail: `malformed hello (${decoded.code})`};
    const run = (linkSocket: Socket, rest: Buffer | undefined, first: LinkFrame) => {
      if (settled) {
        linkSocket.destroy();
        return;
      }
      // The challenge goes first: frames the peer sent early (in `rest`) are answered after it.
      linkSocket.write(encodeFrame(first));
      channel = new LinkChannel(linkSocket, {maxFrameBytes: settings.maxFrameBytes, logger: settings.logger}, rest);
      runHandshake(pins!, channel, (frame) => handshake.receive(frame), finish);
    };
    if (step.kind === 'fail') {
      if (step.frame) socket.end(encodeFrame(step.frame));
      setTimeout(() => socket.destroy(), 1000).unref();
      finish({ok: false, reason: `${step.reason}: ${step.detail}`});
    } else if (step.kind === 'send') {
      run(socket, head.subarray(newline + 1), step.frame);
    } else if (step.kind === 'starttls') {
      if (newline + 1 < head.length) {
        socket.destroy();
        finish({ok: false, reason: 'unexpected-frame: data after a hello that asked for TLS'});
        return;
      }
      socket.write(encodeFrame({type: 'starttls'}));
      startTls(socket, settings.tlsContext(), 'server').then(
        (secure) => {
          handshake.channel(tlsChannelInfo(secure));
          run(secure, undefined, handshake.challenge());
        },
        (err: unknown) => {
          socket.destroy();
          finish({ok: false, reason: `tls: ${(err as Error).message}`});
        },
      );
    } else {
      socket.destroy();
      finish({ok: false, reason: 'unexpected-frame: the hello completed a handshake'});
    }
  });
}

function splitReason(reason: string): {reason: string; detail: string} {
  const colon = reason.indexOf(': ');
  return colon === -1 ? {reason, detail: ''} : {reason: reason.slice(0, colon), detail: reason.slice(colon + 2)};
}

/**
 * Moves frames between a channel and a handshake step machine until it succeeds or fails. On success the peer's
 * key is confirmed against the pins (and pinned, with TOFU) before the link is handed over.
 */
function runHandshake(
  pins: HandshakePins, channel: LinkChannel, step: (frame: LinkFrame) => HandshakeStep,
  finish: (result: HandshakeResult) => void,
): void {
  let finished = false;
  const done = (result: HandshakeResult) => {
    if (finished) return;
    finished = true;
    finish(result);
  };
  const fail = (frame: LinkFrame | undefined, reason: string, detail: string) => {
    if (frame) channel.closeAfter(frame, reason);
    else channel.close(reason);
    done({ok: false, reason: `${reason}: ${detail}`});
  };
  const handler: ChannelHandler = {
    frame(frame) {
      if (finished) return;
      const next = step(frame);
      if (next.kind === 'send') {
        channel.send(next.frame);
      } else if (next.kind === 'done') {
        if (!pins.confirm(next.peer, next.peerKey)) {
          fail({type: 'refuse', reason: 'wrong-key'}, 'wrong-key', `another key was pinned for realm ${next.peer} meanwhile`);
          return;
        }
        if (next.frame) channel.send(next.frame);
        // Hold whatever follows until the link attaches: the next frames already belong to it.
        channel.attach(undefined);
        done({ok: true, channel, peer: next.peer, peerPort: next.peerPort});
      } else if (next.kind === 'fail') {
        fail(next.frame, next.reason, next.detail);
      } else {
        fail({type: 'refuse', reason: 'unexpected-frame'}, 'unexpected-frame', 'starttls after the hello');
      }
    },
    chunkEnd() {},
    writable() {},
    closed(reason) {
      done({ok: false, reason: `connection closed during the handshake (${reason})`});
    },
  };
  channel.attach(handler);
}
