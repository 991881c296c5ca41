/**
 * TLS for realm links (node:tls): each realm presents a self-signed X.509 certificate made from its own Ed25519
 * realm key, and each side checks the other's certificate key against the key it pinned (not against CAs). The
 * link handshake also signs the TLS session's exported keying material (RFC 5705 / RFC 9266 "tls-exporter"), so a
 * signature made inside one TLS session cannot be relayed into another.
 */
import {createPublicKey, sign} from 'node:crypto';
import {connect as tlsConnect, createSecureContext, TLSSocket, type SecureContext} from 'node:tls';
import type {Socket} from 'node:net';
import {publicKeyText, type RealmIdentity} from './identity.js';

/** The exporter label both sides use for the channel binding. */
const EXPORTER_LABEL = 'EXPORTER-realmlink-channel-binding';

// ---- a minimal DER writer, enough for one self-signed certificate ----

function der(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const seq = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const ED25519_ALGORITHM = seq(Buffer.from('06032b6570', 'hex'));
const commonName = (name: string) =>
  seq(der(0x31, seq(Buffer.from('0603550403', 'hex'), der(0x0c, Buffer.from(name, 'utf8')))));
const generalizedTime = (date: Date) =>
  der(0x18, Buffer.from(`${date.toISOString().slice(0, 19).replace(/[-:T]/g, '')}Z`, 'latin1'));

/** A self-signed certificate (PEM) for `realm`, made from and signed with its Ed25519 realm key. */
export function selfSignedCertificate(identity: RealmIdentity, realm: string, now: Date): string {
  const name = commonName(realm);
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))), // version 3
    der(0x02, Buffer.from([1])), // serial number
    ED25519_ALGORITHM,
    name,
    seq(generalizedTime(new Date(now.getTime() - 86_400_000)), der(0x18, Buffer.from('99991231235959Z', 'latin1'))),
    name,
    createPublicKey(identity.privateKey).export({type: 'spki', format: 'der'}),
  );
  const signature = sign(null, tbs, identity.privateKey);
  const cert = seq(tbs, ED25519_ALGORITHM, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return `-----BEGIN CERTIFICATE-----\n${cert.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

/** The TLS context of a realm: its certificate and key; TLS 1.3 only. */
export function realmTlsContext(identity: RealmIdentity, realm: string, now: Date): SecureContext {
  return createSecureContext({
    key: identity.privateKey.export({type: 'pkcs8', format: 'pem'}),
    cert: selfSignedCertificate(identity, realm, now),
    minVersion: 'TLSv1.3',
  });
}

/** What a TLS session gives the link handshake. */
export interface TlsChannelInfo {
  /** The exported keying material, hex: signed in the handshake transcript. */
  binding: string;
  /** The public key (text) of the certificate the peer presented, if any. */
  peerCertificateKey: string | undefined;
}

/** The binding and the peer's certificate key of an established TLS socket. */
export function tlsChannelInfo(socket: TLSSocket): TlsChannelInfo {
  const binding = socket.exportKeyingMaterial(32, EXPORTER_LABEL, Buffer.alloc(0)).toString('hex');
  let peerCertificateKey: string | undefined;
  try {
    const key = socket.getPeerX509Certificate()?.publicKey;
    if (key?.asymmetricKeyType === 'ed25519') peerCertificateKey = publicKeyText(key);
  } catch {
    peerCertificateKey = undefined;
  }
  return {binding, peerCertificateKey};
}

/**
 * Starts TLS on a connected socket. Certificates are not checked against CAs (`rejectUnauthorized: false`): the
 * link handshake checks the peer's certificate key against its pinned key, and signs the channel binding.
 */
export function startTls(socket: Socket, context: SecureContext, role: 'client' | 'server'): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    if (role === 'client') {
      const tls = tlsConnect({socket, secureContext: context, rejectUnauthorized: false, minVersion: 'TLSv1.3'});
      tls.once('error', fail);
      tls.once('secureConnect', () => {
        tls.off('error', fail);
        resolve(tls);
      });
    } else {
      const tls = new TLSSocket(socket, {isServer: true, secureContext: context, requestCert: true, rejectUnauthorized: false});
      tls.once('error', fail);
      tls.once('secure', () => {
        tls.off('error', fail);
        resolve(tls);
      });
    }
  });
}
