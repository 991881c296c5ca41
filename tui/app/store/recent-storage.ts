/**
 * The conversation list survives restarts: the daemon keeps every message (history), but has no command that lists
 * whom one talked to. So the client remembers the addresses and last activity of its conversations, per daemon and
 * user, in `recent.json` beside config.json (mode 0600, written through conf like the session). Only addresses and
 * times are stored, never message text.
 */
import {dirname} from 'node:path';
import Conf from 'conf';
import type {ConversationKind} from './types.js';

/** One remembered conversation. */
export interface RecentEntry {
  kind: ConversationKind;
  name: string;
  realm?: string;
  lastTs?: string;
  /** Hidden with /close until a new message comes in it. */
  closed?: boolean;
}

interface RecentFile {
  /** Keyed by `host:port user` (lower case). */
  accounts: Record<string, RecentEntry[]>;
}

/** Most conversations remembered per account. */
const MAX_ENTRIES = 200;

/** Where the list is kept; `null` keeps nothing (tests, or a config folder we cannot write). */
export interface RecentStorage {
  load(account: string): RecentEntry[];
  save(account: string, entries: readonly RecentEntry[]): void;
}

/** A RecentStorage in `recent.json` next to config.json. Never throws: a broken file is ignored and rewritten. */
export function fileRecentStorage(configPath: string): RecentStorage {
  let conf: Conf<RecentFile> | undefined;
  const open = () => {
    if (conf) return conf;
    try {
      conf = new Conf<RecentFile>({
        projectName: 'realmchat', projectSuffix: '', configName: 'recent', cwd: dirname(configPath),
        configFileMode: 0o600, clearInvalidConfig: true,
      });
    } catch {
      conf = undefined;
    }
    return conf;
  };
  return {
    load(account) {
      try {
        const list = open()?.get('accounts')?.[account.toLowerCase()];
        return Array.isArray(list) ? list.filter(isEntry) : [];
      } catch {
        return [];
      }
    },
    save(account, entries) {
      try {
        const store = open();
        if (!store) return;
        const accounts = {...(store.get('accounts') ?? {})};
        accounts[account.toLowerCase()] = entries.slice(0, MAX_ENTRIES).map((entry) => ({...entry}));
        store.set('accounts', accounts);
      } catch {
        // Remembering the list is a convenience; a read-only config folder must not break chatting.
      }
    },
  };
}

const KINDS: readonly string[] = ['direct', 'group', 'remote-user', 'remote-group'];

function isEntry(value: unknown): value is RecentEntry {
  const entry = value as Partial<RecentEntry> | null;
  return typeof entry === 'object' && entry !== null && typeof entry.name === 'string' && KINDS.includes(String(entry.kind)) &&
    (entry.realm === undefined || typeof entry.realm === 'string') && (entry.lastTs === undefined || typeof entry.lastTs === 'string');
}
