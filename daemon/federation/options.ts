/**
 * Configuration of a daemon's federation: its identity, the directory of known realms and their pinned keys, who
 * may link new realms, and the link tunables.
 */
import {readFileSync} from 'node:fs';
import {DEFAULT_MAX_FRAME_BYTES} from './link-codec.js';
import type {LinkTlsMode} from './connect.js';
import {isPublicKeyText, type RealmIdentity} from './identity.js';

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
  /**
   * A connection with messages in flight and no acknowledgement for this long is cut (and its messages resent on
   * the next connection), in ms. @default 60000
   */
  ackTimeoutMs: number;
  /**
   * The slowest link a peer may be on, in bytes per second: the wait for an acknowledgement grows by the time the
   * bytes in flight take at this rate (an 8 MiB file's 11 MiB of frames: about 3 minutes at the default). @default 65536
   */
  minLinkBytesPerSecond: number;
  /**
   * Ids of received messages are kept this long (the dedup window), in ms; messages older than it minus a day (for
   * clock skew) are refused as MESSAGE_EXPIRED, so no resend can outlive its id. @default 30 days
   */
  receivedRetentionMs: number;
  /** How often the pruning of old received ids runs, in ms. @default 60000 */
  pruneIntervalMs: number;
  /** Ids deleted per pruning batch (batches yield to the event loop between them). @default 1000 */
  pruneBatch: number;
  /**
   * With several processes of the realm on one shared store (PostgreSQL): how long a process's lease on a peer's
   * link lasts without renewal (renewed every third of it), so a dead holder's links move within about this long,
   * in ms (`--link-lease-ms`). Unused on SQLite. @default 3000
   */
  linkLeaseMs: number;
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
  ackTimeoutMs: 60_000,
  minLinkBytesPerSecond: 64 * 1024,
  receivedRetentionMs: 30 * 86_400_000,
  pruneIntervalMs: 60_000,
  linkLeaseMs: 3000,
  pruneBatch: 1000,
};

/** Received messages older than the retention window minus this margin (clock skew between realms) expire. */
export const EXPIRY_MARGIN_MS = 86_400_000;

/** A realm's address for `addrealm NAME` without one (`--peer NAME=HOST:PORT`). */
export interface PeerAddress {
  host: string;
  port: number;
}

/** A configured realm: its address and, when given, its pinned public key (`--peer NAME=HOST:PORT,KEY`). */
export interface PeerSpec extends PeerAddress {
  key?: string;
}

/** What createFederation needs besides the daemon's services. */
export interface FederationConfig {
  /** This realm's key pair; without one a fresh key pair is made (kept for the life of this config). */
  identity?: RealmIdentity;
  /** Known realms by name (case-insensitive), for `addrealm NAME`, with their pinned keys. */
  peers?: ReadonlyMap<string, PeerSpec> | Readonly<Record<string, PeerSpec>>;
  /** Trust on first use: pin the first key seen for a realm nobody pinned. @default false */
  tofu?: boolean;
  /** When links use TLS. @default 'auto' (off loopback) */
  tls?: LinkTlsMode;
  /** Users who may addrealm a realm this daemon does not know, and removerealm. @default [] */
  admins?: readonly string[];
  /** Course mode (--demo-users): any user may also addrealm a realm on a loopback address. @default false */
  courseMode?: boolean;
  tunables?: Partial<LinkTunables>;
}

/**
 * Parses `NAME=HOST:PORT` or `NAME=HOST:PORT,KEY` (IPv6 hosts in brackets: `NAME=[::1]:8890`); undefined when
 * malformed (a KEY must be a public key as `realmchatd key show` prints it).
 */
export function parsePeer(spec: string): {name: string; address: PeerSpec} | undefined {
  const match = /^([A-Za-z0-9_.-]{1,32})=(\[[0-9A-Fa-f:.]+\]|[^:\s[\],]+):(\d{1,5})(?:,(\S+))?$/.exec(spec);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  const key = match[4];
  if (key !== undefined && !isPublicKeyText(key)) return undefined;
  const host = match[2]!.startsWith('[') ? match[2]!.slice(1, -1) : match[2]!;
  return {name: match[1]!, address: key === undefined ? {host, port} : {host, port, key}};
}

/**
 * Reads a peers file: one `NAME=HOST:PORT,KEY` per line (the `--peer` syntax), `#` comments and blank lines
 * ignored. Throws with the file, line number and what is wrong.
 */
export function readPeersFile(file: string): Array<{name: string; address: PeerSpec}> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the peers file ${file}: ${(err as Error).message}`, {cause: err});
  }
  const peers = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') continue;
    const peer = parsePeer(line);
    if (!peer) {
      throw new Error(`${file} line ${index + 1}: expected NAME=HOST:PORT,KEY with KEY from \`realmchatd key show\` on that realm, not "${line}"`);
    }
    peers.push(peer);
  }
  return peers;
}
