import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {drainInbox} from '../messaging.js';
import {bySender} from '../wire-format.js';

/** privateinbox <username>: the caller's unread messages from one local user, keyed by sender like inbox, marked read. */
export const privateinbox: Handler = async (request, context) => {
  const user = await context.store.getUser(request.params.username as string);
  if (!user) return error('USER_NOT_FOUND');
  const page = await drainInbox(context, sessionOf(context).username, {sender: user.username});
  return ok(OK_MESSAGES.privateinbox, {messages: bySender(page.messages), more: page.more});
};
