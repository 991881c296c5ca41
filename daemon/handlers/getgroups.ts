import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {sessionOf, type Handler} from '../context.js';
import {requestedPage} from './list-page.js';

/** getgroups [limit] [after]: one page of groups by name, as `groups: [{group, members: [usernames]}]`, with `more`. */
export const getgroups: Handler = (request, context) => {
  const page = requestedPage(request, context.options);
  const rows = context.store.listGroups(sessionOf(context).username, page);
  return ok(OK_MESSAGES.getgroups, {
    groups: rows.slice(0, page.shown).map((group) => ({group: group.name, members: context.store.members(group.name)})),
    more: rows.length > page.shown,
  });
};
