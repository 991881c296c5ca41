import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import type {Recipients} from '../../common/protocol/request.js';
import {sessionOf, type Handler} from '../context.js';
import {isOwnRealm} from '../federation-api.js';
import {sendLocalPrivate} from '../messaging.js';
import {storeRequestFile} from './file-send.js';
import {realmSendReply} from './realm-send-reply.js';
import {sendgroupfile} from './sendgroupfile.js';
import {fileFields} from './sendfilerealm.js';

/**
 * sendgroupfilerealm <realm> <group|group:NAME|u1,u2> <filepath> <base64>: a file to every member of a group of a
 * realm, or to a list of its users (all or nothing). One's own realm works like sendgroupfile (a user list gets one
 * private file each, one stored content).
 */
export const sendgroupfilerealm: Handler = async (request, context) => {
  const realm = request.params.realm as string;
  const sender = sessionOf(context).username;
  const recipients = request.params.group as Recipients;
  if (isOwnRealm(context.options, realm)) {
    if (recipients.kind === 'group') return sendgroupfile({...request, params: {...request.params, group: recipients.name}}, context);
    for (const name of recipients.names) if (!(await context.store.getUser(name))) return error('USER_NOT_FOUND');
    const stored = await storeRequestFile(request, context, sender, recipients.names);
    if (!stored.ok) return stored.reply;
    const ids = [];
    for (const name of recipients.names) {
      const result = await sendLocalPrivate(context, sender, name, stored.text, stored.file);
      ids.push(result.sent ? result.id : null);
    }
    return ok(OK_MESSAGES.sendgroupfilerealm, {ids, file_name: stored.file.name, file_size: stored.file.size});
  }
  if (!(await context.federation.has(realm))) return error('REALM_NOT_FOUND'); // before any content is written
  const stored = await storeRequestFile(request, context, sender, []);
  if (!stored.ok) return stored.reply;
  const result = await context.federation.sendGroup(sender, realm, recipients, stored.text, stored.file);
  return realmSendReply('sendgroupfilerealm', result, recipients.kind === 'users', fileFields(result, stored.file));
};
