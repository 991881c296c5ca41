import {error, ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import type {Conversation} from '../../common/protocol/request.js';
import {sessionOf, type Handler} from '../context.js';
import {pageBytesOf, toWireMessage, withFileContents} from '../wire-format.js';

/**
 * history <user|group:NAME>[@realm] [limit] [before_id]: the newest `limit` messages of a conversation older than
 * before_id, oldest first, read or not. Marks nothing read.
 */
export const history: Handler = async (request, context) => {
  const {username} = sessionOf(context);
  const {store, options} = context;
  const target = request.params.conversation as Conversation;
  // Remote messages carry the linked realm's stored spelling; the user may type it in any case.
  const realm = target.realm === undefined || target.realm.toLowerCase() === options.realm.toLowerCase()
    ? undefined
    : context.federation.realmName(target.realm) ?? target.realm;
  if (realm !== undefined && !context.federation.has(realm)) return error('REALM_NOT_FOUND');
  const limit = Math.min(Math.max(Number(request.params.limit ?? options.historyDefaultLimit), 1), options.historyMaxLimit);
  const query = {limit: limit + 1, beforeId: request.params.before_id as number | undefined};
  let rows;
  if (target.kind === 'group') {
    if (realm === undefined) {
      const group = await store.groupName(target.name);
      if (group === undefined) return error('GROUP_NOT_FOUND');
      if (!await store.isMember(group, username)) return error('NOT_A_MEMBER');
      rows = await store.groupHistory(group, undefined, query);
    } else {
      // A group of another realm has only that realm's members: what this realm holds of it is what its users sent
      // there, and each user sees only their own (not what colleagues wrote to a group they may not be in).
      rows = await store.groupHistory(target.name, realm, query, username);
    }
  } else {
    if (realm === undefined && !await store.getUser(target.name)) return error('USER_NOT_FOUND');
    rows = await store.privateHistory(username, target.name, realm, query);
  }
  // One extra row was fetched to tell whether older messages remain.
  let more = rows.length > limit;
  let page = more ? rows.slice(1) : rows;
  // Like inbox, a page stops once its text passes historyMaxBytes (the newest message always fits).
  let bytes = 0;
  let start = page.length;
  while (start > 0) {
    bytes += pageBytesOf(page[start - 1]!);
    if (start < page.length && bytes > options.historyMaxBytes) break;
    start--;
  }
  if (start > 0) {
    page = page.slice(start);
    more = true;
  }
  const messages = await withFileContents(page.map((message) => toWireMessage(message, options.realm)), page, (sha) => store.readBlob(sha));
  return ok(OK_MESSAGES.history, {messages, more});
};
