/**
 * Tab completion: command names after `/`, and usernames, group names and realm names where a command expects
 * them (`/msg bo` → `/msg bob `, `/join de` → `/join devs `); in plain text, usernames (nick completion).
 */
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
