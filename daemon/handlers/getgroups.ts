import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {requestedPage} from './list-page.js';

/** getgroups [limit] [after]: one page of groups by name, as `groups: [{group, members: [usernames]}]`, with `more`. */
export const getgroups: Handler = async (request, context) => {
  const page = requestedPage(request, context.options);
  const rows = await context.store.listGroups(sessionOf(context).username, page);
  const groups = [];
  for (const group of rows.slice(0, page.shown)) groups.push({group: group.name, members: await context.store.members(group.name)});
  return ok(OK_MESSAGES.getgroups, {
    groups,
    more: rows.length > page.shown,
  });
};
