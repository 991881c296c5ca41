import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';

/** addgroup <group>: creates a group; the creator becomes its first member. A user may create maxGroupsPerUser. */
export const addgroup: Handler = async (request, context) => {
  const group = request.params.group as string;
  const {username} = sessionOf(context);
  if ((await context.store.groupName(group)) !== undefined) return error('GROUP_EXISTS');
  if ((await context.store.groupsCreatedBy(username)) >= context.options.maxGroupsPerUser) {
    return error('TOO_MANY_GROUPS', {max_groups: context.options.maxGroupsPerUser});
  }
  if (!await context.store.createGroup(group, username, context.clock.now())) return error('GROUP_EXISTS');
  return ok(OK_MESSAGES.addgroup, {group});
};
