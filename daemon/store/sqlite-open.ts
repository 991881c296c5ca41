/**
 * Opening the realm's SQLite database, and how its connections lock the file.
 *
 * With SQLite's default locking every transaction takes and releases POSIX locks on the database and its `-shm`
 * file: six `fcntl` calls per commit, about half the CPU of a small commit on the development machine (19.5 → 9.9 µs
 * per one-row commit, docs/PERFORMANCE.md). The daemon commits once per event-loop turn, so that is paid at every
 * turn. "exclusive" opens the file with SQLite's `unix-excl` VFS instead: the first transaction takes one lock on
 * the file for the whole process and keeps it, the WAL index lives in the process's memory (no `-shm` file), and
 * connections of the same process (the checkpoint worker's) still lock each other as usual. Another process cannot
 * open the database while the daemon runs. "shared" keeps SQLite's default, for a tool that reads the live file.
 *
 * Choosing a VFS takes a URI filename, which better-sqlite3 parses only when the environment variable
 * SQLITE_USE_URI is "1" as it loads its native addon (the first `new Database` of the process). When URIs are off
 * (the variable was "0", or something opened a database before without it), the database opens "shared".
 */
import {resolve} from 'node:path';
import Database from 'better-sqlite3';

/** How the daemon's connections lock the database file (see the module comment). */
export type SqliteLocking = 'exclusive' | 'shared';

/** An open database, and how to open more connections to it. */
export interface OpenedDatabase {
  db: Database.Database;
  /** The name another connection of this process opens the same database with (a URI when exclusive). */
  name: string;
  /** The locking in effect: "shared" when "exclusive" was asked but URI filenames are off in this process. */
  locking: SqliteLocking;
}

/** Opening the database failed because another process holds it. */
export class DatabaseInUseError extends Error {
  constructor(options: ErrorOptions) {
    super('another process holds it (another realmchatd on the same data folder?)', options);
    this.name = 'DatabaseInUseError';
  }
}

/** How long opening waits for another process to let go of the file before it says the file is in use. */
const OPEN_WAIT_MS = 1_000;

/** Opens `file` (or ':memory:') with the locking asked, if this process can. */
export function openDatabase(file: string, locking: SqliteLocking): OpenedDatabase {
  if (file === ':memory:') return {db: new Database(file), name: file, locking};
  const useUri = locking === 'exclusive' && urisEnabled();
  const name = useUri ? exclusiveUri(resolve(file)) : file;
  const db = new Database(name, {timeout: OPEN_WAIT_MS});
  try {
    // The first read takes the file's lock: a file another process holds fails here, after OPEN_WAIT_MS.
    db.pragma('schema_version', {simple: true});
  } catch (error) {
    db.close();
    if ((error as {code?: string}).code === 'SQLITE_BUSY') throw new DatabaseInUseError({cause: error});
    throw error;
  }
  return {db, name, locking: useUri ? 'exclusive' : 'shared'};
}

/** `file:` URI of an absolute path with the `unix-excl` VFS (%, ? and # are escaped: SQLite decodes %HH). */
export function exclusiveUri(absolutePath: string): string {
  const escaped = absolutePath.replace(/[%?#]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `file:${escaped}?vfs=unix-excl`;
}

/**
 * True when better-sqlite3 reads URI filenames in this process. Asks for them if the addon is not loaded yet (the
 * variable is read once, when it loads), then probes with an in-memory URI opened read-only: with URIs off it is a
 * file name that does not exist, and opening it read-only fails without creating anything.
 */
function urisEnabled(): boolean {
  process.env.SQLITE_USE_URI ??= '1';
  try {
    new Database('file:realmchat-uri-probe?mode=memory', {readonly: true}).close();
    return true;
  } catch {
    return false;
  }
}
