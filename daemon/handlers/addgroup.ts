import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';

/** addgroup <group>: creates a group; the creator becomes its first member. */
export const addgroup: Handler = (request, context) => {
  const group = request.params.group as string;
  if (!context.store.createGroup(group, sessionOf(context).username, context.clock.now())) return error('GROUP_EXISTS');
  return ok(OK_MESSAGES.addgroup, {group});
};
