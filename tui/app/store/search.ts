/**
 * `/search WORDS [in CONVERSATION]` (issue 12, point 10): asks the daemon's `search` (words joined with `+`), shows
 * the results over the conversation area (↑/↓ choose, Enter jumps, Esc closes), and jumps to a result: its
 * conversation comes on screen with its history reaching back to the message, which the history pane brings into
 * view and highlights. Announces `session-gone` when the daemon no longer knows the session.
 */
import {EventEmitter} from 'node:events';
import {errorCodeOf} from '../../../common/protocol/replies.js';
import {hasMore, searchResultsOf} from '../../../common/protocol/reply-shapes.js';
import {searchWordsOf} from '../../../common/protocol/request.js';
import {explainRefusal} from '../../shared/refusals.js';
import type {ConversationEntries} from './conversation-entries.js';
import type {Connections} from './connections.js';
import {addressOf, keyOf, parseAddress} from './conversations.js';
import {describeConnectionError, isConnectionProblem, isSessionGone, type RequestEvents} from './request-errors.js';
import type {Selection} from './selection.js';
import type {SessionEpoch} from './session-epoch.js';
import type {StoreState} from './store-state.js';
import type {SearchView} from './types.js';

/** Results asked per search. */
const RESULTS = 50;

/** Runs searches and jumps to their results. */
export class Search extends EventEmitter<RequestEvents> {
  constructor(
    private readonly state: StoreState,
    private readonly connections: Connections,
    private readonly epoch: SessionEpoch,
    private readonly entries: ConversationEntries,
    private readonly selection: Selection,
  ) {
    super();
  }

  /** Searches `text` in conversation `target` as typed (`bob`, `#devs`, `carol@beta`), or everywhere. */
  async run(text: string, target: string | undefined): Promise<void> {
    const {state, epoch} = this;
    const words = searchWordsOf(text) ?? [];
    if (words.length === 0) {
      state.setStatus('usage: /search WORDS [in CONVERSATION] (letters or digits to look for)', 'error');
      return;
    }
    let conversation: string | undefined;
    if (target !== undefined) {
      const ref = parseAddress(target, state.current.realm);
      if (!ref) {
        state.setStatus(`/search: "${target}" is not a user (bob), a remote user (carol@beta) or a group (#devs)`, 'error');
        return;
      }
      conversation = addressOf(ref);
    }
    const view: SearchView = {words: words.join(' '), conversation, state: 'loading', results: [], more: false, selected: 0};
    state.set({search: view, helpOpen: false});
    const generation = epoch.current;
    let reply;
    try {
      // The daemon answers a search that reads far back in parts: the client goes on until the page is full.
      reply = await this.connections.main.searchThrough(words, {...(conversation === undefined ? {} : {conversation}), limit: RESULTS});
    } catch (error) {
      if (generation !== epoch.current) return;
      if (!isConnectionProblem(error)) throw error;
      this.#settle(view, {state: 'error'});
      state.setStatus(`/search: ${describeConnectionError(error, state.current.server)}`, 'error');
      return;
    }
    if (generation !== epoch.current) return;
    if (reply.status !== 'OK') {
      if (isSessionGone(reply)) {
        this.emit('session-gone');
        return;
      }
      this.#settle(view, {state: 'error'});
      const code = errorCodeOf(reply);
      state.setStatus(`/search${code === 'BAD_PARAMETER' ? ' (letters or digits to look for)' : ''}: ${explainRefusal(reply)}`, 'error');
      return;
    }
    this.#settle(view, {state: 'done', results: searchResultsOf(reply), more: hasMore(reply)});
  }

  /** ↑/↓ in the results. */
  move(delta: number): void {
    const search = this.state.current.search;
    if (!search || search.results.length === 0) return;
    const selected = Math.min(search.results.length - 1, Math.max(0, search.selected + delta));
    this.state.set({search: {...search, selected}});
  }

  /** Esc: the results go. */
  close(): void {
    if (this.state.current.search) this.state.set({search: undefined});
  }

  /** Enter: the chosen result in its conversation (loaded back to it, brought into view, highlighted). */
  jump(): void {
    const {state, entries, selection} = this;
    const search = state.current.search;
    const hit = search?.results[search.selected];
    if (!hit) return;
    const ref = parseAddress(hit.conversation, state.current.realm);
    if (!ref) return;
    state.set({search: undefined});
    const key = entries.ensure(ref);
    state.updateConversation(key, (current) => ({...current, exists: true}));
    selection.select(key);
    selection.focus(keyOf(ref), {kind: 'found', id: hit.id});
  }

  /** Replaces the results, if the search on screen is still `view`. */
  #settle(view: SearchView, patch: Partial<SearchView>): void {
    this.state.set((current) => (current.search === view ? {search: {...view, ...patch}} : {}));
  }
}
