import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';

/** logout: ends the session at once (on every connection that uses its token). */
export const logout: Handler = async (_request, context) => {
  const {token, username} = sessionOf(context);
  await context.sessions.end(token);
  context.bindSession(undefined);
  // Wake this user's long polls: one waiting with the dead token must answer now, not after its wait.
  context.inboxWaiters.notify(username);
  return ok(OK_MESSAGES.logout);
};
