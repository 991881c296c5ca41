/**
 * The entries of the conversation list: adding one when a conversation starts (a /msg, a send, a joined group) and
 * dropping one that turned out not to exist. Every change is remembered in recent.json a moment later.
 */
import {emptyConversation, keyOf, type ConversationRef} from './conversations.js';
import type {RecentList} from './recent-list.js';
import type {StoreState} from './store-state.js';
import {TABS, type TabId} from './types.js';

export class ConversationEntries {
  constructor(private readonly state: StoreState, private readonly recent: RecentList) {}

  /** Makes sure a conversation is in the list (and a direct peer among the known users); returns its key. */
  ensure(ref: ConversationRef): string {
    const {state, recent} = this;
    const key = keyOf(ref);
    if (!state.current.conversations[key]) {
      state.set((current) => ({conversations: {...current.conversations, [key]: emptyConversation(ref)}}));
      recent.saveSoon();
    }
    if (ref.kind === 'direct') state.rememberUser(ref.name);
    return key;
  }

  /** Drops a conversation that turned out not to exist (a mistyped /msg). */
  forget(key: string): void {
    this.state.set((state) => {
      const conversations = {...state.conversations};
      delete conversations[key];
      const selected = Object.fromEntries(TABS.map((tab) => [tab, state.selected[tab] === key ? undefined : state.selected[tab]]));
      return {conversations, selected: selected as Record<TabId, string | undefined>};
    });
    this.recent.saveSoon();
  }
}
