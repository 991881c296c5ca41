/** The handshake step machines, joined frame to frame without sockets (and the backoff policy). */
import {describe, expect, it} from 'vitest';
import {computeProof, InitiatorHandshake, ResponderHandshake, type HandshakeStep} from '../../daemon/federation/handshake.js';
import type {LinkFrame} from '../../daemon/federation/link-codec.js';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef');

/** Runs both sides against each other; returns each side's final step and every frame that crossed. */
function run(initiator: InitiatorHandshake, responder: ResponderHandshake) {
  const wire: LinkFrame[] = [initiator.hello()];
  let toResponder: LinkFrame | undefined = wire[0];
  let last: {initiator?: HandshakeStep; responder?: HandshakeStep} = {};
  while (toResponder) {
    const r = responder.receive(toResponder);
    last = {...last, responder: r};
    toResponder = undefined;
    if (!('frame' in r) || !r.frame) break;
    wire.push(r.frame);
    const i = initiator.receive(r.frame);
    last = {...last, initiator: i};
    if (i.kind === 'send') {
      wire.push(i.frame);
      toResponder = i.frame;
    }
  }
  return {...last, wire};
}

describe('handshake', () => {
  it('succeeds with the same key on both sides; each learns the other name', () => {
    const result = run(new InitiatorHandshake('alpha', 'beta', KEY, 8889), new ResponderHandshake('beta', KEY));
    expect(result.responder).toMatchObject({kind: 'done', peer: 'alpha', peerPort: 8889});
    expect(result.initiator).toMatchObject({kind: 'done', peer: 'beta'});
    expect(result.wire.map((frame) => frame.type)).toEqual(['hello', 'challenge', 'response', 'ready']);
  });

  it('never puts the key on the wire, and uses fresh nonces every time', () => {
    const a = run(new InitiatorHandshake('alpha', 'beta', KEY, 1), new ResponderHandshake('beta', KEY));
    const b = run(new InitiatorHandshake('alpha', 'beta', KEY, 1), new ResponderHandshake('beta', KEY));
    const text = JSON.stringify(a.wire);
    expect(text).not.toContain(KEY.toString());
    expect(text).not.toContain(KEY.toString('hex'));
    expect(JSON.stringify(a.wire)).not.toEqual(JSON.stringify(b.wire));
  });

  it('fails on both sides with different keys', () => {
    const result = run(new InitiatorHandshake('alpha', 'beta', KEY, 1), new ResponderHandshake('beta', Buffer.from('another key, 16+ bytes long')));
    expect(result.initiator).toMatchObject({kind: 'fail', reason: 'bad-proof', frame: {type: 'refuse', reason: 'bad-proof'}});
  });

  it('refuses a replayed response (the responder nonce is fresh)', () => {
    const initiator = new InitiatorHandshake('alpha', 'beta', KEY, 1);
    const recorded = run(initiator, new ResponderHandshake('beta', KEY)).wire;
    const responder = new ResponderHandshake('beta', KEY);
    responder.receive(recorded[0]!);
    expect(responder.receive(recorded[2]!)).toMatchObject({kind: 'fail', reason: 'bad-proof'});
  });

  it('a proof is bound to role, names and both nonces', () => {
    const base = computeProof(KEY, 'initiator', 'alpha', 'beta', 'n1', 'n2');
    expect(computeProof(KEY, 'responder', 'alpha', 'beta', 'n1', 'n2')).not.toBe(base);
    expect(computeProof(KEY, 'initiator', 'gamma', 'beta', 'n1', 'n2')).not.toBe(base);
    expect(computeProof(KEY, 'initiator', 'alpha', 'beta', 'n1', 'n3')).not.toBe(base);
    expect(computeProof(KEY, 'initiator', 'ALPHA', 'Beta', 'n1', 'n2')).toBe(base);
  });

  it('refuses: wrong realm asked for, the peer own name, another version, key mode mismatch', () => {
    expect(run(new InitiatorHandshake('alpha', 'gamma', KEY, 1), new ResponderHandshake('beta', KEY)).responder)
      .toMatchObject({kind: 'fail', reason: 'wrong-realm'});
    expect(run(new InitiatorHandshake('beta', 'beta', KEY, 1), new ResponderHandshake('beta', KEY)).responder)
      .toMatchObject({kind: 'fail', reason: 'same-realm'});
    expect(new ResponderHandshake('beta', KEY).receive({...new InitiatorHandshake('alpha', 'beta', KEY, 1).hello(), v: 2}))
      .toMatchObject({kind: 'fail', reason: 'version'});
    expect(run(new InitiatorHandshake('alpha', 'beta', undefined, 1), new ResponderHandshake('beta', KEY)).responder)
      .toMatchObject({kind: 'fail', reason: 'key-mismatch'});
    expect(run(new InitiatorHandshake('alpha', 'beta', KEY, 1), new ResponderHandshake('beta', undefined)).responder)
      .toMatchObject({kind: 'fail', reason: 'key-mismatch'});
  });

  it('the initiator refuses a peer that calls itself by another name', () => {
    const initiator = new InitiatorHandshake('alpha', 'beta', KEY, 1);
    initiator.hello();
    expect(initiator.receive({type: 'challenge', realm: 'gamma', nonce: 'c'.repeat(32), proof: 'd'.repeat(64)}))
      .toMatchObject({kind: 'fail', reason: 'wrong-realm'});
  });

  it('works keyless on both sides (the caller limits that to loopback)', () => {
    const result = run(new InitiatorHandshake('alpha', 'beta', undefined, 1), new ResponderHandshake('beta', undefined));
    expect(result.initiator).toMatchObject({kind: 'done'});
  });
});
