import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import type {GroupSummary} from '../../common/protocol/reply-shapes.js';
import {sessionOf, type Handler} from '../context.js';

/** groups: every group with its member count and whether the caller is a member. */
export const groups: Handler = (_request, context) => {
  const list = context.store.listGroups(sessionOf(context).username);
  return ok(OK_MESSAGES.groups, {
    groups: list.map((group): GroupSummary => ({name: group.name, members: group.members, member: group.isMember})),
  });
};
