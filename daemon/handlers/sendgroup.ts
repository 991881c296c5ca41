import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {sendLocalGroup} from '../messaging.js';

/** sendgroup <group|group:NAME> <text>: a message to every other member of a group the sender belongs to. */
export const sendgroup: Handler = async (request, context) => {
  const result = await sendLocalGroup(context, sessionOf(context).username, request.params.group as string, request.text!);
  return result.sent ? ok(OK_MESSAGES.sendgroup, {id: result.id}) : result.reply;
};
