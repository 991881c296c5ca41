/**
 * Messages into and out of the conversations. Incoming (the long poll, `/inbox`, `/getrealminbox`): merged into
 * their conversations, unread counts for conversations not on screen, the bell for direct messages, list order.
 * Outgoing: shown at once as pending, then numbered with the daemon's id, or marked "not sent" with the reason.
 * Announces `session-gone` when the daemon no longer knows the session.
 */
import {EventEmitter} from 'node:events';
import type {ChatMessage} from '../../../common/protocol/reply-shapes.js';
import type {Reply} from '../../../common/protocol/replies.js';
import {RequestUsageError} from '../../../common/protocol/request.js';
import {conversationOfMessage, emptyConversation, isOwnMessage, keyOf, laterTs, mergeMessages, titleOf, type ConversationRef} from './conversations.js';
import type {Connections} from './connections.js';
import type {ConversationEntries} from './conversation-entries.js';
import type {RecentList} from './recent-list.js';
import {describeConnectionError, isConnectionProblem, isSessionGone, type RequestEvents} from './request-errors.js';
import type {SessionEpoch} from './session-epoch.js';
import type {StoreState} from './store-state.js';
import type {DisplayMessage} from './types.js';

/** What Messages needs besides its collaborators. */
export interface MessagesOptions {
  /** The clock (epoch ms), for the time of our own messages until the daemon's comes. */
  readonly now: () => number;
  /** Rings the terminal bell. */
  readonly ringBell?: (() => void) | undefined;
}

/** A protocol command typed by the user (`/sendprivaterealm beta carol hi`), sent as typed. */
export interface TypedCommand {
  readonly command: string;
  readonly args: readonly string[];
}

/** Receiving and sending messages. */
export class Messages extends EventEmitter<RequestEvents> {
  /** The id of the last message sent, counting down from 0 (negative until the daemon numbers it). */
  #nextLocalId = 0;

  constructor(
    private readonly state: StoreState,
    private readonly connections: Connections,
    private readonly epoch: SessionEpoch,
    private readonly entries: ConversationEntries,
    private readonly recent: RecentList,
    private readonly options: MessagesOptions,
  ) {
    super();
  }

  /** Adds received messages: unread counts, bell, list order (nothing unless on the main screen). */
  ingest(messages: readonly ChatMessage[]): void {
    const {state: store, recent, options} = this;
    const state = store.current;
    if (state.screen !== 'main' || messages.length === 0) return;
    const {me, realm} = state;
    const visible = state.helpOpen ? undefined : store.visibleKey();
    let ring = false;
    const users = new Set(state.knownUsers);
    const conversations = {...state.conversations};
    for (const message of messages) {
      const ref = conversationOfMessage(message, me, realm);
      const key = keyOf(ref);
      const current = conversations[key] ?? emptyConversation(ref);
      const own = isOwnMessage(message, me, realm);
      const isNew = !current.messages.some((known) => known.id === message.id);
      conversations[key] = {
        ...current,
        messages: mergeMessages(current.messages, [message]),
        lastTs: laterTs(current.lastTs, message.ts),
        unread: current.unread + (isNew && !own && key !== visible ? 1 : 0),
      };
      if (isNew && !own && (ref.kind === 'direct' || ref.kind === 'remote-user')) ring = true;
      if (ref.kind === 'direct') users.add(ref.name);
    }
    store.set({conversations, knownUsers: [...users]});
    if (ring && store.current.bell) options.ringBell?.();
    recent.saveSoon();
  }

  /**
   * Sends text to a conversation: shows it at once (pending), then numbers it with the daemon's id, or marks it
   * "not sent" with the reason in the status line. A `typed` command goes out as typed; plain text by the
   * conversation's kind. Resolves with the daemon's reply, or undefined when there was none (or the session changed).
   */
  async send(ref: ConversationRef, text: string, typed?: TypedCommand): Promise<Reply | undefined> {
    const {state, epoch, connections, entries, recent} = this;
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
    recent.saveSoon();
    const generation = epoch.current;
    const main = connections.main;
    let reply: Reply;
    try {
      if (typed) reply = await main.request(typed.command, typed.args);
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
        state.setStatus(`Not sent: ${describeConnectionError(error, state.current.server)}. Ctrl+↑ recalls the line.`, 'error');
      } else if (error instanceof RequestUsageError) {
        state.setStatus(`Not sent: ${error.message}`, 'error');
      } else {
        throw error;
      }
      return undefined;
    }
    if (generation !== epoch.current) return reply;
    if (reply.status === 'OK') {
      const numbered = typeof reply.id === 'number' && reply.id > 0 ? reply.id : id;
      this.#replace(key, id, {...message, id: numbered, pending: false});
      // Say so when the realm is down; either way an earlier error in the status line is over.
      if (reply.queued === true) {
        state.setStatus(`Queued for ${titleOf(ref)}: realm ${ref.realm ?? ''} is not reachable now; it is delivered when the link is back`, 'info');
      } else if (state.current.status?.tone === 'error') {
        state.set({status: undefined});
      }
    } else {
      this.#replace(key, id, {...message, pending: false, failed: true});
      if (isSessionGone(reply)) this.emit('session-gone');
      else state.setStatus(`Not sent to ${titleOf(ref)}: ${reply.message}`, 'error');
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
