import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import type {Recipients} from '../../common/protocol/request.js';
import {sessionOf, type Handler} from '../context.js';
import {isOwnRealm} from '../federation-api.js';
import {sendLocalGroup, sendLocalPrivate} from '../messaging.js';
import {realmSendReply} from './realm-send-reply.js';

/**
 * sendgrouprealm <realm> <group|group:NAME|u1,u2> <text>: a message to every member of a group of a realm, or to
 * a list of its users (all or nothing). One's own realm works like sendgroup.
 */
export const sendgrouprealm: Handler = async (request, context) => {
  const realm = request.params.realm as string;
  const sender = sessionOf(context).username;
  const recipients = request.params.group as Recipients;
  if (!isOwnRealm(context.options, realm)) {
    const result = await context.federation.sendGroup(sender, realm, recipients, request.text!);
    return realmSendReply('sendgrouprealm', result, recipients.kind === 'users');
  }
  if (recipients.kind === 'group') {
    const result = await sendLocalGroup(context, sender, recipients.name, request.text!);
    return result.sent ? ok(OK_MESSAGES.sendgrouprealm, {id: result.id}) : result.reply;
  }
  for (const name of recipients.names) if (!await context.store.getUser(name)) return error('USER_NOT_FOUND');
  // One after another: each send sees the ones before it (rate limits, unread caps), as a pipeline would.
  const ids = [];
  for (const name of recipients.names) ids.push(await sendLocalPrivate(context, sender, name, request.text!));
  return ok(OK_MESSAGES.sendgrouprealm, {ids: ids.map((result) => (result.sent ? result.id : null))});
};
