/**
 * `npm run bench -- --store postgres`: one realm served by N realmchatd processes that share one database of a
 * private PostgreSQL cluster (bench/pg-cluster.ts). The bench's users are registered over the protocol (the SQLite
 * fixture writer does not apply); clients are spread over the processes by the workloads (`server.ports`).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {BENCH_PASSWORD} from './fixtures.js';
import {openSocket, requestOnce} from './load-wire.js';
import type {PgCluster} from './pg-cluster.js';
import {withChildren} from './proc-stats.js';
import {startRealmchatd, type RealmchatdProcess} from './realmchatd-process.js';
import {BENCH_FLAGS, type RunSettings, type Server} from './servers.js';

/** Where the PostgreSQL runs go: the cluster and how many processes serve the realm. */
export interface PgRealmSettings {
  cluster: PgCluster;
  processes: number;
}

/** Starts `pg.processes` realmchatd processes of one realm on a new database, with `users` registered. */
export async function startPgRealm(settings: RunSettings, pg: PgRealmSettings, users: readonly string[]): Promise<Server> {
  const url = pg.cluster.createDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-bench-pg-'));
  const started: RealmchatdProcess[] = [];
  const stop = async () => {
    for (const child of started) child.child.kill('SIGTERM');
    await Promise.all(started.map((child) => child.exited.catch(() => undefined)));
    rmSync(dir, {recursive: true, force: true});
  };
  try {
    const args = ['--realm', 'alpha', '--port', '0', '--data', dir, '--store', url, '--log-level', 'warn', ...BENCH_FLAGS];
    const placement = {cpu: settings.placement.serverCpu};
    // The first makes the realm key and the schema; the others read both.
    started.push(await startRealmchatd(args, process.env, placement));
    started.push(...await Promise.all(Array.from({length: pg.processes - 1}, () => startRealmchatd(args, process.env, placement))));
    const socket = await openSocket(started[0]!.port);
    for (const user of users) {
      const reply = await requestOnce(socket, `register ${user} ${BENCH_PASSWORD} ${user} bench`);
      if (reply.status !== 'OK') throw new Error(`register ${user} failed: ${JSON.stringify(reply)}`);
    }
    socket.destroy();
  } catch (error) {
    await stop();
    throw error;
  }
  const postmaster = pg.cluster.postmasterPid();
  return {
    kind: 'realmchatd', ports: started.map((child) => child.port), pids: started.map((child) => child.child.pid!), ids: undefined,
    dbPids: () => (postmaster === undefined ? [] : withChildren(postmaster)), stop,
  };
}
