import {error} from '../../common/protocol/replies.js';
import type {Handler} from '../context.js';

/** addrealm <realm> [<host> <port>]: links another realm (the peer is checked before the answer). */
export const addrealm: Handler = (request, context) => {
  const realm = request.params.realm as string;
  if (realm.toLowerCase() === context.options.realm.toLowerCase() || context.federation.has(realm)) {
    return error('REALM_EXISTS');
  }
  const {host, port} = request.params;
  return context.federation.add(realm, host === undefined ? undefined : {host: host as string, port: port as number});
};
