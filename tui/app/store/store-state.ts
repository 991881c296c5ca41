/**
 * The store's snapshot and its subscribers: the one place ChatState is replaced, plus the small updates every part
 * of the store makes (the login form, the status line, one conversation, the known users) and which conversation is
 * on screen.
 */
import {DEFAULT_SETTINGS, type Settings} from '../../shared/settings.js';
import type {ChatState, ConversationView, LoginView, StatusMessage, TabId} from './types.js';

/** No conversation selected in any tab. */
export const EMPTY_SELECTION: Readonly<Record<TabId, string | undefined>> = {inbox: undefined, groups: undefined, realms: undefined};

/** The state before anything happened: the login screen for `server` (`host:port`), `username` filled in. */
export function initialChatState(server: string, username: string, settings: Partial<Settings> = {}): ChatState {
  const {bell, notify, time, color, mouse} = {...DEFAULT_SETTINGS, ...settings};
  return {
    screen: 'login', server,
    login: {mode: 'login', server, username, notice: undefined, error: undefined, busy: false},
    me: undefined, realm: undefined, connection: {kind: 'connecting'}, tab: 'inbox', conversations: {}, moreConversations: false, search: undefined,
    selected: EMPTY_SELECTION, groups: [], realmLinks: [], knownUsers: [], status: undefined, helpOpen: false,
    bell, notifications: notify, timeFormat: time, color, mouse, quit: false,
  };
}

/** Holds the current ChatState (immutable, replaced on every change) and tells the subscribers about each change. */
export class StoreState {
  #state: ChatState;
  readonly #listeners = new Set<() => void>();

  constructor(initial: ChatState) {
    this.#state = initial;
  }

  /** The current snapshot (a new object after every change). */
  get current(): ChatState {
    return this.#state;
  }

  /** Subscribes to changes; returns the unsubscribe function (useSyncExternalStore's contract). */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Merges a patch (or one computed from the current state) into a new snapshot and notifies the subscribers. */
  set(patch: Partial<ChatState> | ((state: ChatState) => Partial<ChatState>)): void {
    const next = typeof patch === 'function' ? patch(this.#state) : patch;
    this.#state = {...this.#state, ...next};
    for (const listener of [...this.#listeners]) listener();
  }

  /** Updates the login screen's part of the state. */
  setLogin(patch: Partial<LoginView>): void {
    this.set((state) => ({login: {...state.login, ...patch}}));
  }

  /** Shows one line in the status line; `about`: the conversation key it is about (it goes when that leaves the screen). */
  setStatus(text: string, tone: StatusMessage['tone'] = 'info', about?: string): void {
    this.set({status: {text, tone, ...(about === undefined ? {} : {about})}});
  }

  /** Replaces one conversation with `update(conversation)`; nothing when there is no such conversation. */
  updateConversation(key: string, update: (conversation: ConversationView) => ConversationView): void {
    this.set((state) => {
      const conversation = state.conversations[key];
      return conversation ? {conversations: {...state.conversations, [key]: update(conversation)}} : {};
    });
  }

  /** Adds a username to the known users (for completion) unless it is there already, in any case. */
  rememberUser(username: string): void {
    if (this.#state.knownUsers.some((user) => user.toLowerCase() === username.toLowerCase())) return;
    this.set((state) => ({knownUsers: [...state.knownUsers, username]}));
  }

  /** The key of the conversation on screen, if any. */
  visibleKey(): string | undefined {
    const state = this.#state;
    if (state.screen !== 'main') return undefined;
    return state.selected[state.tab];
  }
}
