/** The handshake step machines, joined frame to frame without sockets: per-realm keys, pins, who proves first. */
import {describe, expect, it} from 'vitest';
import {
  InitiatorHandshake, ResponderHandshake, transcript, type HandshakeStep, type KeyCheck,
} from '../../daemon/federation/handshake.js';
import {generateIdentity, signText} from '../../daemon/federation/identity.js';
import type {LinkFrame} from '../../daemon/federation/link-codec.js';

const ALPHA = generateIdentity();
const BETA = generateIdentity();
const MALLORY = generateIdentity();

/** A key check with these pins and no TOFU. */
function pinned(pins: Record<string, string>): KeyCheck {
  return (realm, key) => {
    const pin = pins[realm.toLowerCase()];
    if (pin === undefined) return {ok: false, reason: 'unknown-realm', detail: 'not pinned'};
    return pin === key ? {ok: true} : {ok: false, reason: 'wrong-key', detail: 'another key'};
  };
}
const alphaTrusts = pinned({beta: BETA.publicKey});
const betaTrusts = pinned({alpha: ALPHA.publicKey});

const initiator = (identity = ALPHA, check = alphaTrusts, self = 'alpha', to = 'beta') =>
  new InitiatorHandshake(self, to, identity, 8889, check, false);
const responder = (identity = BETA, check = betaTrusts, self = 'beta') => new ResponderHandshake(self, identity, check, false);

/** Runs both sides against each other; returns each side's final step and every frame that crossed. */
function run(i: InitiatorHandshake, r: ResponderHandshake) {
  const wire: LinkFrame[] = [i.hello()];
  let toResponder: LinkFrame | undefined = wire[0];
  let last: {initiator?: HandshakeStep; responder?: HandshakeStep} = {};
  while (toResponder) {
    const rs = r.receive(toResponder);
    last = {...last, responder: rs};
    toResponder = undefined;
    if (!('frame' in rs) || !rs.frame) break;
    wire.push(rs.frame);
    const is = i.receive(rs.frame);
    last = {...last, initiator: is};
    if (is.kind === 'send') {
      wire.push(is.frame);
      toResponder = is.frame;
    }
  }
  return {...last, wire};
}

describe('handshake', () => {
  it('succeeds between two pinned realms; each learns the other name and key', () => {
    const result = run(initiator(), responder());
    expect(result.responder).toMatchObject({kind: 'done', peer: 'alpha', peerKey: ALPHA.publicKey, peerPort: 8889});
    expect(result.initiator).toMatchObject({kind: 'done', peer: 'beta', peerKey: BETA.publicKey});
    expect(result.wire.map((frame) => frame.type)).toEqual(['hello', 'challenge', 'response', 'ready']);
  });

  it('gives an anonymous initiator nothing signed: the challenge carries only name, nonce and public key', () => {
    // Mallory claims to be alpha but has not proved anything yet: it gets no signature, no MAC, no proof.
    const r = responder();
    const step = r.receive({...initiator(MALLORY, alphaTrusts).hello(), key: ALPHA.publicKey});
    expect(step).toMatchObject({kind: 'send', frame: {type: 'challenge', realm: 'beta', key: BETA.publicKey}});
    expect(Object.keys((step as {frame: object}).frame).sort()).toEqual(['key', 'nonce', 'realm', 'type']);
    // …and cannot answer it without alpha's private key.
    const challenge = (step as {frame: {nonce: string}}).frame;
    const forged = signText(MALLORY, transcript('initiator',
      {realm: 'alpha', to: 'beta', key: ALPHA.publicKey, nonce: initiator().hello().nonce}, {key: BETA.publicKey, nonce: challenge.nonce}, ''));
    expect(r.receive({type: 'response', sig: forged})).toMatchObject({kind: 'fail', reason: 'bad-signature'});
  });

  it('refuses a realm name whose key is not pinned, before anything is signed', () => {
    expect(run(initiator(MALLORY, alphaTrusts, 'gamma'), responder()).responder)
      .toMatchObject({kind: 'fail', reason: 'unknown-realm', frame: {type: 'refuse', reason: 'unknown-realm'}});
  });

  it('refuses a pinned name proving another key: on the responder and on the initiator', () => {
    expect(run(initiator(MALLORY), responder()).responder).toMatchObject({kind: 'fail', reason: 'wrong-key'});
    expect(run(initiator(), responder(MALLORY)).initiator).toMatchObject({kind: 'fail', reason: 'wrong-key'});
  });

  it('refuses a replayed response (the responder nonce is fresh)', () => {
    const recorded = run(initiator(), responder()).wire;
    const r = responder();
    r.receive(recorded[0]!);
    expect(r.receive(recorded[2]!)).toMatchObject({kind: 'fail', reason: 'bad-signature'});
  });

  it('refuses a ready signed by a key other than the one the challenge named', () => {
    const i = initiator();
    const r = responder();
    const challenge = r.receive(i.hello()) as {frame: LinkFrame};
    const response = i.receive(challenge.frame) as {frame: LinkFrame};
    r.receive(response.frame);
    expect(i.receive({type: 'ready', sig: signText(MALLORY, 'anything')})).toMatchObject({kind: 'fail', reason: 'bad-signature'});
  });

  it('a transcript is bound to role, names, keys, nonces and the TLS binding', () => {
    const hello = {realm: 'alpha', to: 'beta', key: ALPHA.publicKey, nonce: 'n1'};
    const challenge = {key: BETA.publicKey, nonce: 'n2'};
    const base = transcript('initiator', hello, challenge, '');
    expect(transcript('responder', hello, challenge, '')).not.toBe(base);
    expect(transcript('initiator', {...hello, realm: 'gamma'}, challenge, '')).not.toBe(base);
    expect(transcript('initiator', hello, {...challenge, key: MALLORY.publicKey}, '')).not.toBe(base);
    expect(transcript('initiator', hello, {...challenge, nonce: 'n3'}, '')).not.toBe(base);
    expect(transcript('initiator', hello, challenge, 'ab')).not.toBe(base);
    expect(transcript('initiator', {...hello, realm: 'ALPHA', to: 'Beta'}, challenge, '')).toBe(base);
  });

  it('refuses: wrong realm asked for, the peer own name, another version, a plain hello where TLS is required', () => {
    expect(run(initiator(ALPHA, alphaTrusts, 'alpha', 'gamma'), responder()).responder).toMatchObject({kind: 'fail', reason: 'wrong-realm'});
    expect(run(initiator(ALPHA, alphaTrusts, 'beta', 'beta'), responder()).responder).toMatchObject({kind: 'fail', reason: 'same-realm'});
    expect(responder().receive({...initiator().hello(), v: 1})).toMatchObject({kind: 'fail', reason: 'version'});
    // A peer of link version 2 (no files) is refused as well: it would not understand chunk frames.
    expect(responder().receive({...initiator().hello(), v: 2})).toMatchObject({kind: 'fail', reason: 'version'});
    expect(new ResponderHandshake('beta', BETA, betaTrusts, true).receive(initiator().hello()))
      .toMatchObject({kind: 'fail', reason: 'tls-required'});
    expect(new ResponderHandshake('beta', BETA, betaTrusts, true).receive({...initiator().hello(), tls: true}))
      .toEqual({kind: 'starttls'});
  });

  it('a process that does not hold the link lease of the asking realm refuses it with a reason; the peer redials', () => {
    const notHolder = new ResponderHandshake('beta', BETA, betaTrusts, false, (realm) => realm !== 'alpha');
    const step = notHolder.receive(initiator().hello());
    expect(step).toMatchObject({kind: 'fail', reason: 'link-elsewhere', frame: {type: 'refuse', reason: 'link-elsewhere'}});
    expect(initiator().receive({type: 'refuse', reason: 'link-elsewhere'})).toMatchObject({kind: 'fail', detail: 'peer refused: link-elsewhere'});
    // The holder (or a store of its own) goes on with the handshake.
    expect(new ResponderHandshake('beta', BETA, betaTrusts, false, () => true).receive(initiator().hello()))
      .toMatchObject({kind: 'send', frame: {type: 'challenge'}});
  });

  it('an initiator that asked for TLS refuses a challenge that came without it', () => {
    const i = new InitiatorHandshake('alpha', 'beta', ALPHA, 1, alphaTrusts, true);
    expect(i.receive({type: 'challenge', realm: 'beta', nonce: 'c'.repeat(32), key: BETA.publicKey}))
      .toMatchObject({kind: 'fail', reason: 'tls-required'});
  });

  it('the initiator refuses a peer that calls itself by another name', () => {
    expect(initiator().receive({type: 'challenge', realm: 'gamma', nonce: 'c'.repeat(32), key: BETA.publicKey}))
      .toMatchObject({kind: 'fail', reason: 'wrong-realm'});
  });
});
