import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {sendLocalGroup} from '../messaging.js';
import {storeRequestFile} from './file-send.js';

/** sendgroupfile <group> <filepath> <base64>: a file to a group of this realm the sender belongs to. */
export const sendgroupfile: Handler = async (request, context) => {
  const sender = sessionOf(context).username;
  const group = await context.store.groupName(request.params.group as string);
  if (group === undefined) return error('GROUP_NOT_FOUND'); // before any content is written
  if (!await context.store.isMember(group, sender)) return error('NOT_A_MEMBER');
  const stored = await storeRequestFile(request, context, sender, []);
  if (!stored.ok) return stored.reply;
  const result = await sendLocalGroup(context, sender, group, stored.text, stored.file);
  return result.sent ? ok(OK_MESSAGES.sendgroupfile, {id: result.id, file_id: result.id, file_name: stored.file.name, file_size: stored.file.size}) : result.reply;
};
