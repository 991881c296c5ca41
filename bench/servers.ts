/**
 * The servers a benchmark run talks to: a fresh realmchatd (temp data folder written as a fixture first, port 0,
 * log level warn) or the bare baseline server, each a pinned child process, and the login step both share.
 */
import {randomUUID} from 'node:crypto';
import {mkdtempSync, rmSync} from 'node:fs';
import type {Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {createFixtureDb, BENCH_PASSWORD, type FixtureIds, type FixtureSpec} from './fixtures.js';
import {openSocket, requestOnce} from './load-wire.js';
import {nofileLimits, type Placement} from './proc-stats.js';
import {startNodeChild, startRealmchatd, type RealmchatdProcess} from './realmchatd-process.js';

export type ServerKind = 'baseline' | 'realmchatd';

const BASELINE_BIN = fileURLToPath(new URL('./baseline-server.js', import.meta.url));

/** Settings shared by every run of one invocation. */
export interface RunSettings {
  placement: Placement;
  durability: 'normal' | 'full';
}

/** One started server (for federation: two daemons; `ports[0]` is where clients go). */
export interface Server {
  kind: ServerKind;
  ports: number[];
  pids: number[];
  ids: FixtureIds | undefined;
  /** The database server's processes (PostgreSQL: the postmaster and its children), whose CPU is shown apart. */
  dbPids?: () => number[];
  stop(): Promise<void>;
}

async function stopChild(process: RealmchatdProcess): Promise<void> {
  if (process.child.exitCode !== null || process.child.signalCode !== null) return;
  process.child.kill('SIGTERM');
  const timer = setTimeout(() => process.child.kill('SIGKILL'), 8000);
  await process.exited.catch(() => undefined);
  clearTimeout(timer);
}

/** The descriptor limit to give children: the hard limit when prlimit can raise the soft one to it. */
function childNofile(settings: RunSettings): number | undefined {
  const {hard} = nofileLimits();
  return settings.placement.prlimit && Number.isFinite(hard) ? hard : undefined;
}

/** Starts the baseline server. */
export async function startBaseline(settings: RunSettings): Promise<Server> {
  const child = await startNodeChild(BASELINE_BIN, ['--port', '0'], process.env,
    {cpu: settings.placement.serverCpu, nofile: childNofile(settings)}, 'baseline-server');
  return {kind: 'baseline', ports: [child.port], pids: [child.child.pid!], ids: undefined, stop: () => stopChild(child)};
}

/**
 * Flags every benchmarked daemon gets: the load comes from a few users at machine speed, far past the per-user send
 * limits that protect a real realm from one abusive user (`--send-rate off` lifts them, see docs/PROTOCOL.md).
 */
export const BENCH_FLAGS = ['--send-rate', 'off'];

/** Starts a fresh realmchatd on a temp data folder holding `fixture`; extra daemon flags in `args`. */
export async function startDaemon(settings: RunSettings, fixture: FixtureSpec, args: string[] = [], dataDir?: string): Promise<Server> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'realmchat-bench-'));
  const ids = dataDir ? undefined : await createFixtureDb(dir, fixture);
  let child: RealmchatdProcess;
  try {
    child = await startRealmchatd(
      ['--port', '0', '--data', dir, '--log-level', 'warn', '--durability', settings.durability, ...BENCH_FLAGS, ...args],
      process.env, {cpu: settings.placement.serverCpu, nofile: childNofile(settings)});
  } catch (error) {
    if (!dataDir) rmSync(dir, {recursive: true, force: true});
    throw error;
  }
  return {
    kind: 'realmchatd', ports: [child.port], pids: [child.child.pid!], ids,
    stop: async () => {
      await stopChild(child);
      if (!dataDir) rmSync(dir, {recursive: true, force: true});
    },
  };
}

/**
 * Two federated daemons, alpha and beta (a generated key, temp folders), alpha linked to beta with `addrealm`
 * by `linker` (a user of alphaFixture). Clients talk to alpha (`ports[0]`); `pids` holds both.
 */
export async function startFederation(
  settings: RunSettings, alphaFixture: FixtureSpec, betaFixture: FixtureSpec, linker: string,
): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-bench-fed-'));
  const started: RealmchatdProcess[] = [];
  const stop = async () => {
    await Promise.all(started.map(stopChild));
    rmSync(dir, {recursive: true, force: true});
  };
  try {
    for (const [realm, fixture] of [['alpha', alphaFixture], ['beta', betaFixture]] as const) {
      await createFixtureDb(join(dir, realm), fixture);
      started.push(await startRealmchatd([
        '--realm', realm, '--port', '0', '--data', join(dir, realm), '--federation', 'tofu', '--admins', linker,
        '--log-level', 'warn', '--durability', settings.durability, ...BENCH_FLAGS,
      ], process.env, {cpu: settings.placement.serverCpu, nofile: childNofile(settings)}));
    }
    const [alpha, beta] = started as [RealmchatdProcess, RealmchatdProcess];
    const admin = await openSocket(alpha.port);
    const token = await login(admin, linker);
    const added = await requestOnce(admin, `addrealm ${token} beta 127.0.0.1 ${beta.port}`);
    admin.destroy();
    if (added.status !== 'OK') throw new Error(`addrealm beta failed: ${JSON.stringify(added)}`);
    return {kind: 'realmchatd', ports: [alpha.port, beta.port], pids: [alpha.child.pid!, beta.child.pid!], ids: undefined, stop};
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Logs a socket in with a raw `auth USER pw` and returns the session token. The baseline answers its fixed OK
 * without a token: a random UUID then stands in, so requests keep the same bytes.
 */
export async function login(socket: Socket, user: string): Promise<string> {
  const reply = await requestOnce(socket, `auth ${user} ${BENCH_PASSWORD}`);
  if (reply.status !== 'OK') throw new Error(`auth ${user} failed: ${JSON.stringify(reply)}`);
  return typeof reply.tokenid === 'string' ? reply.tokenid : randomUUID();
}
