import {ok, OK_MESSAGES, type Reply} from '../../common/protocol/replies.js';
import type {WireSearchResult} from '../../common/protocol/reply-shapes.js';
import type {SearchScope} from '../../common/protocol/request.js';
import {sessionOf, type Handler, type RequestContext} from '../context.js';
import {conversationFor, conversationName, conversationToken, groupToken, userToken} from '../store/conversation-keys.js';
import {toWireMessage} from '../wire-format.js';
import {resolveConversation} from './conversation-target.js';

/** The page size of search: 20 unless asked, at most 100. */
const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

/**
 * search <words> [conversation|*] [limit] [before]: the caller's messages holding every word (the last also as a
 * prefix), best match first, newest first on ties. Only what the caller could read with history: the index query
 * itself carries the caller's visibility (their private messages, their groups, one conversation).
 */
export const search: Handler = async (request, context) => {
  const {username} = sessionOf(context);
  const scope = await scopeOf(context, username, (request.params.conversation as SearchScope | undefined) ?? '*');
  if (!Array.isArray(scope)) return scope;
  const limit = Math.min(Math.max(Number(request.params.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  const page = await context.store.searchMessages({
    words: request.params.text as readonly string[], scope, limit: limit + 1, beforeId: request.params.before as number | undefined,
  });
  const reader = {name: username};
  // Like conversations' `last`, a result names its file but leaves the content to getfile.
  const results: WireSearchResult[] = page.messages.slice(0, limit).map((message) =>
    ({...toWireMessage(message, context.options.realm, reader), conversation: conversationFor(message, username)}));
  // Older messages were not looked at (the newest matches were enough, or the work budget ran out): say where to go on.
  if (page.nextBefore !== undefined) return ok(OK_MESSAGES.search, {results, more: true, next_before: page.nextBefore});
  return ok(OK_MESSAGES.search, {results, more: page.messages.length > limit});
};

/** The visibility tokens of a search (store/conversation-keys.ts), or the refusal of the named conversation. */
async function scopeOf(context: RequestContext, username: string, scope: SearchScope): Promise<string[] | Reply> {
  if (scope === '*') return [userToken(username), ...(await context.store.groupsOf(username)).map(groupToken)];
  const resolved = await resolveConversation(context, username, scope);
  if (!resolved.ok) return resolved.reply;
  const {target} = resolved;
  if (target.kind === 'group' && target.realm === undefined) return [groupToken(target.name)];
  return [conversationToken(username, conversationName(target))];
}
