import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';

/** logout: ends the session at once (on every connection that uses its token). */
export const logout: Handler = (_request, context) => {
  context.sessions.end(sessionOf(context).token);
  context.bindSession(undefined);
  return ok(OK_MESSAGES.logout);
};
