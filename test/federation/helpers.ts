/** Two-realm test harness: in-process daemons with federation on loopback port 0, a log recorder, polling. */
import type {Reply} from '../../common/protocol/replies.js';
import {createFederation} from '../../daemon/federation/federation.js';
import type {LinkTlsMode} from '../../daemon/federation/connect.js';
import {generateIdentity, type RealmIdentity} from '../../daemon/federation/identity.js';
import type {LinkTunables, PeerSpec} from '../../daemon/federation/options.js';
import type {Clock} from '../../daemon/clock.js';
import type {Logger} from '../../daemon/logger.js';
import type {DaemonOptions} from '../../daemon/context.js';
import type {SqliteStore} from '../../daemon/store/sqlite-store.js';
import type {Store} from '../../daemon/store/types.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

/** Short timers so outages and restarts resolve in well under a second. */
export const FAST_LINKS: Partial<LinkTunables> = {
  backoffBaseMs: 50,
  backoffCapMs: 300,
  heartbeatIntervalMs: 500,
  heartbeatTimeoutMs: 3000,
  handshakeTimeoutMs: 3000,
  // Scripted peers send messages stamped in 1970: keep their ids (and accept them) for ever.
  receivedRetentionMs: Number.MAX_SAFE_INTEGER,
};

/** A fresh realm identity (Ed25519 key pair), e.g. for a scripted peer. */
export function newKey(): RealmIdentity {
  return generateIdentity();
}

/** A logger that keeps every line, for assertions on what the daemon logged. */
export function recordingLogger(): Logger & {lines: string[]} {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {}, (_key, value: unknown) => (value instanceof Error ? value.message : value))}`);
  };
  return {lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error')};
}

/** Options of a test realm. */
export interface RealmOptions {
  /** The realm's key pair. @default a fresh one (kept across restart()) */
  identity?: RealmIdentity;
  peers?: Record<string, PeerSpec>;
  /** Trust on first use. @default true (course mode, like --demo-users) */
  tofu?: boolean;
  /** @default true (course mode: any user may addrealm a loopback address) */
  courseMode?: boolean;
  admins?: string[];
  tls?: LinkTlsMode;
  tunables?: Partial<LinkTunables>;
  logger?: Logger;
  dir?: string;
  port?: number;
  /** Daemon options (limits) beyond the realm name. */
  daemon?: Partial<DaemonOptions>;
  clock?: Clock;
  /** Replaces the realm's SqliteStore (test/helpers/daemon.ts wrapStore), e.g. with a PostgresStore. */
  wrapStore?: (store: SqliteStore) => Store;
}

/** Starts realm `name` in this process (restart() keeps its data folder, port and federation settings). */
export function startRealm(name: string, options: RealmOptions = {}): Promise<TestDaemon> {
  const federation = createFederation({
    identity: options.identity, peers: options.peers, tofu: options.tofu ?? true, courseMode: options.courseMode ?? true,
    admins: options.admins, tls: options.tls, tunables: {...FAST_LINKS, ...options.tunables},
  });
  const extra = {
    federation, ...(options.logger ? {logger: options.logger} : {}), ...(options.clock ? {clock: options.clock} : {}),
    ...(options.wrapStore ? {wrapStore: options.wrapStore} : {}),
  };
  return startDaemon({...options.daemon, realm: name}, extra, options.dir, options.port);
}

/** Polls `check` until it returns a truthy value (returned), or fails after `ms`. */
export async function waitFor<T>(check: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A logged-in user on a realm. */
export interface TestUser {
  name: string;
  client: LineClient;
  token: string;
}

export async function user(port: number, name: string): Promise<TestUser> {
  const {client, token} = await registerUser(port, name);
  return {name, client, token};
}

/** Logs a user in again on a new connection (e.g. after a restart). */
export async function login(port: number, name: string, password = 'pw'): Promise<LineClient> {
  const client = await LineClient.connect(port);
  const reply = await client.request(`auth ${name} ${password}`);
  if (reply.status !== 'OK') throw new Error(`auth ${name} failed: ${reply.message}`);
  return client;
}

/** The texts of every message in an inbox reply (map of lists) or realm-inbox reply (list), in order. */
export function texts(reply: Reply): string[] {
  const messages = reply.messages as unknown;
  const list = Array.isArray(messages) ? messages : Object.values(messages as Record<string, unknown[]>).flat();
  return (list as Array<{msg: string}>).map((message) => message.msg);
}

/** The `realms` entry of one realm. */
export async function realmEntry(client: LineClient, name: string): Promise<Record<string, unknown> | undefined> {
  const reply = await client.request('realms');
  return (reply.realms as Array<Record<string, unknown>>).find((realm) => realm.name === name);
}

/** Links `from` to `to` with addrealm (host and port given) and waits until both sides list the link ready. */
export async function link(from: {port: number; client: LineClient}, toName: string, to: {port: number; client: LineClient}, fromName: string): Promise<void> {
  const reply = await from.client.request(`addrealm ${toName} 127.0.0.1 ${to.port}`);
  if (reply.status !== 'OK') throw new Error(`addrealm ${toName} failed: ${reply.message}`);
  await waitFor(async () => (await realmEntry(to.client, fromName))?.state === 'ready', 10_000, `${toName} to list ${fromName} ready`);
}
