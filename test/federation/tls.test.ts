/**
 * Links over TLS (issue 9, point 3): off loopback (here forced with tls: 'always') a link runs inside TLS 1.3, with
 * self-signed certificates made from the realm keys and checked against the pinned keys; a plain hello is refused
 * where TLS is required. A recording TCP relay between the realms shows what crosses the wire.
 */
import {X509Certificate} from 'node:crypto';
import {connect, createServer, type Server, type Socket} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import type {LineClient, TestDaemon} from '../helpers/daemon.js';
import {generateIdentity} from '../../daemon/federation/identity.js';
import {selfSignedCertificate} from '../../daemon/federation/tls.js';
import {newKey, realmEntry, recordingLogger, startRealm, texts, user, waitFor, type RealmOptions} from './helpers.js';
import {RawPeer} from './raw-peer.js';

const daemons: TestDaemon[] = [];
const clients: LineClient[] = [];
const closers: Array<() => void> = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const close of closers.splice(0)) close();
  await Promise.all(daemons.splice(0).map((daemon) => daemon.cleanup()));
});

/** A loopback TCP relay to `port` that records every byte in both directions. */
async function recordingRelay(port: number): Promise<{port: number; bytes: () => string}> {
  const chunks: Buffer[] = [];
  const sockets: Socket[] = [];
  const server: Server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1');
    sockets.push(inbound, outbound);
    for (const [from, to] of [[inbound, outbound], [outbound, inbound]] as const) {
      from.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return {port: (server.address() as {port: number}).port, bytes: () => Buffer.concat(chunks).toString('latin1')};
}

async function pair(tls: RealmOptions['tls']) {
  const beta = await startRealm('beta', {tls});
  const alpha = await startRealm('alpha', {tls});
  daemons.push(beta, alpha);
  const alice = await user(alpha.port, 'alice');
  const carol = await user(beta.port, 'carol');
  clients.push(alice.client, carol.client);
  const relay = await recordingRelay(beta.port);
  expect(await alice.client.request(`addrealm beta 127.0.0.1 ${relay.port}`)).toMatchObject({status: 'OK'});
  await waitFor(async () => (await realmEntry(carol.client, 'alpha'))?.state === 'ready');
  expect(await alice.client.request('sendprivaterealm beta carol the secret plan')).toMatchObject({message: 'Message sent to user in realm'});
  expect(await carol.client.request('sendprivaterealm alpha alice the secret answer')).toMatchObject({message: 'Message sent to user in realm'});
  expect(texts(await carol.client.request('inbox'))).toEqual(['the secret plan']);
  expect(texts(await alice.client.request('inbox'))).toEqual(['the secret answer']);
  return relay.bytes();
}

describe('TLS links', () => {
  it('carry messages encrypted: nothing of them, nor of the challenge, crosses the wire in clear', async () => {
    const wire = await pair('always');
    expect(wire).toContain('realmlink {"v":3,"realm":"alpha"');
    expect(wire).toContain('starttls {}');
    expect(wire).not.toContain('secret');
    expect(wire).not.toContain('challenge');
    expect(wire).not.toContain('msg {');
  });

  it('(control) a plain loopback link shows the same messages in clear', async () => {
    const wire = await pair('auto');
    expect(wire).toContain('the secret plan');
    expect(wire).not.toContain('starttls');
  });

  it('a responder that requires TLS refuses a plain hello, and logs it', async () => {
    const logger = recordingLogger();
    const beta = await startRealm('beta', {tls: 'always', logger});
    daemons.push(beta);
    await expect(RawPeer.dial(beta.port, 'delta', 'beta', newKey())).rejects.toThrow(/tls-required/);
    await waitFor(() => logger.lines.some((line) => line.includes('refused a realm link') && line.includes('tls-required')));
  });

  it('refuses, over TLS too, a realm that proves another key than the pinned one', async () => {
    const logger = recordingLogger();
    const betaId = generateIdentity();
    const impostor = await startRealm('beta', {tls: 'always'});
    const alpha = await startRealm('alpha', {tls: 'always', logger, tofu: false, peers: {beta: {host: '127.0.0.1', port: impostor.port, key: betaId.publicKey}}});
    daemons.push(impostor, alpha);
    const alice = await user(alpha.port, 'alice');
    clients.push(alice.client);
    expect(await alice.client.request('addrealm beta')).toMatchObject({code: 'REALM_UNREACHABLE'});
    expect(logger.lines.some((line) => line.includes('wrong-key'))).toBe(true);
  });

  it('makes a valid self-signed Ed25519 certificate carrying the realm key', () => {
    const identity = generateIdentity();
    const cert = new X509Certificate(selfSignedCertificate(identity, 'alpha', new Date()));
    expect(cert.subject).toBe('CN=alpha');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(cert.publicKey.export({type: 'spki', format: 'der'}).subarray(12).toString('base64url')).toBe(identity.publicKey);
  });
});
