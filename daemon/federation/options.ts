/** Configuration of a daemon's federation: the key, the directory of known realms, and the link tunables. */
import {readFileSync} from 'node:fs';
import {DEFAULT_MAX_FRAME_BYTES} from './link-codec.js';
import type {FederationKey} from './handshake.js';

/** Timing and size limits of realm links. Every one has a default; tests shorten the timers. */
export interface LinkTunables {
  /** Connect + handshake must finish within this (also addrealm's check of the peer), in ms. @default 5000 */
  handshakeTimeoutMs: number;
  /** How long a send waits for the peer's verdict before answering "queued", in ms. @default 2000 */
  verdictTimeoutMs: number;
  /** Send a ping after this long without sending anything, in ms. @default 5000 */
  heartbeatIntervalMs: number;
  /** Drop a connection that sent nothing for this long, in ms. @default 20000 */
  heartbeatTimeoutMs: number;
  /** First reconnect delay (before jitter), in ms. @default 250 */
  backoffBaseMs: number;
  /** Longest reconnect delay, in ms. @default 30000 */
  backoffCapMs: number;
  /** Messages written to a connection and not yet acknowledged, at most. @default 8192 */
  maxInFlight: number;
  /** Outbox rows per realm held in memory; the rest stay on disk until there is room. @default 32768 */
  outboxWindow: number;
  /** Largest link frame accepted, in bytes. @default 1 MiB */
  maxFrameBytes: number;
}

export const DEFAULT_LINK_TUNABLES: LinkTunables = {
  handshakeTimeoutMs: 5000,
  verdictTimeoutMs: 2000,
  heartbeatIntervalMs: 5000,
  heartbeatTimeoutMs: 20_000,
  backoffBaseMs: 250,
  backoffCapMs: 30_000,
  maxInFlight: 8192,
  outboxWindow: 32_768,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
};

/** A realm's address for `addrealm NAME` without one (`--peer NAME=HOST:PORT`). */
export interface PeerAddress {
  host: string;
  port: number;
}

/** What createFederation needs besides the daemon's services. */
export interface FederationConfig {
  /** The shared federation key; without one, links are accepted from loopback peers only. */
  key?: FederationKey;
  /** Known realms by name (case-insensitive), for `addrealm NAME`. */
  peers?: ReadonlyMap<string, PeerAddress> | Readonly<Record<string, PeerAddress>>;
  tunables?: Partial<LinkTunables>;
}

/** Shortest key accepted from a key file, in bytes. */
export const MIN_KEY_BYTES = 16;

/** Reads a key file: its content without surrounding whitespace. Throws with a readable message. */
export function readKeyFile(file: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the federation key file ${file}: ${(err as Error).message}`, {cause: err});
  }
  const key = Buffer.from(text.trim(), 'utf8');
  if (key.length < MIN_KEY_BYTES) {
    throw new Error(`the federation key in ${file} is too short (${key.length} bytes; at least ${MIN_KEY_BYTES}, e.g. openssl rand -hex 32)`);
  }
  return key;
}

/** Parses `NAME=HOST:PORT` (IPv6 hosts in brackets: `NAME=[::1]:8890`); undefined when malformed. */
export function parsePeer(spec: string): {name: string; address: PeerAddress} | undefined {
  const match = /^([A-Za-z0-9_.-]{1,32})=(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(spec);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = match[2]!.startsWith('[') ? match[2]!.slice(1, -1) : match[2]!;
  return {name: match[1]!, address: {host, port}};
}
