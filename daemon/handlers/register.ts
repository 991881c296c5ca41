import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {toWireLogin} from '../../common/protocol/reply-shapes.js';
import type {Handler} from '../context.js';
import {hashPassword} from '../passwords.js';

/** register <username> <password> <nama…> <negara>: creates the account and logs it in. */
export const register: Handler = async (request, context) => {
  const username = request.params.username as string;
  // Stryker disable next-line ConditionalExpression: createUser below refuses a taken name with the same reply; this only spares a hash
  if (await context.store.getUser(username)) return error('USER_EXISTS');
  // Hashing takes its fair turn with logins (limits/hash-queue.ts).
  const verifier = await context.limits.hashing.run(context.peer, username,
    () => hashPassword(request.params.password as string, context.options.scryptCost));
  // Checked again after the hash: another connection may have taken the name meanwhile.
  const user = {username, fullName: request.fullName!, country: request.country!, createdAt: context.clock.now()};
  if (!await context.store.createUser(user, verifier)) return error('USER_EXISTS');
  const session = await context.sessions.create(username);
  context.bindSession(session);
  return ok(OK_MESSAGES.register, toWireLogin(session.token, username, context.options.realm));
};
