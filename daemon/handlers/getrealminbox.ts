import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {isOwnRealm} from '../federation-api.js';
import {drainInbox} from '../messaging.js';

/** getrealminbox <realm>: the caller's unread messages from one realm, as a list, marked read. */
export const getrealminbox: Handler = async (request, context) => {
  const realm = request.params.realm as string;
  const own = isOwnRealm(context.options, realm);
  // Messages carry the realm's stored spelling; the user may type it in any case.
  const linked = own ? undefined : await context.federation.realmName(realm);
  if (!own && linked === undefined) return error('REALM_NOT_FOUND');
  const page = await drainInbox(context, sessionOf(context).username, {realm: own ? null : linked});
  return ok(OK_MESSAGES.getrealminbox, {messages: page.messages, more: page.more});
};
