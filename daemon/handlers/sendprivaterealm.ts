import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {isOwnRealm} from '../federation-api.js';
import {sendLocalPrivate} from '../messaging.js';
import {realmSendReply} from './realm-send-reply.js';

/** sendprivaterealm <realm> <username> <text>: a private message to a user of a realm (one's own realm works like send). */
export const sendprivaterealm: Handler = async (request, context) => {
  const realm = request.params.realm as string;
  const sender = sessionOf(context).username;
  const user = request.params.username as string;
  if (isOwnRealm(context.options, realm)) {
    const result = await sendLocalPrivate(context, sender, user, request.text!);
    return result.sent ? ok(OK_MESSAGES.sendprivaterealm, {id: result.id}) : result.reply;
  }
  return realmSendReply('sendprivaterealm', await context.federation.sendPrivate(sender, realm, user, request.text!));
};
