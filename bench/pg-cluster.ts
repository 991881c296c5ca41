/**
 * A private PostgreSQL cluster in a temp folder, on a random free port and a private unix socket folder, started with
 * the Debian binaries (/usr/lib/postgresql/<version>/bin). initdb refuses to run as root, so when run as root every
 * cluster command runs as the `postgres` user (runuser). Trust auth on the socket and loopback; fsync stays on
 * because the tests check durability. When the binaries are missing, `PG_BIN` is undefined. Shared by the tests
 * (test/helpers/pg-cluster.ts) and `npm run bench -- --store postgres`.
 */
import {execFileSync} from 'node:child_process';
import {chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

/** The newest installed PostgreSQL's bin folder, or undefined when none is installed. */
export const PG_BIN: string | undefined = findBin();

function findBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

const asRoot = process.getuid?.() === 0;

/** The role that must log in with a password (scram-sha-256); create it with `CREATE ROLE … LOGIN PASSWORD …`. */
export const PASSWORD_ROLE = 'realmchat_pw';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number};
      server.close(() => resolve(port));
    });
  });
}

/** A running private cluster. */
export class PgCluster {
  #databases = 0;

  private constructor(readonly dir: string, readonly port: number) {}

  get dataDir(): string { return join(this.dir, 'data'); }
  get socketDir(): string { return join(this.dir, 'socket'); }

  /** initdb + start. */
  static async create(): Promise<PgCluster> {
    if (!PG_BIN) throw new Error('PostgreSQL is not installed');
    const dir = mkdtempSync(join(tmpdir(), 'realmchat-pg-'));
    const cluster = new PgCluster(dir, await freePort());
    mkdirSync(cluster.socketDir);
    if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    cluster.#run('initdb', ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '--locale=C', '--encoding=UTF8', '-N']);
    const conf = [
      `port = ${cluster.port}`, `listen_addresses = '127.0.0.1'`, `unix_socket_directories = '${cluster.socketDir}'`,
      'fsync = on', 'max_connections = 100', 'shared_buffers = 32MB', 'logging_collector = off',
    ].join('\n');
    writeFileSync(join(cluster.dataDir, 'postgresql.auto.conf'), `${conf}\n`);
    // One role must give a password (tests of password handling); everyone else is trusted.
    const hba = join(cluster.dataDir, 'pg_hba.conf');
    writeFileSync(hba, `local all ${PASSWORD_ROLE} scram-sha-256\nhost all ${PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
    if (asRoot) {
      for (const file of ['postgresql.auto.conf', 'pg_hba.conf']) chownSync(join(cluster.dataDir, file), uidOf('postgres'), uidOf('postgres', 'g'));
    }
    cluster.start();
    return cluster;
  }

  #run(tool: string, args: string[]): string {
    const command = join(PG_BIN!, tool);
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    return execFileSync(file, argv, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir});
  }

  /** Starts the cluster and waits until it accepts connections. */
  start(): void {
    this.#run('pg_ctl', ['start', '-w', '-D', this.dataDir, '-l', join(this.dir, 'server.log'), '-t', '60']);
  }

  /** Stops it as a crash would (no shutdown checkpoint; clients are cut off). */
  stopImmediate(): void {
    this.#run('pg_ctl', ['stop', '-w', '-D', this.dataDir, '-m', 'immediate']);
  }

  /** A new empty database; returns its connection URL (over the private socket folder). */
  createDatabase(): string {
    const name = `test_${++this.#databases}_${process.pid}`;
    this.#run('createdb', ['-h', this.socketDir, '-p', String(this.port), '-U', 'postgres', name]);
    return this.url(name);
  }

  /** A URL of `database` over the socket folder. */
  url(database: string): string {
    return `postgres://postgres@localhost:${this.port}/${database}?host=${encodeURIComponent(this.socketDir)}`;
  }

  /** Runs SQL through psql (for checks that must not go through the store). */
  psql(url: string, sql: string): string {
    const database = new URL(url).pathname.slice(1);
    return this.#run('psql', ['-h', this.socketDir, '-p', String(this.port), '-U', 'postgres', '-d', database, '-XAtqc', sql]).trim();
  }

  /** The postmaster's process id (its children are the cluster's other processes), or undefined when stopped. */
  postmasterPid(): number | undefined {
    try {
      return Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  }

  /** Stops the cluster (fast shutdown) and removes its folder. */
  async destroy(): Promise<void> {
    try {
      // Immediate: the folder is deleted next, so the shutdown checkpoint a fast stop writes (seconds on a loaded
      // machine, past a test hook's timeout) would be work thrown away.
      this.#run('pg_ctl', ['stop', '-w', '-D', this.dataDir, '-m', 'immediate']);
    } catch {
      // already stopped
    }
    rmSync(this.dir, {recursive: true, force: true});
  }
}

function uidOf(user: string, kind: 'u' | 'g' = 'u'): number {
  return Number(execFileSync('id', [`-${kind}`, user], {encoding: 'utf8'}).trim());
}
