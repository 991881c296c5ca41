import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {drainInbox} from '../messaging.js';
import {bySender} from '../wire-format.js';

/**
 * inbox [wait_seconds]: the caller's unread messages keyed by sender, marked read. With wait_seconds and nothing
 * unread it waits (long poll) up to that long for the first message.
 */
export const inbox: Handler = async (request, context) => {
  const {username, token} = sessionOf(context);
  const wait = Math.min(Number(request.params.wait_seconds ?? 0), context.options.maxWaitSeconds);
  if (wait > 0 && !await context.store.hasUnread(username)) {
    await context.inboxWaiters.wait(username, wait * 1000, context.signal);
    // A logout while waiting kills the token at once: the waiting request must not read the inbox afterwards.
    if (!await context.sessions.lookup(token)) return error('NO_SESSION');
  }
  const page = await drainInbox(context, username);
  return ok(OK_MESSAGES.inbox, {messages: bySender(page.messages), more: page.more});
};
