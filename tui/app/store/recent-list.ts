/**
 * Keeps recent.json in step with the conversation list: restores the list when a session starts, and saves it
 * (addresses and last activity times, never text) a moment after it changes and when the session ends. The file
 * itself is recent-storage.ts.
 */
import {formatServerAddress, type ServerAddress} from '../../../common/client/address.js';
import {emptyConversation, keyOf, type ConversationRef} from './conversations.js';
import type {RecentEntry, RecentStorage} from './recent-storage.js';
import type {StoreState} from './store-state.js';
import type {ConversationView} from './types.js';

/** The remembered conversation list of the logged-in user on this daemon. */
export class RecentList {
  readonly #state: StoreState;
  readonly #storage: RecentStorage | null;
  readonly #server: () => ServerAddress;
  #timer: NodeJS.Timeout | undefined;

  /** `storage` null: nothing is remembered; `server`: the daemon the list is kept for (it may change at login). */
  constructor(state: StoreState, storage: RecentStorage | null, server: () => ServerAddress) {
    this.#state = state;
    this.#storage = storage;
    this.#server = server;
  }

  /** The remembered conversations of `me` (nothing loaded yet) and the users known from them, `me` first. */
  restore(me: string): {conversations: Record<string, ConversationView>; knownUsers: string[]} {
    const conversations: Record<string, ConversationView> = {};
    const knownUsers = new Set<string>([me]);
    for (const entry of this.#storage?.load(this.#account(me)) ?? []) {
      const ref: ConversationRef = entry.kind === 'direct' || entry.kind === 'group' ? {kind: entry.kind, name: entry.name}
        : {kind: entry.kind, name: entry.name, realm: entry.realm ?? '?'};
      conversations[keyOf(ref)] = {...emptyConversation(ref, true), lastTs: entry.lastTs, closed: entry.closed === true};
      if (entry.kind === 'direct') knownUsers.add(entry.name);
    }
    return {conversations, knownUsers: [...knownUsers]};
  }

  /** Saves the list about a second from now (changes in between are saved together). */
  saveSoon(): void {
    if (!this.#storage || this.#timer) return;
    this.#timer = setTimeout(() => this.flush(), 1000);
    this.#timer.unref();
  }

  /**
   * Saves the list now, if logged in: the conversations the daemon knows (groups only once they had a message or were
   * closed: the daemon lists the groups one is in).
   */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const state = this.#state.current;
    const me = state.me;
    if (!this.#storage || me === undefined || state.screen !== 'main') return;
    const entries: RecentEntry[] = Object.values(state.conversations)
      .filter((conversation) => conversation.exists && (conversation.kind !== 'group' || conversation.lastTs !== undefined || conversation.closed))
      .sort((a, b) => (b.lastTs ?? '').localeCompare(a.lastTs ?? ''))
      .map((conversation) => ({
        kind: conversation.kind, name: conversation.name,
        ...(conversation.realm === undefined ? {} : {realm: conversation.realm}),
        ...(conversation.lastTs === undefined ? {} : {lastTs: conversation.lastTs}),
        ...(conversation.closed ? {closed: true} : {}),
      }));
    this.#storage.save(this.#account(me), entries);
  }

  /** The account the list is kept under: `host:port user`. */
  #account(me: string): string {
    return `${formatServerAddress(this.#server())} ${me}`;
  }
}
