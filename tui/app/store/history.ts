/**
 * A conversation's history from the daemon's `history` command: its newest page when it comes on screen (or after
 * a reconnect), and the page before the oldest message held on PgUp past the top. Our own messages still in flight
 * or refused are kept across reloads. Announces `session-gone` when the daemon no longer knows the session.
 */
import {EventEmitter} from 'node:events';
import {hasMore, messagesOf} from '../../../common/protocol/reply-shapes.js';
import {errorCodeOf, type Reply} from '../../../common/protocol/replies.js';
import {laterTs, mergeMessages, titleOf} from './conversations.js';
import type {ConversationEntries} from './conversation-entries.js';
import type {Connections} from './connections.js';
import type {RecentList} from './recent-list.js';
import {isConnectionProblem, isSessionGone, type RequestEvents} from './request-errors.js';
import type {SessionEpoch} from './session-epoch.js';
import type {StoreState} from './store-state.js';

/** Loads history pages into the conversations. */
export class HistoryLoader extends EventEmitter<RequestEvents> {
  constructor(
    private readonly state: StoreState,
    private readonly connections: Connections,
    private readonly epoch: SessionEpoch,
    private readonly entries: ConversationEntries,
    private readonly recent: RecentList,
    /** Messages per page. */
    private readonly pageSize: number,
  ) {
    super();
  }

  /**
   * Loads the newest page of a conversation's history (not while one is loading), or with `older` the page before
   * the oldest message held, when the daemon said there is one. A conversation the daemon does not know, still
   * empty, is dropped from the list.
   */
  async load(key: string, older = false): Promise<void> {
    const {state, epoch, connections, entries, recent} = this;
    const conversation = state.current.conversations[key];
    if (!conversation || (!older && conversation.history === 'loading')) return;
    const generation = epoch.current;
    const firstId = conversation.messages.find((message) => message.id > 0)?.id;
    if (older && (firstId === undefined || !conversation.olderAvailable)) return;
    if (!older) state.updateConversation(key, (current) => ({...current, history: 'loading'}));
    let reply: Reply;
    try {
      reply = await connections.main.history(conversation.address, this.pageSize, older ? firstId : undefined);
    } catch (error) {
      if (generation !== epoch.current) return;
      if (!older) state.updateConversation(key, (current) => ({...current, history: 'none'}));
      if (!isConnectionProblem(error)) throw error;
      return;
    }
    if (generation !== epoch.current) return;
    if (reply.status !== 'OK') {
      if (isSessionGone(reply)) {
        this.emit('session-gone');
        return;
      }
      const code = errorCodeOf(reply);
      state.setStatus(`${titleOf(conversation)}: ${reply.message}`, 'error');
      const gone = code === 'USER_NOT_FOUND' || code === 'GROUP_NOT_FOUND' || code === 'NOT_A_MEMBER';
      if (gone && (state.current.conversations[key]?.messages.length ?? 0) === 0) entries.forget(key);
      else state.updateConversation(key, (current) => ({...current, history: 'error'}));
      return;
    }
    const page = messagesOf(reply);
    const pageFirst = page[0]?.id;
    state.updateConversation(key, (current) => {
      // Our sent messages that the daemon numbered are in the page now; ones still in flight or refused stay.
      const kept = older ? current.messages : current.messages.filter((message) => message.id > 0 || message.pending || message.failed);
      const heldOlder = pageFirst !== undefined && kept.some((message) => message.id > 0 && message.id < pageFirst);
      return {
        ...current,
        messages: mergeMessages(kept, page),
        history: older ? current.history : 'loaded',
        olderAvailable: older ? hasMore(reply) : hasMore(reply) || (heldOlder && current.olderAvailable),
        lastTs: laterTs(current.lastTs, page.at(-1)?.ts),
      };
    });
    recent.saveSoon();
  }

  /** PgUp past the oldest line: fetches the page before it, when the daemon has one. */
  loadOlder(key: string): void {
    void this.load(key, true);
  }
}
