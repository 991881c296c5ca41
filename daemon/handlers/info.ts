import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {toWireUser} from '../../common/protocol/reply-shapes.js';

/** info [username]: a user's public profile; the caller's own without a name. */
export const info: Handler = async (request, context) => {
  const user = await context.store.getUser((request.params.username as string | undefined) ?? sessionOf(context).username);
  if (!user) return error('USER_NOT_FOUND');
  const profile = toWireUser(user, context.options.realm, await context.store.groupsOf(user.username));
  // The course CLI prints only `message` for info, so it carries a readable summary too.
  return ok(`${OK_MESSAGES.info}: ${user.username} (${user.fullName}, ${user.country}), realm ${context.options.realm}`, {user: profile});
};
