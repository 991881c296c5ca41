import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {address} from '../wire-format.js';

/**
 * getfile <file_id>: one file the caller may see: one it sent, one sent to it, or one sent to a group of this realm
 * it is a member of (as `history group:NAME` shows). Any other id answers as a file that does not exist.
 */
export const getfile: Handler = async (request, context) => {
  const {username} = sessionOf(context);
  const {store} = context;
  const message = await store.message(request.params.file_id as number);
  const me = username.toLowerCase();
  const visible = message?.file !== undefined && (
    (message.senderRealm === undefined && message.sender.toLowerCase() === me) ||
    (message.recipientRealm === undefined && message.recipient?.toLowerCase() === me) ||
    // Stryker disable next-line ConditionalExpression: without a group, isMember(undefined, …) is false: this only spares a read
    (message.group !== undefined &&
      message.recipientRealm === undefined && await store.isMember(message.group, username)));
  if (!message?.file || !visible) return error('FILE_NOT_FOUND');
  const content = await store.readBlob(message.file.sha256);
  if (!content) return error('FILE_NOT_FOUND');
  return ok(OK_MESSAGES.getfile, {
    file_id: message.id, file_name: message.file.name, file_size: message.file.size, file_content: content.toString('base64'),
    msg_from: address(message.sender, message.senderRealm),
    // Stryker disable next-line StringLiteral: never used, a message without a group always has a recipient
    msg_to: message.group !== undefined ? message.group : address(message.recipient ?? '', message.recipientRealm),
  });
};
