/**
 * The entries of the conversation list the user adds or removes: adding one when a conversation starts (a /msg, a
 * send, a joined group), hiding one with /close, and dropping one that turned out not to exist. The list itself
 * comes from the daemon (conversation-pages.ts).
 */
import {emptyConversation, keyOf, type ConversationRef} from './conversations.js';
import type {StoreState} from './store-state.js';
import {TABS, type TabId} from './types.js';

export class ConversationEntries {
  constructor(private readonly state: StoreState) {}

  /** Makes sure a conversation is in the list (and a direct peer among the known users); returns its key. */
  ensure(ref: ConversationRef): string {
    const state = this.state;
    const key = keyOf(ref);
    const known = state.current.conversations[key];
    if (!known) {
      state.set((current) => ({conversations: {...current.conversations, [key]: emptyConversation(ref)}}));
    } else if (known.closed) {
      state.updateConversation(key, (current) => ({...current, closed: false}));
    }
    if (ref.kind === 'direct') state.rememberUser(ref.name);
    return key;
  }

  /**
   * /close: hides a conversation from the list until a new message comes in it (for this session: the client keeps
   * no files about conversations). Returns false when there is no such conversation.
   */
  close(key: string): boolean {
    const conversation = this.state.current.conversations[key];
    if (!conversation) return false;
    if (!conversation.exists) {
      this.forget(key);
      return true;
    }
    this.state.set((state) => ({
      conversations: {...state.conversations, [key]: {...conversation, closed: true, unread: 0, mentions: 0}},
      selected: unselect(state.selected, key),
    }));
    return true;
  }

  /** Drops a conversation that turned out not to exist (a mistyped /msg). */
  forget(key: string): void {
    this.state.set((state) => {
      const conversations = {...state.conversations};
      delete conversations[key];
      return {conversations, selected: unselect(state.selected, key)};
    });
  }
}

/** The selection with `key` selected nowhere. */
function unselect(selected: Readonly<Record<TabId, string | undefined>>, key: string): Record<TabId, string | undefined> {
  return Object.fromEntries(TABS.map((tab) => [tab, selected[tab] === key ? undefined : selected[tab]])) as Record<TabId, string | undefined>;
}
