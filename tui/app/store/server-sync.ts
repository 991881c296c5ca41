/**
 * Keeps the store in step with the daemon: the catch-up after login and after every reconnect (session check,
 * profile, groups, realms, the conversation list, the conversation on screen), reloading the groups and realms
 * lists, re-reading the conversation list when a tab comes on screen, and refreshing the realm links every few
 * seconds while the Realms tab is shown. Announces `session-gone` when the daemon no longer
 * knows the session.
 */
import {EventEmitter} from 'node:events';
import {groupsOf, realmsOf, userOf} from '../../../common/protocol/reply-shapes.js';
import type {Reply} from '../../../common/protocol/replies.js';
import {emptyConversation, keyOf, type ConversationRef} from './conversations.js';
import type {Connections} from './connections.js';
import type {ConversationPages} from './conversation-pages.js';
import type {HistoryLoader} from './history.js';
import {isSessionGone, type RequestEvents} from './request-errors.js';
import type {Selection} from './selection.js';
import type {SessionEpoch} from './session-epoch.js';
import type {StoreState} from './store-state.js';
import type {TabId} from './types.js';

/** The daemon's lists (groups, realm links) and the catch-up. */
export class ServerSync extends EventEmitter<RequestEvents> {
  #realmsTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: StoreState,
    private readonly connections: Connections,
    private readonly epoch: SessionEpoch,
    private readonly history: HistoryLoader,
    private readonly selection: Selection,
    private readonly pages: ConversationPages,
    /** How often the Realms tab refreshes link states while shown, in ms. */
    private readonly realmsRefreshMs: number,
  ) {
    super();
  }

  /** After login and after every reconnect: checks the session, reloads groups and realms and the shown conversation. */
  async refresh(): Promise<void> {
    const {epoch, connections, state, history} = this;
    const generation = epoch.current;
    const main = connections.main;
    const results = await Promise.allSettled([main.info(), main.groups(), main.realms()]);
    if (generation !== epoch.current) return;
    const [info, groups, realms] = results.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    if ([info, groups, realms].some((reply) => reply !== undefined && isSessionGone(reply))) {
      this.emit('session-gone');
      return;
    }
    if (info?.status === 'OK') {
      const profile = userOf(info);
      if (profile) state.set({me: profile.username, realm: profile.realm ?? state.current.realm});
    }
    if (groups?.status === 'OK') this.applyGroups(groups);
    if (realms?.status === 'OK') this.applyRealms(realms);
    // Conversations not on screen are reloaded when next shown; the one on screen now.
    state.set((current) => ({
      conversations: Object.fromEntries(Object.entries(current.conversations).map(([key, conversation]) =>
        [key, conversation.history === 'loaded' ? {...conversation, history: 'none' as const} : conversation])),
    }));
    const visible = state.visibleKey();
    if (visible) void history.load(visible);
    // Nothing comes on screen by itself: unread conversations wait for Alt+A or a choice (shown from `── new ──`).
    await this.pages.reload();
  }

  /** Takes an OK `groups` reply: the groups list, and a conversation for every group one is a member of. */
  applyGroups(reply: Reply): void {
    const {state, selection} = this;
    const groups = groupsOf(reply);
    state.set((current) => {
      const conversations = {...current.conversations};
      for (const group of groups.filter((entry) => entry.member)) {
        const ref: ConversationRef = {kind: 'group', name: group.name};
        const known = conversations[keyOf(ref)];
        conversations[keyOf(ref)] = known ? (known.exists ? known : {...known, exists: true}) : emptyConversation(ref, true);
      }
      return {groups, conversations};
    });
    // Someone looking at an empty Groups tab gets the first group; other tabs keep their selection.
    if (state.current.tab === 'groups') selection.selectFirstIfNone('groups');
  }

  /** Takes an OK `realms` reply: the realm links, and our own realm's name. */
  applyRealms(reply: Reply): void {
    const {realm, links} = realmsOf(reply);
    this.state.set((state) => ({realmLinks: links, realm: realm ?? state.realm}));
  }

  /** Reloads the groups list (quietly: on failure it is reloaded after the next reconnect). */
  reloadGroups(): Promise<void> {
    return this.#reload(() => this.connections.main.groups(), (reply) => this.applyGroups(reply));
  }

  /** Reloads the realm links (quietly: on failure they are reloaded after the next reconnect). */
  reloadRealms(): Promise<void> {
    return this.#reload(() => this.connections.main.realms(), (reply) => this.applyRealms(reply));
  }

  /**
   * Another tab came on screen: the conversation list is read again. The Realms tab shows link states: refreshed on
   * arrival and every few seconds while shown.
   */
  tabChanged(tab: TabId): void {
    // What another client of ours read meanwhile shows as read here too.
    if (this.connections.main.state.state === 'connected') void this.pages.reload();
    if (tab === 'realms') {
      void this.reloadRealms();
      this.#startRealmsTimer();
    } else {
      this.stopRealmsTimer();
    }
  }

  /** Stops refreshing the realm links. */
  stopRealmsTimer(): void {
    clearInterval(this.#realmsTimer);
    this.#realmsTimer = undefined;
  }

  #startRealmsTimer(): void {
    if (this.#realmsTimer) return;
    this.#realmsTimer = setInterval(() => {
      if (this.connections.main.state.state === 'connected') void this.reloadRealms();
    }, this.realmsRefreshMs);
    this.#realmsTimer.unref();
  }

  /** Fetches a list and applies an OK reply, unless the session changed meanwhile. */
  async #reload(fetch: () => Promise<Reply>, apply: (reply: Reply) => void): Promise<void> {
    const epoch = this.epoch;
    const generation = epoch.current;
    try {
      const reply = await fetch();
      if (generation === epoch.current && reply.status === 'OK') apply(reply);
    } catch {
      // Refreshed again after the next reconnect.
    }
  }
}
