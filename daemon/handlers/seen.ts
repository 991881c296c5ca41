import {ok, OK_MESSAGES} from '../../common/protocol/replies.js';
import {UNREAD_CAP, type WireSeen} from '../../common/protocol/reply-shapes.js';
import type {Conversation} from '../../common/protocol/request.js';
import {sessionOf, type Handler} from '../context.js';
import {resolveConversation} from './conversation-target.js';

/**
 * seen <conversation> <message_id>: moves the caller's read marker of a conversation forward (never back, and at
 * most to its newest message). Independent of inbox: it neither drains nor is moved by it.
 */
export const seen: Handler = async (request, context) => {
  const {username} = sessionOf(context);
  const resolved = await resolveConversation(context, username, request.params.conversation as Conversation);
  if (!resolved.ok) return resolved.reply;
  const record = await context.store.markSeen(username, resolved.target, request.params.message_id as number);
  const marker: WireSeen = {
    conversation: record.conversation,
    seen: record.seenId,
    unread: Math.min(record.unread, UNREAD_CAP),
    mentions: Math.min(record.mentions, UNREAD_CAP),
  };
  return ok(OK_MESSAGES.seen, marker);
};
