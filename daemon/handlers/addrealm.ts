import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {isOwnRealm} from '../federation-api.js';

/**
 * addrealm <realm> [<host> <port>]: links another realm (the peer is checked before the answer). A realm this daemon
 * does not know is for admins only (ADMIN_ONLY; see daemon/federation/policy.ts).
 */
export const addrealm: Handler = async (request, context) => {
  const realm = request.params.realm as string;
  if (isOwnRealm(context.options, realm)) return error('REALM_EXISTS');
  const {host, port} = request.params;
  const address = host === undefined ? undefined : {host: host as string, port: port as number};
  const result = await context.federation.add(realm, address, sessionOf(context).username);
  switch (result.kind) {
    case 'added': return ok(OK_MESSAGES.addrealm, {realm: result.realm, host: result.host, port: result.port});
    case 'exists': return error('REALM_EXISTS');
    case 'no-address': return error('MISSING_PARAMETER');
    case 'unreachable': return error('REALM_UNREACHABLE');
    case 'stopping': return error('SHUTTING_DOWN');
    case 'forbidden': return error('ADMIN_ONLY');
  }
};
