/**
 * Which conversations are listed and which one is on screen: the tabs, ↑/↓ in the list (reading the daemon's next
 * page of conversations near its end), Alt+A (landing on the `── new ──` line), selecting a conversation (notes
 * where its unread part starts, clears its unread count, loads its history) and the help overlay that covers it.
 * Announces `tab-changed` when another tab comes on screen.
 */
import {EventEmitter} from 'node:events';
import {conversationsOfTab, nextUnread, tabOf} from './conversations.js';
import type {ConversationEntries} from './conversation-entries.js';
import type {ConversationPages} from './conversation-pages.js';
import type {HistoryLoader} from './history.js';
import type {StoreState} from './store-state.js';
import type {HistoryFocus, TabId} from './types.js';
import {TABS} from './types.js';

/** ↑/↓ this close to the end of a list reads the daemon's next page of conversations. */
const NEAR_END = 5;

/** What Selection announces. */
export interface SelectionEvents {
  /** Another tab is on screen. */
  'tab-changed': [TabId];
}

/** The tab and the selected conversation of each tab. */
export class Selection extends EventEmitter<SelectionEvents> {
  /** Numbers the focus requests, so the history pane acts on each once. */
  #focusSeq = 0;

  constructor(
    private readonly state: StoreState,
    private readonly history: HistoryLoader,
    private readonly entries: ConversationEntries,
    private readonly pages: ConversationPages,
  ) {
    super();
  }

  /** Shows a tab (Alt+1/2/3) with its selected conversation, or its first one when none is selected. */
  selectTab(tab: TabId): void {
    const state = this.state;
    if (state.current.screen !== 'main') return;
    const changed = tab !== state.current.tab;
    const before = state.visibleKey();
    state.set({tab});
    if (!this.selectFirstIfNone(tab)) {
      const key = state.current.selected[tab];
      if (key) this.#show(key, key !== before);
    }
    this.#left(before);
    if (changed) this.emit('tab-changed', tab);
  }

  /** Ctrl+N / Ctrl+P: the next or previous tab, round the end. */
  cycleTab(delta: 1 | -1): void {
    const index = TABS.indexOf(this.state.current.tab);
    this.selectTab(TABS[(index + delta + TABS.length) % TABS.length]!);
  }

  /** ↑/↓ in the conversation list of the current tab. */
  moveSelection(delta: 1 | -1): void {
    const state = this.state.current;
    const list = conversationsOfTab(state, state.tab);
    if (list.length === 0) return;
    const index = list.findIndex((conversation) => conversation.key === state.selected[state.tab]);
    const next = index === -1 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + delta));
    this.select(list[next]!.key);
    if (delta > 0 && next >= list.length - NEAR_END) void this.pages.loadMore();
  }

  /** Shows a conversation: switches to its tab, selects it, clears its unread count, loads its history. */
  select(key: string): void {
    const state = this.state;
    const conversation = state.current.conversations[key];
    if (!conversation) return;
    const tab = tabOf(conversation.kind);
    const changed = tab !== state.current.tab;
    const before = state.visibleKey();
    state.set((current) => ({tab, selected: {...current.selected, [tab]: key}}));
    this.#show(key, key !== before);
    this.#left(before);
    if (changed) this.emit('tab-changed', tab);
  }

  /** Alt+A: the next conversation with unread messages, shown from its `── new ──` line. */
  jumpToUnread(): void {
    const next = nextUnread(this.state.current);
    if (!next) {
      this.state.setStatus('No unread messages');
      return;
    }
    this.select(next.key);
    const markerAfter = this.state.current.conversations[next.key]?.markerAfter;
    if (markerAfter !== undefined) this.focus(next.key, {kind: 'marker', id: markerAfter});
  }

  /** Asks the history pane to bring a place of conversation `key` into view, and loads back to it. */
  focus(key: string, place: Omit<HistoryFocus, 'seq'>): void {
    const focus: HistoryFocus = {...place, seq: ++this.#focusSeq};
    this.state.updateConversation(key, (current) => ({...current, focus}));
    void this.history.reveal(key, place.id);
  }

  /** Selects the first conversation of a tab that has none selected; true when it did. */
  selectFirstIfNone(tab: TabId): boolean {
    const state = this.state.current;
    if (state.selected[tab] && state.conversations[state.selected[tab]!]) return false;
    const first = conversationsOfTab(state, tab)[0];
    if (!first) return false;
    this.state.set((current) => ({selected: {...current.selected, [tab]: first.key}}));
    if (state.tab === tab) this.#show(first.key, true);
    return true;
  }

  /** Opens the help overlay. */
  openHelp(): void {
    this.state.set({helpOpen: true});
  }

  /** Closes the help overlay; the conversation under it counts as shown again. */
  closeHelp(): void {
    const state = this.state;
    if (!state.current.helpOpen) return;
    state.set({helpOpen: false});
    const key = state.visibleKey();
    if (key) this.#show(key, false);
  }

  /**
   * A conversation came on screen: `fresh` (it was not on screen just before) notes where its unread part starts (the
   * `── new ──` line); its unread count goes (the daemon's goes once its bottom is on screen), its history loads if
   * not held.
   */
  #show(key: string, fresh: boolean): void {
    const state = this.state;
    const conversation = state.current.conversations[key];
    if (!conversation) return;
    if (fresh) {
      const markerAfter = conversation.unread > 0 ? conversation.seen : undefined;
      state.updateConversation(key, ({markerAfter: _old, focus: _focus, ...current}) => ({...current, ...(markerAfter === undefined ? {} : {markerAfter})}));
    }
    if (conversation.unread > 0 || conversation.mentions > 0) state.updateConversation(key, (current) => ({...current, unread: 0, mentions: 0}));
    if (conversation.history === 'none' || conversation.history === 'error') void this.history.load(key);
  }

  /**
   * What is on screen may have changed from `before`: a status line about another conversation goes (issue 12,
   * point 4), and a conversation the daemon does not know (a mistyped /msg) is dropped once it leaves the screen.
   */
  #left(before: string | undefined): void {
    const state = this.state;
    const now = state.visibleKey();
    const about = state.current.status?.about;
    if (about !== undefined && about !== now) state.set({status: undefined});
    if (before === undefined || before === now) return;
    const conversation = state.current.conversations[before];
    if (conversation && !conversation.exists && !conversation.messages.some((message) => message.pending)) this.entries.forget(before);
  }
}
