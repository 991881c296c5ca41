/**
 * The conversation list as the daemon keeps it (issue 12, point 7): the `conversations` command's pages, newest
 * first, each with its last message, unread and mention counts and our read marker. The first page is read after
 * login and every reconnect and whenever a tab comes on screen (so two clients of one user agree), further pages as
 * the list scrolls towards its end. The daemon's counts win, except for the conversation on screen (never unread)
 * and for messages the long poll brought after the daemon counted. Announces `session-gone` when the daemon no
 * longer knows the session.
 */
import {EventEmitter} from 'node:events';
import {conversationsOf, hasMore, type ConversationSummary} from '../../../common/protocol/reply-shapes.js';
import type {Connections} from './connections.js';
import {emptyConversation, keyOf, laterId, laterTs, parseAddress} from './conversations.js';
import {isSessionGone, type RequestEvents} from './request-errors.js';
import type {SessionEpoch} from './session-epoch.js';
import type {StoreState} from './store-state.js';
import type {ChatState, ConversationView} from './types.js';

/** The most conversations the daemon lists in one page. */
const MAX_PAGE = 500;

/** Reads the conversation list from the daemon. */
export class ConversationPages extends EventEmitter<RequestEvents> {
  /** Conversations the pages read so far held (a reload reads that many again, so the counts of all stay true). */
  #read = 0;
  /** The last entry's `last.id` of the last page read: where the next page starts. */
  #before: number | undefined;
  #loadingMore = false;

  constructor(
    private readonly state: StoreState,
    private readonly connections: Connections,
    private readonly epoch: SessionEpoch,
    /** Conversations per page. */
    private readonly pageSize: number,
  ) {
    super();
  }

  /** Re-reads the list from its top: as many conversations as read so far, at least a page. */
  async reload(): Promise<void> {
    const limit = Math.min(MAX_PAGE, Math.max(this.pageSize, this.#read));
    const page = await this.#fetch(limit, undefined);
    if (page) this.#take(page, true);
  }

  /** The next page, when the daemon has more (the list was scrolled near its end). */
  async loadMore(): Promise<void> {
    if (!this.state.current.moreConversations || this.#loadingMore || this.#before === undefined) return;
    this.#loadingMore = true;
    try {
      const page = await this.#fetch(this.pageSize, this.#before);
      if (page) this.#take(page, false);
    } finally {
      this.#loadingMore = false;
    }
  }

  /** Forgets the pages read (a new session). */
  reset(): void {
    this.#read = 0;
    this.#before = undefined;
    this.#loadingMore = false;
  }

  /** One page; undefined when there is nothing to use (offline, a refusal, the session changed or ended). */
  async #fetch(limit: number, before: number | undefined): Promise<{list: ConversationSummary[]; more: boolean} | undefined> {
    const {epoch, connections} = this;
    const generation = epoch.current;
    let reply;
    try {
      reply = await connections.main.conversations(limit, before);
    } catch {
      // Offline: read again after the next reconnect.
      return undefined;
    }
    if (generation !== epoch.current || this.state.current.screen !== 'main') return undefined;
    if (reply.status !== 'OK') {
      if (isSessionGone(reply)) this.emit('session-gone');
      return undefined;
    }
    return {list: conversationsOf(reply), more: hasMore(reply)};
  }

  #take(page: {list: ConversationSummary[]; more: boolean}, fromTop: boolean): void {
    const {list, more} = page;
    this.#read = fromTop ? list.length : this.#read + list.length;
    const last = list.at(-1)?.last?.id;
    this.#before = more && last !== undefined ? last : undefined;
    this.state.set((current) => applyConversations(current, list, this.#before !== undefined, this.state.visibleKey()));
  }
}

/** The state with a page of the daemon's conversations merged in; `visible`: the conversation on screen. */
export function applyConversations(
  state: ChatState, list: readonly ConversationSummary[], more: boolean, visible: string | undefined,
): Pick<ChatState, 'conversations' | 'knownUsers' | 'moreConversations'> {
  const conversations = {...state.conversations};
  const users = new Set(state.knownUsers);
  for (const summary of list) {
    const ref = parseAddress(summary.conversation, state.realm);
    if (!ref) continue;
    const key = keyOf(ref);
    conversations[key] = merged(conversations[key] ?? emptyConversation(ref, true), summary, key === visible);
    if (ref.kind === 'direct') users.add(ref.name);
  }
  return {conversations, knownUsers: [...users], moreConversations: more};
}

/** One conversation after the daemon's summary of it. */
function merged(known: ConversationView, summary: ConversationSummary, onScreen: boolean): ConversationView {
  const lastId = summary.last?.id;
  const newer = lastId !== undefined && (known.lastId === undefined || lastId > known.lastId);
  // The long poll brought messages after the daemon counted: keep the higher count until the next read.
  const behind = known.lastId !== undefined && (lastId === undefined || lastId < known.lastId);
  const keepCounts = onScreen || (known.closed && !newer);
  const count = (ours: number, theirs: number) => (keepCounts ? (onScreen ? 0 : ours) : behind ? Math.max(ours, theirs) : theirs);
  return {
    ...known,
    exists: true,
    closed: known.closed && !newer,
    lastId: laterId(known.lastId, lastId),
    ...(lastId === undefined && known.countedTo === undefined ? {} : {countedTo: laterId(known.countedTo, lastId)!}),
    lastTs: laterTs(known.lastTs, summary.last?.ts),
    seen: Math.max(known.seen ?? 0, summary.seen),
    unread: count(known.unread, summary.unread),
    mentions: count(known.mentions, summary.mentions),
  };
}
