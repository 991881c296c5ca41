import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {toWireLogin} from '../../common/protocol/reply-shapes.js';
import type {Handler} from '../context.js';
import {verifyPassword} from '../passwords.js';

/** auth <username> <password>: checks the password and starts a session bound to this connection. */
export const auth: Handler = async (request, context) => {
  const record = context.store.getPassword(request.params.username as string);
  if (!record) return error('AUTH_UNKNOWN_USER');
  if (!(await verifyPassword(request.params.password as string, record.verifier))) return error('AUTH_WRONG_PASSWORD');
  const session = context.sessions.create(record.username);
  context.bindSession(session);
  return ok(OK_MESSAGES.auth, toWireLogin(session.token, record.username, context.options.realm));
};
