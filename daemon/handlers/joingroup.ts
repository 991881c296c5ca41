import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';

/** joingroup <group>: joins an existing group. */
export const joingroup: Handler = async (request, context) => {
  const group = await context.store.groupName(request.params.group as string);
  if (group === undefined) return error('GROUP_NOT_FOUND');
  if (!await context.store.addMember(group, sessionOf(context).username, context.clock.now())) return error('ALREADY_MEMBER');
  return ok(OK_MESSAGES.joingroup, {group});
};
