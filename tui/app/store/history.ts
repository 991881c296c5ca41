/**
 * A conversation's history from the daemon's `history` command. What a conversation holds of the daemon's messages
 * is always one unbroken stretch of its history, from some message up to the newest one fetched: the newest end is
 * brought up to date by `refresh` (when the conversation comes on screen, after a reconnect, after a message came
 * or went out), which fetches pages backwards until they reach the newest message held, and the oldest end grows
 * by one page on PgUp past the top (`loadOlder`). Messages never go in any other way, so the order in which pages,
 * live messages and our own sends arrive cannot leave a hole (issue 12, bug 1). Our own messages still in flight,
 * refused, or sent but not yet fetched back stay at their place until a page holds them.
 * Announces `session-gone` when the daemon no longer knows the session.
 */
import {EventEmitter} from 'node:events';
import {hasMore, messagesOf, type ChatMessage} from '../../../common/protocol/reply-shapes.js';
import {errorCodeOf, type Reply} from '../../../common/protocol/replies.js';
import {explainRefusal} from '../../shared/refusals.js';
import {laterId, laterTs, mergeMessages, titleOf} from './conversations.js';
import type {ConversationEntries} from './conversation-entries.js';
import type {Connections} from './connections.js';
import {isConnectionProblem, isSessionGone, type RequestEvents} from './request-errors.js';
import type {SessionEpoch} from './session-epoch.js';
import type {StoreState} from './store-state.js';
import type {ConversationView, DisplayMessage} from './types.js';

/** At most this many pages are fetched to reach the newest message held; past it the held stretch is replaced. */
const MAX_CATCH_UP_PAGES = 20;
/** At most this many older pages are fetched to bring a message into the held stretch (a marker, a search result). */
const MAX_REVEAL_PAGES = 20;
/** Messages per older page when reaching back for a message. */
const REVEAL_PAGE = 200;

/** The daemon's messages a conversation holds (positive ids), oldest first. */
const daemonMessages = (conversation: ConversationView) => conversation.messages.filter((message) => message.id > 0);

/** Loads history pages into the conversations. */
export class HistoryLoader extends EventEmitter<RequestEvents> {
  /** The refresh running per conversation key, and the keys that need one more when it ends. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();

  constructor(
    private readonly state: StoreState,
    private readonly connections: Connections,
    private readonly epoch: SessionEpoch,
    private readonly entries: ConversationEntries,
    /** Messages per page. */
    private readonly pageSize: number,
  ) {
    super();
  }

  /**
   * Brings the newest end of a conversation up to date with the daemon. One refresh runs per conversation at a
   * time; asked again meanwhile, it runs once more when the current one ends (so a message that came during a
   * fetch is never missed). Resolves when the conversation is up to date (or the fetch failed).
   */
  refresh(key: string): Promise<void> {
    const running = this.#running.get(key);
    if (running) {
      this.#again.add(key);
      return running;
    }
    const run = (async () => {
      do {
        this.#again.delete(key);
        await this.#fetchNewest(key);
      } while (this.#again.has(key));
    })().finally(() => this.#running.delete(key));
    this.#running.set(key, run);
    return run;
  }

  /** The newest page when a conversation comes on screen (the same as `refresh`). */
  load(key: string): Promise<void> {
    return this.refresh(key);
  }

  /** PgUp past the oldest line: fetches the page before it, when the daemon has one. */
  loadOlder(key: string): void {
    void this.#fetchOlder(key, this.pageSize);
  }

  /**
   * Makes the held stretch reach back to message `id` (a read marker, a search result): brings the newest end up to
   * date, then adds older pages until the oldest message held is `id` or before it, or the daemon has no older ones.
   * The stretch stays unbroken up to the newest message. Gives up after a bounded number of pages.
   */
  async reveal(key: string, id: number): Promise<void> {
    const conversation = this.state.current.conversations[key];
    if (!conversation) return;
    if (conversation.history !== 'loaded') await this.refresh(key);
    for (let page = 0; page < MAX_REVEAL_PAGES; page++) {
      const current = this.state.current.conversations[key];
      const oldest = current ? daemonMessages(current)[0]?.id : undefined;
      if (!current || current.history !== 'loaded' || oldest === undefined || oldest <= id || !current.olderAvailable) return;
      if (!(await this.#fetchOlder(key, Math.max(this.pageSize, REVEAL_PAGE)))) return;
    }
  }

  /**
   * Fetches the newest page, and pages before it until one reaches the newest message held; then the held stretch
   * and the fetched pages are one stretch. A conversation with nothing held (or too far behind) takes the fetched
   * pages as its stretch.
   */
  async #fetchNewest(key: string): Promise<void> {
    const {state, epoch} = this;
    const start = state.current.conversations[key];
    if (!start) return;
    const generation = epoch.current;
    const newestHeld = daemonMessages(start).at(-1)?.id;
    if (start.history !== 'loaded') state.updateConversation(key, (current) => ({...current, history: 'loading'}));
    let pages: ChatMessage[] = [];
    let more = false;
    let before: number | undefined;
    for (let fetched = 0; fetched < MAX_CATCH_UP_PAGES; fetched++) {
      const reply = await this.#request(key, before);
      if (reply === undefined) return;
      const page = messagesOf(reply);
      pages = [...page, ...pages];
      more = hasMore(reply);
      const first = page[0]?.id;
      if (newestHeld === undefined || first === undefined || first <= newestHeld || !more) break;
      before = first;
    }
    if (generation !== epoch.current) return;
    const reached = newestHeld !== undefined && pages.length > 0 && pages[0]!.id <= newestHeld;
    const ids = new Set(pages.map((message) => message.id));
    state.updateConversation(key, (current) => {
      const held = reached ? daemonMessages(current) : [];
      const local = current.messages.filter((message) => message.id <= 0 && !(message.sentId !== undefined && ids.has(message.sentId)));
      return {
        ...current,
        messages: mergeMessages([...held, ...local], pages),
        history: 'loaded',
        exists: true,
        olderAvailable: reached ? current.olderAvailable : more,
        lastTs: laterTs(current.lastTs, pages.at(-1)?.ts),
        lastId: laterId(current.lastId, pages.at(-1)?.id),
      };
    });
  }

  /**
   * Fetches the page (of `limit` messages) before the oldest message held and puts it in front, if the stretch still
   * starts there. True when it did.
   */
  async #fetchOlder(key: string, limit: number): Promise<boolean> {
    const conversation = this.state.current.conversations[key];
    const firstId = conversation ? daemonMessages(conversation)[0]?.id : undefined;
    if (!conversation || firstId === undefined || !conversation.olderAvailable) return false;
    const generation = this.epoch.current;
    const reply = await this.#request(key, firstId, limit);
    if (reply === undefined || generation !== this.epoch.current) return false;
    const page = messagesOf(reply);
    let added = false;
    this.state.updateConversation(key, (current) => {
      if (daemonMessages(current)[0]?.id !== firstId) return current;
      added = true;
      return {...current, messages: mergeMessages(current.messages, page), olderAvailable: hasMore(reply)};
    });
    return added;
  }

  /**
   * One history request for a conversation; undefined when there is no OK reply to use (connection problem, the
   * session changed or ended, a refusal: said in the status line; a conversation that does not exist is dropped).
   */
  async #request(key: string, before: number | undefined, limit = this.pageSize): Promise<Reply | undefined> {
    const {state, epoch, connections} = this;
    const conversation = state.current.conversations[key];
    if (!conversation) return undefined;
    const generation = epoch.current;
    const settle = (history: ConversationView['history']) =>
      state.updateConversation(key, (current) => (current.history === 'loading' ? {...current, history} : current));
    let reply: Reply;
    try {
      reply = await connections.main.history(conversation.address, limit, before);
    } catch (error) {
      if (generation !== epoch.current) return undefined;
      settle('none');
      if (!isConnectionProblem(error)) throw error;
      return undefined;
    }
    if (generation !== epoch.current) return undefined;
    if (reply.status === 'OK') return reply;
    if (isSessionGone(reply)) {
      this.emit('session-gone');
      return undefined;
    }
    const code = errorCodeOf(reply);
    state.setStatus(`${titleOf(conversation)}: ${explainRefusal(reply)}`, 'error', key);
    const gone = code === 'USER_NOT_FOUND' || code === 'GROUP_NOT_FOUND' || code === 'NOT_A_MEMBER' || code === 'REALM_NOT_FOUND';
    const current = state.current.conversations[key];
    if (gone && current && !current.exists) this.entries.forget(key);
    else settle('error');
    return undefined;
  }
}

/** Our sent copy once the daemon numbered it: shown where it was typed until a history page holds the daemon's copy. */
export function sentCopy(message: DisplayMessage, id: number | undefined): DisplayMessage {
  return {...message, pending: false, ...(id === undefined ? {} : {sentId: id})};
}
