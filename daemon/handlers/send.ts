import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {sendLocalPrivate} from '../messaging.js';

/** send <username> <text>: a private message to a user of this realm. */
export const send: Handler = async (request, context) => {
  const result = await sendLocalPrivate(context, sessionOf(context).username, request.params.username as string, request.text!);
  return result.sent ? ok(OK_MESSAGES.send, {id: result.id}) : result.reply;
};
