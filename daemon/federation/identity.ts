/**
 * A realm's identity: its Ed25519 key pair (node:crypto). The private key lives in the realm's data folder
 * (`realm-key.pem`, PKCS#8 PEM, mode 0600), generated on first start; the public key is what other realms pin.
 * A public key is written as its 32 raw bytes in base64url (43 characters), e.g. in `--peer NAME=HOST:PORT,KEY`.
 */
import {createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject} from 'node:crypto';
import {chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

/** The file of a realm's private key, inside its data folder. */
export const IDENTITY_FILE = 'realm-key.pem';

/** A realm's key pair. */
export interface RealmIdentity {
  readonly privateKey: KeyObject;
  /** The public key as 43 base64url characters (what peers pin). */
  readonly publicKey: string;
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** True for a well-formed public key text (43 base64url characters that decode to 32 bytes). */
export function isPublicKeyText(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text) && Buffer.from(text, 'base64url').toString('base64url') === text;
}

/** The public key text of an Ed25519 key (private or public). */
export function publicKeyText(key: KeyObject): string {
  const spki = (key.type === 'public' ? key : createPublicKey(key)).export({type: 'spki', format: 'der'});
  return spki.subarray(ED25519_SPKI_PREFIX.length).toString('base64url');
}

/** The KeyObject of a public key text; undefined when malformed. */
export function publicKeyObject(text: string): KeyObject | undefined {
  if (!isPublicKeyText(text)) return undefined;
  return createPublicKey({key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(text, 'base64url')]), format: 'der', type: 'spki'});
}

/** A fresh identity (tests; realmchatd uses loadOrCreateIdentity). */
export function generateIdentity(): RealmIdentity {
  const {privateKey} = generateKeyPairSync('ed25519');
  return {privateKey, publicKey: publicKeyText(privateKey)};
}

/**
 * The identity stored in `dir` (created 0700 if missing), generated and written 0600 on first use. Throws a
 * readable error when the file is not an Ed25519 private key or other users may read it.
 */
export function loadOrCreateIdentity(dir: string): {identity: RealmIdentity; created: boolean; file: string} {
  const file = join(dir, IDENTITY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dir, {recursive: true, mode: 0o700});
    const identity = generateIdentity();
    // wx: never overwrite a key another process wrote meanwhile.
    writeFileSync(file, identity.privateKey.export({type: 'pkcs8', format: 'pem'}), {mode: 0o600, flag: 'wx'});
    chmodSync(file, 0o600);
    return {identity, created: true, file};
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    throw new Error(`the realm key ${file} may be read by other users; run: chmod 600 ${file}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (err) {
    throw new Error(`cannot read the realm key ${file}: ${(err as Error).message}`, {cause: err});
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the realm key ${file} is not an Ed25519 key (${privateKey.asymmetricKeyType})`);
  }
  return {identity: {privateKey, publicKey: publicKeyText(privateKey)}, created: false, file};
}

/** Signs a text with the realm's key: 64 bytes, base64url (86 characters). */
export function signText(identity: RealmIdentity, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), identity.privateKey).toString('base64url');
}

/** True when `signature` is `publicKey`'s signature of `text`. */
export function verifyText(publicKey: string, text: string, signature: string): boolean {
  const key = publicKeyObject(publicKey);
  if (!key || !/^[A-Za-z0-9_-]{86}$/.test(signature)) return false;
  return verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(signature, 'base64url'));
}
