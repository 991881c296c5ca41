/**
 * Tab completion: command names after `/`, and usernames, group names and realm names where a command expects
 * them (`/msg bo` → `/msg bob `, `/join de` → `/join devs `); in plain text, usernames (nick completion); after
 * `/file ` (and `/save N `), local paths through the folder lister it is given (`~` is the home folder).
 */
import type {DirectoryEntry} from '../../shared/files.js';
import type {CompletionSource} from '../input/line-editor.js';
import {COMMAND_WORDS} from './slash-commands.js';

/** The names completion picks from. */
export interface CompletionData {
  /** Local usernames we know of (peers, looked-up users, ourselves). */
  readonly users: readonly string[];
  /** Remote users as `user@realm`. */
  readonly remoteUsers: readonly string[];
  /** Groups we are a member of. */
  readonly myGroups: readonly string[];
  /** Every group of the realm. */
  readonly allGroups: readonly string[];
  /** Linked realms. */
  readonly realms: readonly string[];
  /** Local paths (for `/file` and `/save`); without it, no path completion. */
  readonly paths?: LocalPaths | undefined;
}

/** How completion sees the local disk. */
export interface LocalPaths {
  /** The entries of a folder (relative paths are from the working folder); none when it cannot be read. */
  readonly list: (dir: string) => readonly DirectoryEntry[];
  /** What `~` stands for. */
  readonly home: string;
}

/** The paths that complete `typed`: the typed folder part kept as typed, folders ending in `/`; hidden ones only after a `.`. */
export function pathMatches(typed: string, paths: LocalPaths, foldersOnly = false): string[] {
  if (typed === '~') return ['~/'];
  const slash = typed.lastIndexOf('/');
  const folder = slash < 0 ? '' : typed.slice(0, slash + 1);
  const prefix = typed.slice(slash + 1);
  const dir = folder === '' ? '.' : folder.startsWith('~/') ? `${paths.home}/${folder.slice(2)}` : folder;
  return paths.list(dir)
    .filter((entry) => entry.name.startsWith(prefix) && (prefix.startsWith('.') || !entry.name.startsWith('.')) && (entry.directory || !foldersOnly))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((entry) => `${folder}${entry.name}${entry.directory ? '/' : ''}`);
}

/** Where a path starts in a `/file PATH` or `/save [N] DIR` line (and whether only folders fit), or undefined. */
function pathStart(value: string): {at: number; foldersOnly: boolean} | undefined {
  const match = /^\/(?:(file)\s+|save\s+(?:\d+\s+)?)/i.exec(value);
  return match ? {at: match[0].length, foldersOnly: match[1] === undefined} : undefined;
}

type Kind = 'user' | 'anyone' | 'conversation' | 'myGroup' | 'anyGroup' | 'realm' | 'remoteName' | 'none';

/** What each command's argument positions hold. */
const ARGUMENTS: Readonly<Record<string, readonly Kind[]>> = {
  msg: ['anyone'], query: ['anyone'],
  send: ['user'], info: ['user'],
  join: ['anyGroup'], joingroup: ['anyGroup'], addgroup: ['none'],
  sendgroup: ['myGroup'],
  history: ['conversation'],
  sendprivaterealm: ['realm', 'remoteName'], sendgrouprealm: ['realm', 'none'],
  getrealminbox: ['realm'], addrealm: ['realm', 'none', 'none'],
  auth: ['user', 'none'], register: ['none'], bell: ['none'],
};

function candidates(kind: Kind, data: CompletionData, words: readonly string[]): string[] {
  switch (kind) {
    case 'user': return [...data.users];
    case 'anyone': return [...data.users, ...data.remoteUsers, ...data.myGroups.map((group) => `#${group}`)];
    case 'conversation': return [...data.users, ...data.remoteUsers, ...data.myGroups.map((group) => `group:${group}`)];
    case 'myGroup': return [...data.myGroups];
    case 'anyGroup': return [...data.allGroups];
    case 'realm': return [...data.realms];
    case 'remoteName': {
      // sendprivaterealm REALM USER: the users we know in that realm.
      const realm = (words[1] ?? '').toLowerCase();
      return data.remoteUsers.filter((user) => user.toLowerCase().endsWith(`@${realm}`)).map((user) => user.slice(0, user.lastIndexOf('@')));
    }
    case 'none': return [];
  }
}

function matching(options: readonly string[], prefix: string): string[] {
  const lower = prefix.toLowerCase();
  const seen = new Set<string>();
  const result: string[] = [];
  for (const option of [...options].sort((a, b) => a.localeCompare(b))) {
    if (!option.toLowerCase().startsWith(lower) || seen.has(option.toLowerCase())) continue;
    seen.add(option.toLowerCase());
    result.push(option);
  }
  return result;
}

/** A completion source over `data`. */
export function completionSource(data: CompletionData): CompletionSource {
  return (value, cursor) => {
    const path = data.paths ? pathStart(value) : undefined;
    if (path !== undefined && cursor >= path.at) {
      return {start: path.at, matches: pathMatches(value.slice(path.at, cursor), data.paths!, path.foldersOnly)};
    }
    const start = value.lastIndexOf(' ', cursor - 1) + 1;
    const word = value.slice(start, cursor);
    const before = value.slice(0, start).trim();
    const words = before === '' ? [] : before.split(/\s+/);
    if (words.length === 0 && word.startsWith('/') && !word.startsWith('//')) {
      return {start, matches: matching(COMMAND_WORDS, word.slice(1)).map((name) => `/${name} `)};
    }
    let kind: Kind = 'user';
    if (words[0]?.startsWith('/')) {
      const command = words[0].slice(1).toLowerCase();
      kind = ARGUMENTS[command]?.[words.length - 1] ?? 'user';
    } else if (word === '') {
      return {start, matches: []};
    }
    return {start, matches: matching(candidates(kind, data, words), word).map((match) => `${match} `)};
  };
}
