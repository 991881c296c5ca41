/**
 * Files on the local disk, shared by the shell's `sendfile`/`getfile` and the full-screen client's `/file`/`/save`:
 * the download folder, a name that does not exist yet (`name (1).ext`), writing a fetched file without
 * overwriting anything, `~` in typed paths, and listing a folder for path completion.
 */
import {existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {basename, extname, join} from 'node:path';
import {formatFileSize} from '../../common/protocol/files.js';
import type {Reply} from '../../common/protocol/replies.js';

/** The download folder: $XDG_DOWNLOAD_DIR, else the one in ~/.config/user-dirs.dirs, else ~/Downloads. */
export function downloadDir(env: NodeJS.ProcessEnv): string {
  const home = env.HOME ?? homedir();
  if (env.XDG_DOWNLOAD_DIR) return env.XDG_DOWNLOAD_DIR;
  try {
    const dirs = readFileSync(join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'user-dirs.dirs'), 'utf8');
    const match = /^XDG_DOWNLOAD_DIR="([^"]+)"/m.exec(dirs);
    if (match) return match[1]!.replace(/^\$HOME/, home);
  } catch {
    // no user-dirs file: the default below
  }
  return join(home, 'Downloads');
}

/** A path in `dir` for `name` that does not exist yet: `name`, then `name (1).ext`, `name (2).ext`, … */
export function freePath(dir: string, name: string): string {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let i = 0; ; i++) {
    const path = join(dir, i === 0 ? name : `${stem} (${i})${extension}`);
    if (!existsSync(path)) return path;
  }
}

/** Where a file was saved. */
export interface SavedFile {
  readonly path: string;
  readonly size: number;
  readonly name: string;
}

/** Writes a getfile reply's file into `dir` (created if missing), never over another file; returns where. */
export function saveFile(reply: Reply, dir: string): SavedFile {
  const name = basename(String(reply.file_name ?? 'file')) || 'file';
  const content = Buffer.from(String(reply.file_content ?? ''), 'base64');
  mkdirSync(dir, {recursive: true});
  for (;;) {
    const path = freePath(dir, name);
    try {
      writeFileSync(path, content, {flag: 'wx'}); // 'wx': another writer may have taken the name meanwhile
      return {path, size: content.length, name};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** "Saved notes.txt (12 B) to /home/me/Downloads/notes.txt." */
export function savedText(saved: SavedFile): string {
  return `Saved ${saved.name} (${formatFileSize(saved.size)}) to ${saved.path}.`;
}

/** A typed path with a leading `~` (alone or `~/…`) turned into the home folder. */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return path;
}

/** One entry of a folder, for path completion. */
export interface DirectoryEntry {
  readonly name: string;
  readonly directory: boolean;
}

/** The entries of `dir` (a symbolic link to a folder counts as a folder); none when it cannot be read. */
export function listDirectory(dir: string): DirectoryEntry[] {
  try {
    return readdirSync(dir, {withFileTypes: true}).map((entry) => {
      let directory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          directory = statSync(join(dir, entry.name)).isDirectory();
        } catch {
          directory = false;
        }
      }
      return {name: entry.name, directory};
    });
  } catch {
    return [];
  }
}

/** A local file read to be sent, or why it cannot be. */
export type FileToSend =
  | {readonly ok: true; readonly name: string; readonly content: Buffer}
  | {readonly ok: false; readonly reason: string};

/**
 * Reads the file at `path` to send it: its base name and bytes, or why not (`not a file`, `no such file`, …). A file
 * over `maxBytes` is not read at all (it would only be refused after filling the memory and the line).
 */
export function readFileToSend(path: string, maxBytes = Number.POSITIVE_INFINITY): FileToSend {
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return {ok: false, reason: `${path} is not a file`};
    if (stats.size > maxBytes) {
      return {ok: false, reason: `${basename(path)} is ${formatFileSize(stats.size)}: more than the ${formatFileSize(maxBytes)} a file may have here`};
    }
    return {ok: true, name: basename(path), content: readFileSync(path)};
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? (error as Error).message;
    return {ok: false, reason: `cannot read ${path}: ${why}`};
  }
}
