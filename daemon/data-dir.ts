/**
 * The data folder holds the sessions table and every message: only the daemon's user may read it. realmchatd sets
 * the umask to 077 (so the database, its -wal, its -shm when the locking is shared, and anything else it creates are
 * 0600, folders 0700), creates the folder 0700, and narrows an existing folder and database created by an older
 * version.
 */
import {chmodSync, existsSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';

/** The files of a SQLite database in WAL mode. */
const DATABASE_FILES = (file: string) => [file, `${file}-wal`, `${file}-shm`];

/** Makes `dir` (0700) ready for the database `file` in it (0600). Sets the process umask to 077. */
export function prepareDataDir(dir: string, file = join(dir, 'realmchat.db')): void {
  process.umask(0o077);
  mkdirSync(dir, {recursive: true, mode: 0o700});
  chmodSync(dir, 0o700);
  for (const path of DATABASE_FILES(file)) if (existsSync(path)) chmodSync(path, 0o600);
}
