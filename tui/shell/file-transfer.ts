/**
 * Files in the shell client: `realmchat sendfile <user|#group|user@realm|#group@realm> <path>` reads the file and
 * sends it the way the course clients do (its base64 on the request line; to another realm as sendfilerealm or
 * sendgroupfilerealm); `realmchat getfile <file_id> [dir]` fetches one and writes it into
 * the download folder (or `dir`), never over an existing file. The protocol forms (`sendfile <user> <name>
 * <base64>`) still go through as they are.
 */
import {readFileSync, statSync} from 'node:fs';
import {basename} from 'node:path';

export {downloadDir, freePath, saveFile, savedText} from '../shared/files.js';

/** The protocol commands that send a file. */
export type FileSendCommand = 'sendfile' | 'sendgroupfile' | 'sendfilerealm' | 'sendgroupfilerealm';

/** What the shell makes of a file command line before it is sent. */
export type FilePlan =
  /** Send this protocol command with these arguments (the file read and encoded). */
  | {kind: 'send'; command: FileSendCommand; args: string[]; name: string; size: number}
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
  const group = name === 'sendgroupfile' || target.startsWith('#');
  let content: Buffer;
  try {
    if (!statSync(path).isFile()) return {kind: 'usage', text: `realmchat ${name}: ${path} is not a file\n`};
    content = readFileSync(path);
  } catch (error) {
    return {kind: 'usage', text: `realmchat ${name}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`};
  }
  const [to, realm] = target.replace(/^#/, '').split('@', 2) as [string, string | undefined];
  const file = [basename(path), content.toString('base64')];
  if (realm !== undefined) {
    return {kind: 'send', command: group ? 'sendgroupfilerealm' : 'sendfilerealm', args: [realm, to, ...file], name: file[0]!, size: content.length};
  }
  return {kind: 'send', command: group ? 'sendgroupfile' : 'sendfile', args: [to, ...file], name: file[0]!, size: content.length};
}
