import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {sendLocalPrivate} from '../messaging.js';
import {andThen} from '../awaitable.js';

/** send <username> <text>: a private message to a user of this realm. */
export const send: Handler = (request, context) =>
  andThen(sendLocalPrivate(context, sessionOf(context).username, request.params.username as string, request.text!),
    (result) => (result.sent ? ok(OK_MESSAGES.send, {id: result.id}) : result.reply));
