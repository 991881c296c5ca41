/** Link authentication: per-realm keys and pins, trust on first use, refusals that are logged, forged origins. */
import {connect} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {Canary} from '../helpers/canary.js';
import type {TestDaemon} from '../helpers/daemon.js';
import {link, newKey, realmEntry, recordingLogger, startRealm, texts, user, waitFor, type RealmOptions} from './helpers.js';
import {RawPeer} from './raw-peer.js';

const daemons: TestDaemon[] = [];
const clients: Array<{close(): void}> = [];
const peers: RawPeer[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const peer of peers.splice(0)) peer.close();
  await Promise.all(daemons.splice(0).map((daemon) => daemon.cleanup()));
});

async function realm(name: string, options: RealmOptions = {}) {
  const logger = recordingLogger();
  const daemon = await startRealm(name, {...options, logger});
  daemons.push(daemon);
  const admin = await user(daemon.port, `${name}_admin`);
  clients.push(admin.client);
  return {daemon, logger, client: admin.client};
}

const MALLORY = newKey();

/** A hello line claiming realm `self`, with `key` (default: mallory's). */
function hello(self: string, to: string, key = MALLORY.publicKey): string {
  return `realmlink {"v":3,"realm":"${self}","to":"${to}","nonce":"${'0'.repeat(32)}","key":"${key}","port":0}\n`;
}

function rawSocket(port: number): Promise<RawPeer> {
  return new Promise<RawPeer>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(new RawPeer(socket)));
  });
}

describe('per-realm keys (issue 9 point 1)', () => {
  it('a local process cannot take over a live link as beta, read beta-bound messages or ack them away', async () => {
    const alpha = await realm('alpha');
    const beta = await realm('beta');
    const carol = await user(beta.daemon.port, 'carol');
    clients.push(carol.client);
    await link({port: alpha.daemon.port, client: alpha.client}, 'beta', {port: beta.daemon.port, client: beta.client}, 'alpha');
    const canary = await Canary.register(alpha.daemon.port);
    clients.push(canary);
    expect(await alpha.client.request('sendprivaterealm beta carol before')).toMatchObject({message: 'Message sent to user in realm'});
    // The impersonator knows everything public (names, beta's public key) but not beta's private key.
    const attempt = RawPeer.dial(alpha.daemon.port, 'beta', 'alpha', MALLORY);
    await canary.isServed('while an impersonator dials');
    await expect(attempt).rejects.toThrow(/wrong-key/);
    await expect(RawPeer.dial(alpha.daemon.port, 'beta', 'alpha', newKey())).rejects.toThrow(/wrong-key/);
    await waitFor(() => alpha.logger.lines.some((line) => line.includes('refused a realm link') && line.includes('wrong-key')));
    await canary.isServed('after the impersonators');
    // The real link was never replaced: each message reaches carol once, from alpha's user.
    expect(await realmEntry(alpha.client, 'beta')).toMatchObject({state: 'ready'});
    expect(await alpha.client.request('sendprivaterealm beta carol still here')).toMatchObject({message: 'Message sent to user in realm'});
    expect((await carol.client.request('inbox')).messages).toEqual({
      'alpha_admin@alpha': [expect.objectContaining({msg: 'before'}), expect.objectContaining({msg: 'still here'})],
    });
    await canary.assertNothingLost();
  });

  it('without trust on first use, an unpinned realm name is refused before anything is signed, and no realm entry appears', async () => {
    const beta = await realm('beta', {tofu: false});
    const raw = await rawSocket(beta.daemon.port);
    peers.push(raw);
    raw.write(hello('gamma', 'beta'));
    expect(await raw.frame()).toEqual({type: 'refuse', reason: 'unknown-realm'});
    await raw.closed;
    await expect(RawPeer.dial(beta.daemon.port, 'gamma', 'beta', newKey())).rejects.toThrow(/unknown-realm/);
    expect((await beta.client.request('realms')).realms).toEqual([]);
  });

  it('links two realms that pinned each other (no trust on first use), and refuses an impostor of either', async () => {
    const alphaId = newKey();
    const betaId = newKey();
    const beta = await realm('beta', {identity: betaId, tofu: false, peers: {alpha: {host: '127.0.0.1', port: 1, key: alphaId.publicKey}}});
    const alpha = await realm('alpha', {identity: alphaId, tofu: false, peers: {beta: {host: '127.0.0.1', port: beta.daemon.port, key: betaId.publicKey}}});
    expect(await alpha.client.request('addrealm beta')).toMatchObject({status: 'OK', message: 'Realm added successfully'});
    await waitFor(async () => (await realmEntry(beta.client, 'alpha'))?.state === 'ready');
    expect(await alpha.client.request('sendprivaterealm beta beta_admin pinned')).toMatchObject({message: 'Message sent to user in realm'});
    await expect(RawPeer.dial(beta.daemon.port, 'alpha', 'beta', MALLORY)).rejects.toThrow(/wrong-key/);
    // A realm that answers as beta with another key: addrealm refuses it.
    const impostor = await realm('beta', {tofu: true});
    const gamma = await realm('gamma', {tofu: false, admins: ['gamma_admin'], peers: {beta: {host: '127.0.0.1', port: impostor.daemon.port, key: betaId.publicKey}}});
    expect(await gamma.client.request('addrealm beta')).toMatchObject({code: 'REALM_UNREACHABLE'});
    expect(gamma.logger.lines.some((line) => line.includes('wrong-key'))).toBe(true);
  });

  it('trust on first use pins the first key in the database: after a restart another key for that name is refused', async () => {
    const beta = await realm('beta');
    const delta = newKey();
    peers.push(await RawPeer.dial(beta.daemon.port, 'delta', 'beta', delta));
    await waitFor(() => beta.logger.lines.some((line) => line.includes('pinned a realm key on first use')));
    const restarted = await beta.daemon.restart();
    daemons.push(restarted);
    await expect(RawPeer.dial(restarted.port, 'delta', 'beta', newKey())).rejects.toThrow(/wrong-key/);
    peers.push(await RawPeer.dial(restarted.port, 'delta', 'beta', delta));
  });

  it('refuses a raw peer that answers the challenge without a valid signature, and logs it', async () => {
    const beta = await realm('beta');
    const raw = await rawSocket(beta.daemon.port);
    peers.push(raw);
    raw.write(hello('mallory', 'beta'));
    expect(await raw.frame()).toMatchObject({type: 'challenge', realm: 'beta'});
    raw.send({type: 'response', sig: 'A'.repeat(86)});
    expect(await raw.frame()).toEqual({type: 'refuse', reason: 'bad-signature'});
    await raw.closed;
    await waitFor(() => beta.logger.lines.some((line) => line.includes('refused a realm link') && line.includes('bad-signature')));
    expect((await beta.client.request('realms')).realms).toEqual([]);
  });

  it('a client that sends a broken link hello is refused and logged; clients keep working', async () => {
    const beta = await realm('beta');
    const raw = await rawSocket(beta.daemon.port);
    peers.push(raw);
    raw.write('realmlink hello there\r\n');
    await raw.closed;
    await waitFor(() => beta.logger.lines.some((line) => line.includes('malformed hello')));
    expect(await beta.client.request('realms')).toMatchObject({status: 'OK', realms: []});
  });
});

describe('frames named like Object.prototype members', () => {
  it('do not crash the daemon before the handshake (no key needed to send them)', async () => {
    const beta = await realm('beta');
    const raw = await new Promise<RawPeer>((resolve) => {
      const socket = connect(beta.daemon.port, '127.0.0.1', () => resolve(new RawPeer(socket)));
    });
    peers.push(raw);
    // In the hello's own packet (the bytes the client connection hands over) and after it.
    raw.write(hello('mallory', 'beta') +
      'hasOwnProperty {}\n__proto__ {}\n');
    expect(await raw.frame()).toMatchObject({type: 'challenge', realm: 'beta'});
    raw.write('toString {}\nvalueOf {}\n');
    raw.send({type: 'response', sig: 'A'.repeat(86)});
    expect(await raw.frame()).toEqual({type: 'refuse', reason: 'bad-signature'});
    expect(await beta.client.request('realms')).toMatchObject({status: 'OK', realms: []});
  });

  it('a message frame whose names are objects with their own toString: refused, no crash, before and after the handshake', async () => {
    const key = newKey();
    const beta = await realm('beta');
    const hostile = (seq: number) =>
      `msg {"seq":${seq},"id":"h${seq}","origin":{"toString":1},"from":{"valueOf":null,"toString":null},"users":[{"toString":1}],"text":"x","ts":1}\n`;
    const raw = await new Promise<RawPeer>((resolve) => {
      const socket = connect(beta.daemon.port, '127.0.0.1', () => resolve(new RawPeer(socket)));
    });
    peers.push(raw);
    raw.write(`${hello('mallory', 'beta')}${hostile(1)}`);
    expect(await raw.frame()).toMatchObject({type: 'challenge'});
    expect(await raw.frame()).toEqual({type: 'refuse', reason: 'unexpected-frame'});

    const peer = await RawPeer.dial(beta.daemon.port, 'delta', 'beta', key);
    peers.push(peer);
    peer.write(hostile(2));
    expect(await peer.frame()).toEqual({type: 'ack', upto: 2, refused: [[2, 'BAD_PARAMETER']]});
    expect(await beta.client.request('realms')).toMatchObject({status: 'OK'});
  });

  it('cannot smuggle an unchecked frame onto an authenticated link', async () => {
    const key = newKey();
    const beta = await realm('beta');
    const bob = await user(beta.daemon.port, 'bob');
    clients.push(bob.client);
    const peer = await RawPeer.dial(beta.daemon.port, 'delta', 'beta', key);
    peers.push(peer);
    const ts = Date.now();
    // `constructor` would hand the JSON object over as a frame, with whatever "type" and fields it claims.
    peer.write(`constructor ${JSON.stringify({type: 'msg', seq: 1, id: {not: 'a string'}, origin: 'delta', from: 'dave', to: 'bob', text: 'x', ts})}\n`);
    peer.send({type: 'msg', seq: 2, id: 'fine-2', origin: 'delta', from: 'dave', to: 'bob', text: 'checked', ts});
    expect(await peer.frame()).toEqual({type: 'ack', upto: 2});
    expect(texts(await bob.client.request('inbox'))).toEqual(['checked']);
  });
});

describe('origin', () => {
  it('refuses messages that claim another realm as origin; accepts the peer own ones', async () => {
    const key = newKey();
    const beta = await realm('beta');
    const bob = await user(beta.daemon.port, 'bob');
    clients.push(bob.client);
    const peer = await RawPeer.dial(beta.daemon.port, 'delta', 'beta', key);
    peers.push(peer);
    await waitFor(async () => (await realmEntry(bob.client, 'delta'))?.state === 'ready');

    const ts = Date.now();
    peer.send({type: 'msg', seq: 1, id: 'forged-1', origin: 'alpha', from: 'alice', to: 'bob', text: 'I am alpha, honest', ts});
    expect(await peer.frame()).toEqual({type: 'ack', upto: 1, refused: [[1, 'BAD_PARAMETER']]});
    peer.send({type: 'msg', seq: 2, id: 'own-2', origin: 'delta', from: 'dave', to: 'bob', text: 'from delta', ts});
    expect(await peer.frame()).toEqual({type: 'ack', upto: 2});
    const inbox = await bob.client.request('inbox');
    expect(inbox.messages).toEqual({'dave@delta': [expect.objectContaining({msg: 'from delta', realm_from: 'delta', realm_to: 'beta'})]});
    expect(beta.logger.lines.some((line) => line.includes('foreign-origin'))).toBe(true);
  });
});
