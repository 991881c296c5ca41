import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';

/**
 * removerealm <realm>: unlinks a realm (admins only). Its outbox stays on disk and the reply says how many messages
 * wait in it: they are delivered if the realm is linked again.
 */
export const removerealm: Handler = async (request, context) => {
  const result = await context.federation.remove(request.params.realm as string, sessionOf(context).username);
  switch (result.kind) {
    case 'removed': return ok(OK_MESSAGES.removerealm, {realm: result.realm, outbox: result.outbox});
    case 'unknown-realm': return error('REALM_NOT_FOUND');
    case 'forbidden': return error('ADMIN_ONLY');
  }
};
