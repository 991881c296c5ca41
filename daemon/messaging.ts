/** Local delivery shared by send/sendgroup and the own-realm forms of the realm commands. */
import {error, type Reply} from '../common/protocol/replies.js';
import type {RequestContext} from './context.js';
import type {FileRef, InboxFilter, InboxPage} from './store/types.js';
import {toWireMessage, withFileContents, type WireMessage} from './wire-format.js';

/** The id of a stored message, or the refusal. */
export type SendResult = {sent: true; id: number} | {sent: false; reply: Reply};

/**
 * Stores a private message from `sender` to the local user `recipient` and wakes the recipient's long poll. With
 * `file`, a file message whose content is already stored (Store.putBlob).
 */
export function sendLocalPrivate(context: RequestContext, sender: string, recipient: string, text: string, file?: FileRef): SendResult {
  const user = context.store.getUser(recipient);
  if (!user) return {sent: false, reply: error('USER_NOT_FOUND')};
  const limited = rateLimited(context, sender, [user.username], text);
  if (limited) return limited;
  const id = context.store.storeMessage(
    {sender, recipient: user.username, body: text, ts: context.clock.now(), ...(file ? {file} : {})}, [user.username]);
  context.inboxWaiters.notify(user.username);
  return {sent: true, id};
}

/** Stores a message to a local group the sender belongs to; every other member gets it (the sender gets no copy). */
export function sendLocalGroup(context: RequestContext, sender: string, groupName: string, text: string, file?: FileRef): SendResult {
  const group = context.store.groupName(groupName);
  if (group === undefined) return {sent: false, reply: error('GROUP_NOT_FOUND')};
  if (!context.store.isMember(group, sender)) return {sent: false, reply: error('NOT_A_MEMBER')};
  const recipients = context.store.members(group).filter((member) => member.toLowerCase() !== sender.toLowerCase());
  const limited = rateLimited(context, sender, recipients, text);
  if (limited) return limited;
  const id = context.store.storeMessage({sender, group, body: text, ts: context.clock.now(), ...(file ? {file} : {})}, recipients);
  for (const recipient of recipients) context.inboxWaiters.notify(recipient);
  return {sent: true, id};
}

/**
 * Takes a message from the sender's allowance (limits/send-limiter.ts): undefined when it may be stored, else the
 * RATE_LIMITED refusal with `retry_after` seconds. `recipients` empty: only the rates apply (another realm's inbox).
 */
export function rateLimited(
  context: RequestContext, sender: string, recipients: readonly string[], text: string,
): {sent: false; reply: Reply} | undefined {
  const retryAfter = context.limits.send.take(sender, null, recipients, Buffer.byteLength(text));
  return retryAfter === 0 ? undefined : {sent: false, reply: error('RATE_LIMITED', {retry_after: retryAfter})};
}

/** Reads one page of a user's unread messages (all, or those `from` a realm or a local user) and marks exactly those read. */
export function drainInbox(context: RequestContext, username: string, from: InboxFilter = {}): {messages: WireMessage[]; more: boolean} {
  const {store, options} = context;
  const page: InboxPage = store.unread(username, {maxMessages: options.inboxMaxMessages, maxBytes: options.inboxMaxBytes}, from);
  // Build the reply first: if that fails, nothing is marked read and the messages stay unread.
  const messages = withFileContents(
    page.messages.map((message) => toWireMessage(message, options.realm, {name: username, inbox: true})), page.messages, (sha) => store.readBlob(sha));
  store.markRead(username, page.messages.map((message) => message.id));
  context.limits.send.read(username, page.messages);
  context.limits.inbound.read(username, page.messages);
  return {messages, more: page.more};
}
