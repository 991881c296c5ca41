/**
 * Messages into and out of the conversations. Incoming (the long poll, `/inbox`, `/getrealminbox`): merged into
 * their conversations, unread counts for conversations not on screen, the bell for direct messages, list order.
 * Outgoing: shown at once as pending, then numbered with the daemon's id, or marked "not sent" with the reason.
 * Announces `session-gone` when the daemon no longer knows the session.
 */
import {EventEmitter} from 'node:events';
import type {ProgressListener} from '../../../common/client/client-protocol.js';
import type {ChatMessage} from '../../../common/protocol/reply-shapes.js';
import type {Reply} from '../../../common/protocol/replies.js';
import {RequestUsageError} from '../../../common/protocol/request.js';
import {conversationOfMessage, emptyConversation, isOwnMessage, keyOf, laterId, laterTs, mergeMessages, titleOf, type ConversationRef} from './conversations.js';
import type {Connections} from './connections.js';
import type {ConversationEntries} from './conversation-entries.js';
import {describeConnectionError, isConnectionProblem, isSessionGone, type RequestEvents} from './request-errors.js';
import type {SessionEpoch} from './session-epoch.js';
import type {StoreState} from './store-state.js';
import {sentCopy, type HistoryLoader} from './history.js';
import {mentions, notificationOf, type Notification} from './mentions.js';
import type {DisplayMessage} from './types.js';
import {explainRefusal} from '../../shared/refusals.js';

/** What Messages needs besides its collaborators. */
export interface MessagesOptions {
  /** The clock (epoch ms), for the time of our own messages until the daemon's comes. */
  readonly now: () => number;
  /** Rings the terminal bell. */
  readonly ringBell?: (() => void) | undefined;
  /** Shows a desktop notification (through the terminal), when notifications are on. */
  readonly notify?: ((notification: Notification) => void) | undefined;
}

/** A protocol command typed by the user (`/sendprivaterealm beta carol hi`), sent as typed. */
export interface TypedCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Wait this long for the reply (a file takes longer than a line of text). @default the client's */
  readonly timeoutMs?: number;
  /** Told how far the request has got (a file's line going out). */
  readonly onProgress?: ProgressListener;
}

/** Receiving and sending messages. */
export class Messages extends EventEmitter<RequestEvents> {
  /** The id of the last message sent, counting down from 0 (negative until the daemon numbers it). */
  #nextLocalId = 0;
  /** Ids of the messages received in this session, so a message is counted once however often it comes. */
  readonly #seen = new Set<number>();

  constructor(
    private readonly state: StoreState,
    private readonly connections: Connections,
    private readonly epoch: SessionEpoch,
    private readonly entries: ConversationEntries,
    private readonly history: HistoryLoader,
    private readonly options: MessagesOptions,
  ) {
    super();
  }

  /**
   * Takes received messages: unread counts, mentions, bell, list order (nothing unless on the main screen). Their
   * text reaches a conversation only through its history (`HistoryLoader.refresh`, asked here for every conversation
   * already loaded), so what is shown is always an unbroken stretch of the daemon's history.
   */
  ingest(messages: readonly ChatMessage[]): void {
    const {state: store, options} = this;
    const state = store.current;
    if (state.screen !== 'main' || messages.length === 0) return;
    const {me, realm} = state;
    const visible = state.helpOpen ? undefined : store.visibleKey();
    let ring = false;
    let notify: ChatMessage | undefined;
    const users = new Set(state.knownUsers);
    const conversations = {...state.conversations};
    const touched = new Set<string>();
    for (const message of messages) {
      const ref = conversationOfMessage(message, me, realm);
      const key = keyOf(ref);
      const current = conversations[key] ?? emptyConversation(ref);
      const own = isOwnMessage(message, me, realm);
      // New to this session (a message already fetched with the history of a conversation not on screen is still unread).
      const isNew = !this.#seen.has(message.id);
      this.#seen.add(message.id);
      // Counted once: not when on screen, nor when the daemon's list counted it already.
      const counted = isNew && !own && key !== visible && message.id > (current.countedTo ?? 0);
      // The daemon marks the messages that name us; the client's own reading covers a daemon that does not.
      const mention = !own && (ref.kind === 'group' || ref.kind === 'remote-group') && (message.mention === true || mentions(message.text, me));
      conversations[key] = {
        ...current,
        exists: true,
        closed: false,
        lastTs: laterTs(current.lastTs, message.ts),
        lastId: laterId(current.lastId, message.id),
        // A conversation the daemon's list has not shown yet: its unread part starts with this message.
        seen: current.seen ?? (counted ? message.id - 1 : undefined),
        unread: current.unread + (counted ? 1 : 0),
        mentions: (current.mentions ?? 0) + (counted && mention ? 1 : 0),
      };
      touched.add(key);
      const direct = ref.kind === 'direct' || ref.kind === 'remote-user';
      if (isNew && !own && (direct || mention)) {
        ring = true;
        notify ??= message;
      }
      if (ref.kind === 'direct') users.add(ref.name);
    }
    store.set({conversations, knownUsers: [...users]});
    for (const key of touched) {
      const history = store.current.conversations[key]?.history;
      if (history === 'loaded' || history === 'loading') void this.history.refresh(key);
    }
    if (ring && store.current.bell) options.ringBell?.();
    if (notify && store.current.notifications) options.notify?.(notificationOf(notify, me, realm));
  }

  /** Forgets which message ids were seen (a new session). */
  reset(): void {
    this.#seen.clear();
  }

  /**
   * Sends text to a conversation: shows it at once (pending), then numbers it with the daemon's id, or marks it
   * "not sent" with the reason in the status line. A `typed` command goes out as typed; plain text by the
   * conversation's kind. Resolves with the daemon's reply, or undefined when there was none (or the session changed).
   */
  async send(ref: ConversationRef, text: string, typed?: TypedCommand): Promise<Reply | undefined> {
    const {state, epoch, connections, entries} = this;
    const key = entries.ensure(ref);
    const {me, realm} = state.current;
    const id = --this.#nextLocalId;
    const ts = new Date(this.options.now()).toISOString();
    const isGroup = ref.kind === 'group' || ref.kind === 'remote-group';
    const message: DisplayMessage = {
      id, from: me ?? '?', to: ref.kind === 'remote-user' || ref.kind === 'remote-group' ? `${ref.name}@${ref.realm}` : ref.name,
      text, ts, pending: true,
      ...(isGroup ? {group: ref.name} : {}),
      ...(ref.realm !== undefined && realm !== undefined ? {realmFrom: realm, realmTo: ref.realm} : {}),
    };
    state.updateConversation(key, (current) => ({...current, messages: mergeMessages(current.messages, [message]), lastTs: laterTs(current.lastTs, ts)}));
    const generation = epoch.current;
    const main = connections.main;
    let reply: Reply;
    try {
      if (typed) {
        reply = await main.request(typed.command, typed.args, {
          ...(typed.timeoutMs === undefined ? {} : {timeoutMs: typed.timeoutMs}),
          ...(typed.onProgress === undefined ? {} : {onProgress: typed.onProgress}),
        });
      }
      else switch (ref.kind) {
        case 'direct': reply = await main.send(ref.name, text); break;
        case 'group': reply = await main.sendgroup(ref.name, text); break;
        case 'remote-user': reply = await main.sendprivaterealm(ref.realm!, ref.name, text); break;
        case 'remote-group': reply = await main.sendgrouprealm(ref.realm!, ref.name, text); break;
      }
    } catch (error) {
      if (generation !== epoch.current) return undefined;
      this.#replace(key, id, {...message, pending: false, failed: true});
      if (isConnectionProblem(error)) {
        state.setStatus(`Not sent: ${describeConnectionError(error, state.current.server)}. Ctrl+↑ recalls the line.`, 'error', key);
      } else if (error instanceof RequestUsageError) {
        state.setStatus(`Not sent: ${error.message}`, 'error', key);
      } else {
        throw error;
      }
      return undefined;
    }
    if (generation !== epoch.current) return reply;
    if (reply.status === 'OK') {
      this.#replace(key, id, sentCopy(message, typeof reply.id === 'number' && reply.id > 0 ? reply.id : undefined));
      const sentId = typeof reply.id === 'number' && reply.id > 0 ? reply.id : undefined;
      state.updateConversation(key, (current) => ({...current, exists: true, closed: false, lastId: laterId(current.lastId, sentId)}));
      void this.history.refresh(key);
      // Say so when the realm is down; either way an earlier error in the status line is over.
      if (reply.queued === true) {
        state.setStatus(`Queued for ${titleOf(ref)}: realm ${ref.realm ?? ''} is not reachable now; it is delivered when the link is back`, 'info');
      } else if (state.current.status?.tone === 'error') {
        state.set({status: undefined});
      }
    } else {
      this.#replace(key, id, {...message, pending: false, failed: true});
      if (isSessionGone(reply)) this.emit('session-gone');
      else state.setStatus(`Not sent to ${titleOf(ref)}: ${explainRefusal(reply)}`, 'error', key);
    }
    return reply;
  }

  /** Puts `message` in place of the one with `id` (our optimistic copy). */
  #replace(key: string, id: number, message: DisplayMessage): void {
    this.state.updateConversation(key, (current) => ({
      ...current,
      messages: mergeMessages(current.messages.filter((known) => known.id !== id), [message]),
    }));
  }
}
