import {error} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {isOwnRealm, type RealmSendResult} from '../federation-api.js';
import {storeRequestFile} from './file-send.js';
import {realmSendReply} from './realm-send-reply.js';
import {sendfile} from './sendfile.js';

/**
 * sendfilerealm <realm> <username> <filepath> <base64>: a file to a user of a realm (one's own realm works like
 * sendfile). The content is stored here first (durable before the OK), then the link carries it in chunks.
 */
export const sendfilerealm: Handler = async (request, context) => {
  const realm = request.params.realm as string;
  if (isOwnRealm(context.options, realm)) return sendfile(request, context);
  if (!(await context.federation.has(realm))) return error('REALM_NOT_FOUND'); // before any content is written
  const sender = sessionOf(context).username;
  const stored = await storeRequestFile(request, context, sender, []);
  if (!stored.ok) return stored.reply;
  const result = await context.federation.sendPrivate(sender, realm, request.params.username as string, stored.text, stored.file);
  return realmSendReply('sendfilerealm', result, false, fileFields(result, stored.file));
};

/**
 * The file fields of a realm file send's OK: the sender's copy is the file_id it may getfile, when there is one
 * copy (a user list has several: `ids` names them). Only an accepted result's reply carries them.
 */
export function fileFields(result: RealmSendResult, file: {name: string; size: number}): {file_id?: number; file_name: string; file_size: number} {
  const first = result.kind === 'accepted' && result.ids.length === 1 ? {file_id: result.ids[0]!} : {};
  return {...first, file_name: file.name, file_size: file.size};
}
