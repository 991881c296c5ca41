/**
 * Several built realmchatd processes (dist/daemon/cli.js) of one realm on one private PostgreSQL cluster: the data
 * folder (the realm key) is shared, the database is one fresh database of the cluster.
 */
import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {startRealmchatd} from '../../bench/realmchatd-process.js';
import type {PgCluster} from '../../bench/pg-cluster.js';

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
