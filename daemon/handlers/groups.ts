import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import type {GroupSummary} from '../../common/protocol/reply-shapes.js';
import {sessionOf, type Handler} from '../context.js';
import {requestedPage} from './list-page.js';

/**
 * groups [limit] [after]: one page of groups by name (case-insensitive), those after `after`, with their member
 * count and whether the caller is a member; `more` when groups follow (ask again with the last name as `after`).
 */
export const groups: Handler = async (request, context) => {
  const page = requestedPage(request, context.options);
  const rows = await context.store.listGroups(sessionOf(context).username, page);
  return ok(OK_MESSAGES.groups, {
    groups: rows.slice(0, page.shown).map((group): GroupSummary => ({name: group.name, members: group.members, member: group.isMember})),
    more: rows.length > page.shown,
  });
};
