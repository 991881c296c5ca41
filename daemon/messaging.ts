/** Local delivery shared by send/sendgroup and the own-realm forms of the realm commands. */
import {error, type Reply} from '../common/protocol/replies.js';
import type {RequestContext} from './context.js';
import {andThen} from './awaitable.js';
import type {Awaitable, FileRef, InboxFilter} from './store/types.js';
import {toWireMessage, withFileContents, type WireMessage} from './wire-format.js';

/** The id of a stored message, or the refusal. */
export type SendResult = {sent: true; id: number} | {sent: false; reply: Reply};

/**
 * Stores a private message from `sender` to the local user `recipient` (its commit wakes the recipient's long poll). With
 * `file`, a file message whose content is already stored (Store.putBlob). Synchronous with a synchronous store (the
 * hot path of `send`: no promise per message), a promise otherwise.
 */
export function sendLocalPrivate(
  context: RequestContext, sender: string, recipient: string, text: string, file?: FileRef,
): Awaitable<SendResult> {
  return andThen(context.store.getUser(recipient), (user) => {
    if (!user) return {sent: false, reply: error('USER_NOT_FOUND')};
    return andThen(rateLimited(context, sender, [user.username], text), (limited) => {
      if (limited) return limited;
      const message = {sender, recipient: user.username, body: text, ts: context.clock.now(), ...(file ? {file} : {})};
      // The recipient's long polls wake on the store's hint once this commits (InboxWaiters).
      return andThen(context.store.storeMessage(message, [user.username]), (id): SendResult => ({sent: true, id}));
    });
  });
}

/** Stores a message to a local group the sender belongs to; every other member gets it (the sender gets no copy). */
export async function sendLocalGroup(
  context: RequestContext, sender: string, groupName: string, text: string, file?: FileRef,
): Promise<SendResult> {
  const group = await context.store.groupName(groupName);
  if (group === undefined) return {sent: false, reply: error('GROUP_NOT_FOUND')};
  if (!await context.store.isMember(group, sender)) return {sent: false, reply: error('NOT_A_MEMBER')};
  const recipients = (await context.store.members(group)).filter((member) => member.toLowerCase() !== sender.toLowerCase());
  const limited = await rateLimited(context, sender, recipients, text);
  if (limited) return limited;
  const id = await context.store.storeMessage({sender, group, body: text, ts: context.clock.now(), ...(file ? {file} : {})}, recipients);
  return {sent: true, id};
}

/**
 * Takes a message from the sender's allowance (limits/send-limiter.ts): undefined when it may be stored, else the
 * RATE_LIMITED refusal with `retry_after` seconds. `recipients` empty: only the rates apply (another realm's inbox).
 * Synchronous when the limiter is (the hot path: no promise per send).
 */
export function rateLimited(
  context: RequestContext, sender: string, recipients: readonly string[], text: string,
): Awaitable<{sent: false; reply: Reply} | undefined> {
  const retryAfter = context.limits.send.take(sender, null, recipients, Buffer.byteLength(text));
  return andThen(retryAfter, refusal);
}

function refusal(retryAfter: number): {sent: false; reply: Reply} | undefined {
  return retryAfter === 0 ? undefined : {sent: false, reply: error('RATE_LIMITED', {retry_after: retryAfter})};
}

/**
 * Takes one page of a user's unread messages (all, or those `from` a realm or a local user): the store marks exactly
 * those read in the same step, so two processes draining one inbox never hand out a message twice. If the reply
 * cannot be built, the messages are made unread again (in the same batch) and nothing is lost. Synchronous with a
 * synchronous store (the hot path of `inbox`), a promise otherwise.
 */
export function drainInbox(
  context: RequestContext, username: string, from: InboxFilter = {},
): Awaitable<{messages: WireMessage[]; more: boolean}> {
  const {store, options} = context;
  const limits = {maxMessages: options.inboxMaxMessages, maxBytes: options.inboxMaxBytes};
  return andThen(store.takeUnread(username, limits, from), (page) => {
    const giveBack = (err: unknown): never => {
      void store.returnUnread(username, page.messages.map((message) => message.id));
      throw err;
    };
    let built: Awaitable<WireMessage[]>;
    try {
      built = withFileContents(
        page.messages.map((message) => toWireMessage(message, options.realm, {name: username, inbox: true})), page.messages, (sha) => store.readBlob(sha));
    } catch (err) {
      return giveBack(err);
    }
    if (built instanceof Promise) built = built.catch(giveBack);
    return andThen(built, (messages) => {
      context.limits.send.read(username, page.messages);
      context.limits.inbound.read(username, page.messages);
      // A file counted its size against the file allowance when it was sent: reading it gives that back.
      const files = page.messages.flatMap((message) => (message.file ? [{...message, bytes: message.file.size}] : []));
      if (files.length > 0) {
        context.limits.files.read(username, files);
        context.limits.inboundFiles.read(username, files);
      }
      return {messages, more: page.more};
    });
  });
}
