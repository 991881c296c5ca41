import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import type {Handler} from '../context.js';
import {requestedPage} from './list-page.js';

/** getusers [limit] [after]: one page of this realm's usernames by name, as `users: [{username}]`, with `more`. */
export const getusers: Handler = async (request, context) => {
  const page = requestedPage(request, context.options);
  const names = await context.store.listUsers(page);
  return ok(OK_MESSAGES.getusers, {
    users: names.slice(0, page.shown).map((username) => ({username})),
    more: names.length > page.shown,
  });
};
