/**
 * Several built realmchatd processes (dist/daemon/cli.js) of one realm on one private PostgreSQL cluster: the data
 * folder (the realm key) is shared, the database is one fresh database of the cluster.
 */
import type {ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, afterEach, beforeAll} from 'vitest';
import {REALMCHATD_BIN, startRealmchatd} from '../../bench/realmchatd-process.js';
import {PgCluster} from '../../bench/pg-cluster.js';

/** One running process of the realm. */
export interface RealmProcess {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  /** What it wrote on stderr (its log). */
  stderr(): string;
}

/** The processes of one realm on one database; `stop()` kills every one left and removes the data folder. */
export class Realm {
  readonly processes: RealmProcess[] = [];

  private constructor(readonly url: string, readonly dataDir: string, readonly extraArgs: readonly string[]) {}

  /** Starts `count` processes of realm `alpha` on a new database of `cluster`, each with `extraArgs`. */
  static async start(cluster: PgCluster, count: number, extraArgs: readonly string[] = []): Promise<Realm> {
    const realm = new Realm(cluster.createDatabase(), mkdtempSync(join(tmpdir(), 'realmchat-scaleout-')), extraArgs);
    // The first one makes the realm key (and the schema); the others read both.
    await realm.add();
    await Promise.all(Array.from({length: count - 1}, () => realm.add()));
    return realm;
  }

  /** Starts one more process of the realm. */
  async add(): Promise<RealmProcess> {
    const started = await startRealmchatd(['--realm', 'alpha', '--port', '0', '--data', this.dataDir, '--store', this.url,
      '--send-rate', 'off', '--log-level', 'warn', ...this.extraArgs]);
    let err = '';
    started.child.stderr!.on('data', (chunk) => (err += chunk));
    const process = {child: started.child, port: started.port, exited: started.exited, stderr: () => err};
    this.processes.push(process);
    return process;
  }

  stop(): void {
    for (const process of this.processes) process.child.kill('SIGKILL');
    rmSync(this.dataDir, {recursive: true, force: true});
  }
}

/** A suite's private cluster and what its tests leave to close (realms stopped, clients closed after each test). */
export interface RealmSuite {
  /** Started before the suite's first test, stopped after its last. */
  readonly cluster: PgCluster;
  readonly realms: Realm[];
  readonly closers: Array<{close(): void}>;
}

/** Registers a suite's set-up: a built daemon is required, one private cluster for all its tests. */
export function realmSuite(): RealmSuite {
  let cluster: PgCluster | undefined;
  const suite: RealmSuite = {
    get cluster(): PgCluster {
      if (!cluster) throw new Error('the cluster starts in beforeAll');
      return cluster;
    },
    realms: [],
    closers: [],
  };
  beforeAll(async () => {
    if (!existsSync(REALMCHATD_BIN)) throw new Error('dist/daemon/cli.js is missing: run `npm run build` first');
    cluster = await PgCluster.create();
  }, 60_000);
  afterAll(async () => { await cluster?.destroy(); });
  afterEach(() => {
    for (const closer of suite.closers.splice(0)) closer.close();
    for (const realm of suite.realms.splice(0)) realm.stop();
  });
  return suite;
}
