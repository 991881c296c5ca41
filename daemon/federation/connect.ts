/**
 * Getting an authenticated channel: dial a peer and run the initiator handshake, or run the responder handshake
 * on a connection the daemon handed over. Both resolve with a channel that is detached (frames held, reading
 * paused) for the caller to attach to its RealmLink, or with the reason it failed. Neither ever throws.
 */
import {connect, type Socket} from 'node:net';
import {LinkChannel, type ChannelHandler} from './channel.js';
import {InitiatorHandshake, ResponderHandshake, type FederationKey, type HandshakeStep} from './handshake.js';
import type {LinkFrame} from './link-codec.js';
import type {Logger} from '../logger.js';

/** What both handshake drivers need. */
export interface HandshakeSettings {
  /** Our realm name. */
  self: string;
  key: FederationKey;
  /** Our client port (told to the peer, for display). */
  port: number;
  logger: Logger;
  maxFrameBytes: number;
  /** The whole handshake (TCP connect included) must finish within this, in ms. */
  timeoutMs: number;
}

/** An authenticated channel, or why there is none. */
export type HandshakeResult =
  | {ok: true; channel: LinkChannel; peer: string; peerPort: number}
  | {ok: false; reason: string};

/**
 * Dials `host:port` and authenticates as the initiator, expecting the peer to be realm `expected`. Aborting
 * `signal` (the daemon stops) gives up at once: the socket is closed and the result is a failure.
 */
export function dialLink(
  settings: HandshakeSettings, target: {host: string; port: number; expected: string},
  onConnected: (channel: LinkChannel) => void = () => {},
  signal?: AbortSignal,
): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    let channel: LinkChannel | undefined;
    const socket: Socket = connect({host: target.host, port: target.port});
    const giveUp = (reason: string) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      channel?.close(reason);
      resolve({ok: false, reason});
    };
    const onAbort = () => giveUp('daemon stopping');
    const timer = setTimeout(() => giveUp(`no handshake within ${settings.timeoutMs} ms`), settings.timeoutMs);
    if (signal?.aborted) {
      giveUp('daemon stopping');
      return;
    }
    signal?.addEventListener('abort', onAbort, {once: true});
    socket.once('error', (err) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ok: false, reason: err.message});
    });
    socket.once('connect', () => {
      const handshake = new InitiatorHandshake(settings.self, target.expected, settings.key, settings.port);
      channel = new LinkChannel(socket, {maxFrameBytes: settings.maxFrameBytes, logger: settings.logger});
      onConnected(channel);
      runHandshake(channel, (frame) => handshake.receive(frame), (result) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      });
      channel.send(handshake.hello());
    });
  });
}

/** True for an address of this machine's loopback interface (IPv4 127/8, IPv6 ::1, IPv4-mapped 127/8). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * Authenticates a connection whose first line was `realmlink …` (`head`: every byte read so far). Without a key,
 * only loopback peers are accepted. Every refusal is logged with the peer's address and the reason.
 */
export function acceptLink(settings: HandshakeSettings, socket: Socket, head: Buffer): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const channel = new LinkChannel(socket, {maxFrameBytes: settings.maxFrameBytes, logger: settings.logger}, head);
    const refuse = (reason: string, detail: string) => {
      settings.logger.warn('refused a realm link', {peer: channel.remote, reason, detail});
      resolve({ok: false, reason: `${reason}: ${detail}`});
    };
    if (!settings.key && !isLoopback(socket.remoteAddress)) {
      channel.closeAfter({type: 'refuse', reason: 'key-required'}, 'refused');
      refuse('key-required', 'this realm has no federation key and accepts links from loopback peers only');
      return;
    }
    const timer = setTimeout(() => {
      channel.close('handshake timeout');
      refuse('timeout', `no handshake within ${settings.timeoutMs} ms`);
    }, settings.timeoutMs);
    const handshake = new ResponderHandshake(settings.self, settings.key);
    runHandshake(channel, (frame) => handshake.receive(frame), (result) => {
      clearTimeout(timer);
      if (result.ok) resolve(result);
      else refuse(...splitReason(result.reason));
    });
  });
}

function splitReason(reason: string): [string, string] {
  const colon = reason.indexOf(': ');
  return colon === -1 ? [reason, ''] : [reason.slice(0, colon), reason.slice(colon + 2)];
}

/** Moves frames between a channel and a handshake step machine until it succeeds or fails. */
function runHandshake(
  channel: LinkChannel, step: (frame: LinkFrame) => HandshakeStep, finish: (result: HandshakeResult) => void,
): void {
  let finished = false;
  const done = (result: HandshakeResult) => {
    if (finished) return;
    finished = true;
    finish(result);
  };
  const handler: ChannelHandler = {
    frame(frame) {
      if (finished) return;
      const next = step(frame);
      if (next.kind === 'send') {
        channel.send(next.frame);
      } else if (next.kind === 'done') {
        if (next.frame) channel.send(next.frame);
        // Hold whatever follows until the link attaches: the next frames already belong to it.
        channel.attach(undefined);
        done({ok: true, channel, peer: next.peer, peerPort: next.peerPort});
      } else {
        if (next.frame) channel.closeAfter(next.frame, next.reason);
        else channel.close(next.reason);
        done({ok: false, reason: `${next.reason}: ${next.detail}`});
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
