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
export const sendgrouprealm: Handler = (request, context) => {
  const realm = request.params.realm as string;
  const sender = sessionOf(context).username;
  const recipients = request.params.group as Recipients;
  if (!isOwnRealm(context.options, realm)) {
    return context.federation.sendGroup(sender, realm, recipients, request.text!)
      .then((result) => realmSendReply('sendgrouprealm', result, recipients.kind === 'users'));
  }
  if (recipients.kind === 'group') {
    const result = sendLocalGroup(context, sender, recipients.name, request.text!);
    return result.sent ? ok(OK_MESSAGES.sendgrouprealm, {id: result.id}) : result.reply;
  }
  if (recipients.names.some((name) => !context.store.getUser(name))) return error('USER_NOT_FOUND');
  const ids = recipients.names.map((name) => sendLocalPrivate(context, sender, name, request.text!));
  return ok(OK_MESSAGES.sendgrouprealm, {ids: ids.map((result) => (result.sent ? result.id : null))});
};
