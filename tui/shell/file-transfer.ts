/**
 * Files in the shell client: `realmchat sendfile <user|#group> <path>` reads the file and sends it the way the course
 * clients do (its base64 on the request line); `realmchat getfile <file_id> [dir]` fetches one and writes it into
 * the download folder (or `dir`), never over an existing file. The protocol forms (`sendfile <user> <name>
 * <base64>`) still go through as they are.
 */
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {basename, extname, join} from 'node:path';
import {formatFileSize} from '../../common/protocol/files.js';
import type {Reply} from '../../common/protocol/replies.js';

/** What the shell makes of a file command line before it is sent. */
export type FilePlan =
  /** Send this protocol command with these arguments (the file read and encoded). */
  | {kind: 'send'; command: 'sendfile' | 'sendgroupfile'; args: string[]; size: number}
  /** Ask for a file, then save it. */
  | {kind: 'get'; id: string; dir: string | undefined}
  /** A usage error to print (exit 2). */
  | {kind: 'usage'; text: string};

/**
 * The plan for `command args`, or undefined when it is not one of the shell's file forms (the protocol forms and
 * every other command go on as they are).
 */
export function planFileCommand(command: string, args: readonly string[]): FilePlan | undefined {
  const name = command.toLowerCase();
  if (name === 'getfile') {
    if (args.length === 1 || args.length === 2) return {kind: 'get', id: args[0]!, dir: args[1]};
    return {kind: 'usage', text: 'realmchat getfile: give a file id (from inbox or history), and a folder if you like\n' +
      'usage:   realmchat getfile <file_id> [dir]\nexample: realmchat getfile 42 ~/Downloads\n'};
  }
  if ((name !== 'sendfile' && name !== 'sendgroupfile') || args.length !== 2) return undefined;
  const [target, path] = args as [string, string];
  if (target.includes('@')) {
    return {kind: 'usage', text: `realmchat ${name}: files to users or groups of other realms are not supported yet (${target})\n`};
  }
  const group = name === 'sendgroupfile' || target.startsWith('#');
  let content: Buffer;
  try {
    if (!statSync(path).isFile()) return {kind: 'usage', text: `realmchat ${name}: ${path} is not a file\n`};
    content = readFileSync(path);
  } catch (error) {
    return {kind: 'usage', text: `realmchat ${name}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`};
  }
  const to = target.replace(/^#/, '');
  return {kind: 'send', command: group ? 'sendgroupfile' : 'sendfile', args: [to, basename(path), content.toString('base64')], size: content.length};
}

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

/** Writes a getfile reply's file into `dir` (created if missing), never over another file; returns where. */
export function saveFile(reply: Reply, dir: string): {path: string; size: number; name: string} {
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
export function savedText(saved: {path: string; size: number; name: string}): string {
  return `Saved ${saved.name} (${formatFileSize(saved.size)}) to ${saved.path}.`;
}
