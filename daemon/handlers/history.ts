import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import type {Conversation} from '../../common/protocol/request.js';
import {sessionOf, type Handler} from '../context.js';
import {pageBytesOf, toWireMessage, withFileContents} from '../wire-format.js';
import {resolveConversation} from './conversation-target.js';

/**
 * history <user|group:NAME>[@realm] [limit] [before_id]: the newest `limit` messages of a conversation older than
 * before_id, oldest first, read or not. Marks nothing read.
 */
export const history: Handler = (request, context) => {
  const {username} = sessionOf(context);
  const {store, options} = context;
  const resolved = resolveConversation(context, username, request.params.conversation as Conversation);
  if (!resolved.ok) return resolved.reply;
  const {target} = resolved;
  const limit = Math.min(Math.max(Number(request.params.limit ?? options.historyDefaultLimit), 1), options.historyMaxLimit);
  const query = {limit: limit + 1, beforeId: request.params.before_id as number | undefined};
  // A group of another realm has only that realm's members: what this realm holds of it is what its users sent
  // there, and each user sees only their own (not what colleagues wrote to a group they may not be in).
  const rows = target.kind === 'group'
    ? store.groupHistory(target.name, target.realm, query, target.realm === undefined ? undefined : username)
    : store.privateHistory(username, target.name, target.realm, query);
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
  const reader = {name: username};
  const messages = withFileContents(page.map((message) => toWireMessage(message, options.realm, reader)), page, (sha) => store.readBlob(sha));
  return ok(OK_MESSAGES.history, {messages, more});
};
