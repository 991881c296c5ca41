/**
 * Password verifiers: scrypt with a per-user random salt, through the asynchronous call so hashing runs on the
 * thread pool and never blocks the event loop. The cost parameters are stored in each verifier, so raising the
 * cost later does not break old accounts.
 */
import {randomBytes, scrypt, timingSafeEqual, type ScryptOptions} from 'node:crypto';

/** scrypt cost parameters. */
export interface ScryptCost {
  /** CPU/memory cost, a power of two. @default 16384 */
  N: number;
  /** @default 8 */
  r: number;
  /** @default 1 */
  p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = {N: 16384, r: 8, p: 1};
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = {N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024};
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Makes a verifier `scrypt$N$r$p$salt$hash` (base64 parts) for a password. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Checks a password against a verifier in constant time. A malformed verifier never matches. */
export async function verifyPassword(password: string, verifier: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = verifier.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), {N: Number(N), r: Number(r), p: Number(p)});
  return key.length === expected.length && timingSafeEqual(key, expected);
}
