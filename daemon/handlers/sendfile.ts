import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {sendLocalPrivate} from '../messaging.js';
import {storeRequestFile} from './file-send.js';

/** sendfile <username> <filepath> <base64>: a file to a user of this realm. */
export const sendfile: Handler = async (request, context) => {
  const sender = sessionOf(context).username;
  const user = await context.store.getUser(request.params.username as string);
  if (!user) return error('USER_NOT_FOUND'); // before any content is written
  const stored = await storeRequestFile(request, context, sender, [user.username]);
  if (!stored.ok) return stored.reply;
  const result = await sendLocalPrivate(context, sender, user.username, stored.text, stored.file);
  return result.sent ? ok(OK_MESSAGES.sendfile, {id: result.id, file_id: result.id, file_name: stored.file.name, file_size: stored.file.size}) : result.reply;
};
