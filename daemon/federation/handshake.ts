/**
 * The link handshake as two small step machines, one per side. Pure apart from drawing nonces and signing: frames
 * in, frames and a verdict out. The socket code (connect.ts) only moves their frames and starts TLS.
 *
 *   initiator                                        responder
 *   realmlink {realm I, to R, nonce Ni, key Ki, tls} ──▶  version? R is my name? I is not? Ki pinned for I (or TOFU)?
 *                                                   ◀──  starttls {}          (only when tls; then TLS 1.3 starts)
 *                                                   ◀──  challenge {realm R, nonce Nr, key Kr}
 *   R expected? Kr pinned for R (or TOFU)?
 *   TLS certificate key = Kr?                       ──▶  response {sig: Sign(Ki, T("initiator"))}
 *                                                        TLS certificate key = Ki? signature valid?
 *                                                   ◀──  ready {sig: Sign(Kr, T("responder"))}   (or refuse {reason})
 *   signature valid? → link up
 *
 *   T(role) = "realmlink/2\n" role "\n" i "\n" r "\n" Ki "\n" Kr "\n" Ni "\n" Nr "\n" binding
 *
 * The initiator proves first, and nothing either side sends before the other has proved itself is derived from a
 * secret: a hello and a challenge carry only names, fresh nonces and public keys, so an anonymous peer gets nothing
 * to test guesses against. The signatures cover both fresh nonces (no replay), the role (no reflection), both names
 * and both public keys (no moving to another pair) and, over TLS, the session's exported keying material
 * (`binding`, no relaying into another TLS session).
 */
import {randomBytes} from 'node:crypto';
import {signText, verifyText, type RealmIdentity} from './identity.js';
import {LINK_VERSION, type ChallengeFrame, type HelloFrame, type LinkFrame, type RefuseFrame} from './link-codec.js';

/** Why a handshake failed; sent as the refuse reason and logged. */
export type HandshakeFailure =
  | 'version' | 'wrong-realm' | 'same-realm' | 'unknown-realm' | 'wrong-key' | 'bad-signature' | 'tls-required'
  | 'unexpected-frame' | 'refused' | 'link-elsewhere';

/** Whether `key` may speak for realm `realm`: pinned, or new and trusted on first use. */
export type KeyCheck = (realm: string, key: string) => {ok: true} | {ok: false; reason: 'unknown-realm' | 'wrong-key'; detail: string};

/** What the connection under the handshake adds: TLS's channel binding and the peer's certificate key. */
export interface ChannelInfo {
  /** Hex exported keying material of the TLS session; '' on a plain connection. */
  binding: string;
  /** The public key of the peer's TLS certificate; undefined on a plain connection. */
  peerCertificateKey: string | undefined;
}

const PLAIN: ChannelInfo = {binding: '', peerCertificateKey: undefined};

/** A fresh nonce: 16 random bytes as 32 hex digits. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** The text each side signs (see the top of this file). */
export function transcript(
  role: 'initiator' | 'responder', hello: Pick<HelloFrame, 'realm' | 'to' | 'key' | 'nonce'>,
  challenge: Pick<ChallengeFrame, 'key' | 'nonce'>, binding: string,
): string {
  return [`realmlink/${LINK_VERSION}`, role, hello.realm.toLowerCase(), hello.to.toLowerCase(), hello.key, challenge.key,
    hello.nonce, challenge.nonce, binding].join('\n');
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** What a handshake step asks the caller to do. */
export type HandshakeStep =
  /** Send this frame and wait for the next one. */
  | {kind: 'send'; frame: LinkFrame}
  /** Send `starttls` (plain), start TLS as the server, then call `channel()` and wait for the next frame. */
  | {kind: 'starttls'}
  /** The handshake succeeded (after sending `frame`, if any). */
  | {kind: 'done'; frame?: LinkFrame; peer: string; peerKey: string; peerPort: number}
  /** The handshake failed (after sending `frame`, if any); close the connection. */
  | {kind: 'fail'; frame?: RefuseFrame; reason: HandshakeFailure; detail: string};

/** The dialling side. */
export class InitiatorHandshake {
  readonly #hello: HelloFrame;
  #challenged: ChallengeFrame | undefined;
  #channel: ChannelInfo = PLAIN;

  constructor(
    readonly self: string,
    /** The realm this side means to reach; the peer must call itself so. */
    readonly expected: string,
    readonly identity: RealmIdentity,
    /** Our client port, told to the peer for display. */
    port: number,
    readonly checkKey: KeyCheck,
    readonly tls: boolean,
  ) {
    this.#hello = {type: 'hello', v: LINK_VERSION, realm: self, to: expected, nonce: newNonce(), key: identity.publicKey, tls, port};
  }

  /** The first frame to send. */
  hello(): HelloFrame {
    return this.#hello;
  }

  /** TLS is up: what it binds (call before the challenge is handled). */
  channel(info: ChannelInfo): void {
    this.#channel = info;
  }

  /** Handles the responder's next frame. */
  receive(frame: LinkFrame): HandshakeStep {
    if (frame.type === 'refuse') return {kind: 'fail', reason: 'refused', detail: `peer refused: ${frame.reason}`};
    if (!this.#challenged) {
      if (frame.type !== 'challenge') return unexpected(frame);
      if (this.tls && this.#channel.binding === '') return refuse('tls-required', 'the peer answered without starting TLS');
      if (!sameName(frame.realm, this.expected)) {
        return refuse('wrong-realm', `the peer calls itself ${frame.realm}, not ${this.expected}`);
      }
      const trusted = this.checkKey(frame.realm, frame.key);
      if (!trusted.ok) return refuse(trusted.reason, trusted.detail);
      if (this.#channel.binding !== '' && this.#channel.peerCertificateKey !== frame.key) {
        return refuse('wrong-key', 'the TLS certificate does not carry the key the peer claims');
      }
      this.#challenged = frame;
      const sig = signText(this.identity, transcript('initiator', this.#hello, frame, this.#channel.binding));
      return {kind: 'send', frame: {type: 'response', sig}};
    }
    if (frame.type !== 'ready') return unexpected(frame);
    const challenge = this.#challenged;
    if (!verifyText(challenge.key, transcript('responder', this.#hello, challenge, this.#channel.binding), frame.sig)) {
      return refuse('bad-signature', 'the peer did not prove its realm key');
    }
    return {kind: 'done', peer: challenge.realm, peerKey: challenge.key, peerPort: 0};
  }
}

/** The accepting side. */
export class ResponderHandshake {
  readonly #challenge: ChallengeFrame;
  #hello: HelloFrame | undefined;
  #channel: ChannelInfo = PLAIN;

  constructor(
    readonly self: string,
    readonly identity: RealmIdentity,
    readonly checkKey: KeyCheck,
    /** TLS is required (the peer is not on loopback). */
    readonly tlsRequired: boolean,
    /**
     * Whether this process may run the link with `realm` now (several processes of one realm: only the lease
     * holder does; see link-lease.ts).
     */
    readonly mayLink: (realm: string) => boolean = () => true,
  ) {
    this.#challenge = {type: 'challenge', realm: self, nonce: newNonce(), key: identity.publicKey};
  }

  /** TLS is up: what it binds. */
  channel(info: ChannelInfo): void {
    this.#channel = info;
  }

  /** The challenge, once TLS is up (after a `starttls` step). */
  challenge(): ChallengeFrame {
    return this.#challenge;
  }

  /** Handles the initiator's next frame. */
  receive(frame: LinkFrame): HandshakeStep {
    if (!this.#hello) {
      if (frame.type !== 'hello') return unexpected(frame);
      if (frame.v !== LINK_VERSION) return refuse('version', `link version ${frame.v} is not ${LINK_VERSION}`);
      if (!sameName(frame.to, this.self)) return refuse('wrong-realm', `it asked for realm ${frame.to}, this is ${this.self}`);
      if (sameName(frame.realm, this.self)) return refuse('same-realm', `the peer uses our own realm name ${frame.realm}`);
      if (this.tlsRequired && !frame.tls) return refuse('tls-required', 'links from other machines must use TLS');
      const trusted = this.checkKey(frame.realm, frame.key);
      if (!trusted.ok) return refuse(trusted.reason, trusted.detail);
      // One connection carries both directions and a peer keeps one link per realm: the process that sends to
      // this peer must be the one it is connected to. The peer redials, and the load balancer may reach the holder.
      if (!this.mayLink(frame.realm)) {
        return refuse('link-elsewhere', `another process of realm ${this.self} runs the link with ${frame.realm}; redial`);
      }
      this.#hello = frame;
      return frame.tls ? {kind: 'starttls'} : {kind: 'send', frame: this.#challenge};
    }
    if (frame.type !== 'response') return unexpected(frame);
    const hello = this.#hello;
    if (this.#channel.binding !== '' && this.#channel.peerCertificateKey !== hello.key) {
      return refuse('wrong-key', 'the TLS certificate does not carry the key the peer claims');
    }
    if (!verifyText(hello.key, transcript('initiator', hello, this.#challenge, this.#channel.binding), frame.sig)) {
      return refuse('bad-signature', 'the peer did not prove its realm key');
    }
    const sig = signText(this.identity, transcript('responder', hello, this.#challenge, this.#channel.binding));
    return {kind: 'done', frame: {type: 'ready', sig}, peer: hello.realm, peerKey: hello.key, peerPort: hello.port};
  }
}

function refuse(reason: HandshakeFailure, detail: string): HandshakeStep {
  return {kind: 'fail', frame: {type: 'refuse', reason}, reason, detail};
}

function unexpected(frame: LinkFrame): HandshakeStep {
  return refuse('unexpected-frame', `unexpected ${frame.type} frame during the handshake`);
}
