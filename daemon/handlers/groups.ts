import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import type {GroupSummary} from '../../common/protocol/reply-shapes.js';
import {sessionOf, type Handler} from '../context.js';

/**
 * groups [limit] [after]: one page of groups by name (case-insensitive), those after `after`, with their member
 * count and whether the caller is a member; `more` when groups follow (ask again with the last name as `after`).
 */
export const groups: Handler = (request, context) => {
  const {options} = context;
  const limit = Math.min(Math.max(Number(request.params.limit ?? options.groupsDefaultLimit), 1), options.groupsMaxLimit);
  // One extra row tells whether more follow.
  const rows = context.store.listGroups(sessionOf(context).username, {limit: limit + 1, after: (request.params.after as string | undefined) ?? ''});
  const page = rows.slice(0, limit);
  return ok(OK_MESSAGES.groups, {
    groups: page.map((group): GroupSummary => ({name: group.name, members: group.members, member: group.isMember})),
    more: rows.length > limit,
  });
};
