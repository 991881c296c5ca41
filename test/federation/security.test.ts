/** Link authentication: the shared key, keyless loopback links, refusals that are logged, forged origins. */
import {connect} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import type {LineClient, TestDaemon} from '../helpers/daemon.js';
import {link, newKey, realmEntry, recordingLogger, startRealm, texts, user, waitFor} from './helpers.js';
import {RawPeer} from './raw-peer.js';

const daemons: TestDaemon[] = [];
const clients: LineClient[] = [];
const peers: RawPeer[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const peer of peers.splice(0)) peer.close();
  await Promise.all(daemons.splice(0).map((daemon) => daemon.cleanup()));
});

async function realm(name: string, key: Buffer | undefined) {
  const logger = recordingLogger();
  const daemon = await startRealm(name, {key, logger});
  daemons.push(daemon);
  const admin = await user(daemon.port, `${name}_admin`);
  clients.push(admin.client);
  return {daemon, logger, client: admin.client};
}

describe('the federation key', () => {
  it('refuses a peer with another key: addrealm answers Realm tidak dapat dihubungi, the refusal is logged', async () => {
    const alpha = await realm('alpha', newKey());
    const beta = await realm('beta', newKey());
    expect(await alpha.client.request(`addrealm beta 127.0.0.1 ${beta.daemon.port}`)).toEqual(
      {status: 'ERROR', message: 'Realm tidak dapat dihubungi', code: 'REALM_UNREACHABLE'});
    expect((await alpha.client.request('realms')).realms).toEqual([]);
    expect((await beta.client.request('realms')).realms).toEqual([]);
    // alpha checked beta's proof first and refused it; beta saw the refusal.
    expect(alpha.logger.lines.some((line) => line.includes('addrealm: the realm cannot be reached') && line.includes('bad-proof'))).toBe(true);
    await waitFor(() => beta.logger.lines.some((line) => line.includes('refused a realm link')), 5000, 'beta to log the refusal');
  });

  it('refuses a raw peer that answers the challenge without the key, and logs it', async () => {
    const key = newKey();
    const beta = await realm('beta', key);
    await expect(RawPeer.dial(beta.daemon.port, 'mallory', 'beta', newKey())).rejects.toThrow(/federation key/);
    // A peer that skips the proof: beta refuses and closes.
    const raw = await new Promise<RawPeer>((resolve) => {
      const socket = connect(beta.daemon.port, '127.0.0.1', () => resolve(new RawPeer(socket)));
    });
    peers.push(raw);
    raw.write(`realmlink {"v":1,"realm":"mallory","to":"beta","nonce":"${'0'.repeat(32)}","auth":"key","port":0}\n`);
    expect(await raw.frame()).toMatchObject({type: 'challenge', realm: 'beta'});
    raw.send({type: 'response', proof: 'f'.repeat(64)});
    expect(await raw.frame()).toEqual({type: 'refuse', reason: 'bad-proof'});
    await raw.closed;
    await waitFor(() => beta.logger.lines.filter((line) => line.includes('refused a realm link')).length >= 1);
    expect(beta.logger.lines.some((line) => line.includes('bad-proof'))).toBe(true);
    expect((await beta.client.request('realms')).realms).toEqual([]);
  });

  it('refuses a link when only one side has a key (either way round)', async () => {
    const keyed = await realm('alpha', newKey());
    const keyless = await realm('beta', undefined);
    expect(await keyed.client.request(`addrealm beta 127.0.0.1 ${keyless.daemon.port}`)).toMatchObject({message: 'Realm tidak dapat dihubungi'});
    expect(await keyless.client.request(`addrealm alpha 127.0.0.1 ${keyed.daemon.port}`)).toMatchObject({message: 'Realm tidak dapat dihubungi'});
    await waitFor(() => keyed.logger.lines.some((line) => line.includes('key-mismatch')));
    await waitFor(() => keyless.logger.lines.some((line) => line.includes('key-mismatch')));
  });

  it('links two keyless realms over loopback', async () => {
    const alpha = await realm('alpha', undefined);
    const beta = await realm('beta', undefined);
    await link({port: alpha.daemon.port, client: alpha.client}, 'beta', {port: beta.daemon.port, client: beta.client}, 'alpha');
    expect(await alpha.client.request('sendprivaterealm beta beta_admin hi')).toMatchObject({message: 'Message sent to user in realm'});
    expect(texts(await beta.client.request('inbox'))).toEqual(['hi']);
  });

  it('a client that sends a broken link hello is refused and logged; clients keep working', async () => {
    const beta = await realm('beta', newKey());
    const raw = await new Promise<RawPeer>((resolve) => {
      const socket = connect(beta.daemon.port, '127.0.0.1', () => resolve(new RawPeer(socket)));
    });
    peers.push(raw);
    raw.write('realmlink hello there\r\n');
    await raw.closed;
    await waitFor(() => beta.logger.lines.some((line) => line.includes('malformed frame')));
    expect(await beta.client.request('realms')).toMatchObject({status: 'OK', realms: []});
  });
});

describe('frames named like Object.prototype members', () => {
  it('do not crash the daemon before the handshake (no key needed to send them)', async () => {
    const beta = await realm('beta', newKey());
    const raw = await new Promise<RawPeer>((resolve) => {
      const socket = connect(beta.daemon.port, '127.0.0.1', () => resolve(new RawPeer(socket)));
    });
    peers.push(raw);
    // In the hello's own packet (the bytes the client connection hands over) and after it.
    raw.write(`realmlink {"v":1,"realm":"mallory","to":"beta","nonce":"${'0'.repeat(32)}","auth":"key","port":0}\n` +
      'hasOwnProperty {}\n__proto__ {}\n');
    expect(await raw.frame()).toMatchObject({type: 'challenge', realm: 'beta'});
    raw.write('toString {}\nvalueOf {}\n');
    raw.send({type: 'response', proof: 'f'.repeat(64)});
    expect(await raw.frame()).toEqual({type: 'refuse', reason: 'bad-proof'});
    expect(await beta.client.request('realms')).toMatchObject({status: 'OK', realms: []});
  });

  it('a message frame whose names are objects with their own toString: refused, no crash, before and after the handshake', async () => {
    const key = newKey();
    const beta = await realm('beta', key);
    const hostile = (seq: number) =>
      `msg {"seq":${seq},"id":"h${seq}","origin":{"toString":1},"from":{"valueOf":null,"toString":null},"users":[{"toString":1}],"text":"x","ts":1}\n`;
    const raw = await new Promise<RawPeer>((resolve) => {
      const socket = connect(beta.daemon.port, '127.0.0.1', () => resolve(new RawPeer(socket)));
    });
    peers.push(raw);
    raw.write(`realmlink {"v":1,"realm":"mallory","to":"beta","nonce":"${'0'.repeat(32)}","auth":"key","port":0}\n${hostile(1)}`);
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
    const beta = await realm('beta', key);
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
    const beta = await realm('beta', key);
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
