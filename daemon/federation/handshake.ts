/**
 * The link handshake as two small step machines, one per side. Pure apart from drawing nonces: frames in, frames
 * and a verdict out. The socket code (connect.ts) only moves their frames.
 *
 *   initiator                                   responder
 *   realmlink {realm, to, nonce Ni, auth} ──▶   checks version, name, key mode
 *                                          ◀──  challenge {realm, nonce Nr, proof Pr = HMAC(K, responder|…|Ni|Nr)}
 *   checks the name and Pr               ──▶   response {proof Pi = HMAC(K, initiator|…|Ni|Nr)}
 *                                          ◀──  ready                (or refuse {reason}, then close)
 *
 * Both proofs cover both fresh nonces, both realm names and the role, so a recorded handshake cannot be replayed,
 * reflected back, or moved to another pair of realms; the key itself never goes on the wire. Without a key, K is
 * empty (both sides must agree: the hello says which mode the initiator runs in), and the responder only accepts
 * loopback peers (checked by the caller, before any frame).
 */
import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto';
import {LINK_VERSION, type ChallengeFrame, type HelloFrame, type LinkFrame, type RefuseFrame, type ResponseFrame} from './link-codec.js';

/** The federation key; `undefined` runs keyless (loopback peers only). */
export type FederationKey = Buffer | undefined;

/** Why a handshake failed; sent as the refuse reason and logged. */
export type HandshakeFailure =
  | 'version' | 'wrong-realm' | 'same-realm' | 'key-mismatch' | 'bad-proof' | 'unexpected-frame' | 'refused';

/** A fresh nonce: 16 random bytes as 32 hex digits. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** The proof one side sends: HMAC-SHA256 over the role, both names (lower-cased) and both nonces. */
export function computeProof(
  key: FederationKey, role: 'initiator' | 'responder', initiator: string, responder: string, initiatorNonce: string,
  responderNonce: string,
): string {
  return createHmac('sha256', key ?? Buffer.alloc(0))
    .update(`realmlink/${LINK_VERSION}\n${role}\n${initiator.toLowerCase()}\n${responder.toLowerCase()}\n${initiatorNonce}\n${responderNonce}`)
    .digest('hex');
}

/** Compares two hex proofs in constant time. */
export function proofMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'hex');
  const b = Buffer.from(given, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** What a handshake step asks the caller to do. */
export type HandshakeStep =
  /** Send this frame and wait for the next one. */
  | {kind: 'send'; frame: LinkFrame}
  /** The handshake succeeded (after sending `frame`, if any). */
  | {kind: 'done'; frame?: LinkFrame; peer: string; peerPort: number}
  /** The handshake failed (after sending `frame`, if any); close the connection. */
  | {kind: 'fail'; frame?: RefuseFrame; reason: HandshakeFailure; detail: string};

/** The dialling side. */
export class InitiatorHandshake {
  readonly #nonce = newNonce();
  #challenged: ChallengeFrame | undefined;

  constructor(
    readonly self: string,
    /** The realm this side means to reach; the peer must call itself so. */
    readonly expected: string,
    readonly key: FederationKey,
    /** Our client port, told to the peer for display. */
    readonly port: number,
  ) {}

  /** The first frame to send. */
  hello(): HelloFrame {
    return {type: 'hello', v: LINK_VERSION, realm: this.self, to: this.expected, nonce: this.#nonce,
      auth: this.key ? 'key' : 'none', port: this.port};
  }

  /** Handles the responder's next frame. */
  receive(frame: LinkFrame): HandshakeStep {
    if (frame.type === 'refuse') return {kind: 'fail', reason: 'refused', detail: `peer refused: ${frame.reason}`};
    if (!this.#challenged) {
      if (frame.type !== 'challenge') return unexpected(frame);
      if (!sameName(frame.realm, this.expected)) {
        return refuse('wrong-realm', `the peer calls itself ${frame.realm}, not ${this.expected}`);
      }
      const expectedProof = computeProof(this.key, 'responder', this.self, frame.realm, this.#nonce, frame.nonce);
      if (!proofMatches(expectedProof, frame.proof)) {
        return refuse('bad-proof', 'the peer does not know our federation key');
      }
      this.#challenged = frame;
      const proof = computeProof(this.key, 'initiator', this.self, frame.realm, this.#nonce, frame.nonce);
      return {kind: 'send', frame: {type: 'response', proof} satisfies ResponseFrame};
    }
    if (frame.type !== 'ready') return unexpected(frame);
    return {kind: 'done', peer: this.#challenged.realm, peerPort: 0};
  }
}

/** The accepting side. */
export class ResponderHandshake {
  readonly #nonce = newNonce();
  #hello: HelloFrame | undefined;

  constructor(readonly self: string, readonly key: FederationKey) {}

  /** Handles the initiator's next frame. */
  receive(frame: LinkFrame): HandshakeStep {
    if (!this.#hello) {
      if (frame.type !== 'hello') return unexpected(frame);
      if (frame.v !== LINK_VERSION) return refuse('version', `link version ${frame.v} is not ${LINK_VERSION}`);
      if (!sameName(frame.to, this.self)) return refuse('wrong-realm', `it asked for realm ${frame.to}, this is ${this.self}`);
      if (sameName(frame.realm, this.self)) return refuse('same-realm', `the peer uses our own realm name ${frame.realm}`);
      if ((frame.auth === 'key') !== (this.key !== undefined)) {
        return refuse('key-mismatch', this.key ? 'the peer has no federation key' : 'the peer has a federation key and we have none');
      }
      this.#hello = frame;
      const proof = computeProof(this.key, 'responder', frame.realm, this.self, frame.nonce, this.#nonce);
      return {kind: 'send', frame: {type: 'challenge', realm: this.self, nonce: this.#nonce, proof}};
    }
    if (frame.type !== 'response') return unexpected(frame);
    const hello = this.#hello;
    const expected = computeProof(this.key, 'initiator', hello.realm, this.self, hello.nonce, this.#nonce);
    if (!proofMatches(expected, frame.proof)) return refuse('bad-proof', 'the peer does not know our federation key');
    return {kind: 'done', frame: {type: 'ready'}, peer: hello.realm, peerPort: hello.port};
  }
}

function refuse(reason: HandshakeFailure, detail: string): HandshakeStep {
  return {kind: 'fail', frame: {type: 'refuse', reason}, reason, detail};
}

function unexpected(frame: LinkFrame): HandshakeStep {
  return refuse('unexpected-frame', `unexpected ${frame.type} frame during the handshake`);
}
