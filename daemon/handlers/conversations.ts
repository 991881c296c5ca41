import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {UNREAD_CAP, type WireConversation} from '../../common/protocol/reply-shapes.js';
import {sessionOf, type Handler} from '../context.js';
import {toWireMessage} from '../wire-format.js';

/** The page size of conversations: 50 unless asked, at most 500. */
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;

/**
 * conversations [limit] [before]: the caller's conversations, newest message first, each with its newest message,
 * the caller's read marker and what is unread after it; groups joined without a message come last, without `last`.
 */
export const conversations: Handler = async (request, context) => {
  const {username} = sessionOf(context);
  const {store, options} = context;
  const limit = Math.min(Math.max(Number(request.params.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  // One row more than the page holds tells whether more follow.
  const rows = await store.listConversations(username, {limit: limit + 1, beforeId: request.params.before as number | undefined});
  const reader = {name: username};
  const entries: WireConversation[] = [];
  for (const row of rows.slice(0, limit)) {
    const entry: WireConversation = {
      conversation: row.conversation,
      kind: row.conversation.startsWith('group:') ? 'group' : 'direct',
      unread: Math.min(row.unread, UNREAD_CAP),
      mentions: Math.min(row.mentions, UNREAD_CAP),
      seen: row.seenId,
    };
    // Stryker disable next-line ConditionalExpression,EqualityOperator: only a cost; ids start at 1, so message(0) finds nothing either
    const last = row.lastId > 0 ? await store.message(row.lastId) : undefined;
    if (last) entry.last = toWireMessage(last, options.realm, reader);
    entries.push(entry);
  }
  return ok(OK_MESSAGES.conversations, {conversations: entries, more: rows.length > limit});
};
