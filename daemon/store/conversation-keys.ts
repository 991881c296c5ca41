/**
 * Who sees a stored message in their history, and under which conversation name: the keys of the per-user
 * conversation rows and of the search index's visibility column. Pure.
 *
 * A conversation name is exactly a `history` target: `bob`, `group:devs`, `carol@beta`, `group:devs@beta`.
 */
import type {ConversationTarget, NewMessage, StoredMessage} from './types.js';

/** The parties of a message, as the store keeps them. */
type Parties = Pick<NewMessage, 'sender' | 'senderRealm' | 'recipient' | 'recipientRealm' | 'group'>;

/** The local users a message belongs to: every member of a local group, or the listed users. */
export type Audience =
  | {kind: 'group'; group: string; conversation: string}
  | {kind: 'users'; entries: Array<{username: string; conversation: string}>};

/** The conversation name of a target: `bob`, `group:devs`, `carol@beta`, `group:devs@beta`. */
export function conversationName(target: ConversationTarget): string {
  const base = target.kind === 'group' ? `group:${target.name}` : target.name;
  return target.realm === undefined ? base : `${base}@${target.realm}`;
}

/**
 * The audience of a message. Delivery-failure notices (a sender that is no username) belong to no conversation:
 * no `history` target reaches them.
 */
export function audienceOf(message: Parties): Audience {
  const {sender, senderRealm, recipient, recipientRealm, group} = message;
  if (senderRealm === undefined && !isUsername(sender)) return {kind: 'users', entries: []};
  if (group !== undefined) {
    // A group of this realm (whoever sent it); or this user's copy of what they sent to another realm's group.
    if (recipientRealm === undefined) return {kind: 'group', group, conversation: `group:${group}`};
    return {kind: 'users', entries: [{username: sender, conversation: `group:${group}@${recipientRealm}`}]};
  }
  if (recipient === undefined) return {kind: 'users', entries: []};
  if (senderRealm !== undefined) return {kind: 'users', entries: [{username: recipient, conversation: `${sender}@${senderRealm}`}]};
  if (recipientRealm !== undefined) return {kind: 'users', entries: [{username: sender, conversation: `${recipient}@${recipientRealm}`}]};
  if (sender.toLowerCase() === recipient.toLowerCase()) return {kind: 'users', entries: [{username: sender, conversation: sender}]};
  return {kind: 'users', entries: [{username: sender, conversation: recipient}, {username: recipient, conversation: sender}]};
}

/** The conversation a message is in for a reader who can see it (search results). */
export function conversationFor(message: StoredMessage, reader: string): string {
  const audience = audienceOf(message);
  if (audience.kind === 'group') return audience.conversation;
  const mine = audience.entries.find((entry) => entry.username.toLowerCase() === reader.toLowerCase());
  return mine?.conversation ?? audience.entries[0]?.conversation ?? message.sender;
}

// ---- the search index's visibility column -------------------------------------------------------------------------
// Tokens of letters and digits only (the index's tokenizer splits on anything else): hex of the lower-cased names.
// Migration 6 builds the same tokens in SQL (`'u' || hex(lower(name))`); the tokenizer folds the hex's case.

const hex = (text: string): string => Buffer.from(text.toLowerCase(), 'utf8').toString('hex');

/** Every private message (and remote-group copy) a local user is a party of. */
export function userToken(username: string): string {
  return `u${hex(username)}`;
}

/** Every message of a local group. */
export function groupToken(group: string): string {
  return `g${hex(group)}`;
}

/** One user's conversation other than a local group (`bob`, `carol@beta`, `group:devs@beta`). */
export function conversationToken(username: string, conversation: string): string {
  return `c${hex(`${username}|${conversation}`)}`;
}

/**
 * The same tokens in SQL, over a row of `messages` (SQLite's lower() folds ASCII only, and names are ASCII; its
 * hex() writes capitals, which the index's tokenizer folds). The search indexer builds a slice with it in one
 * INSERT … SELECT, and migration 6's backfill used it: change it only with a migration that rebuilds the index.
 */
export const SCOPE_TOKENS_SQL = `CASE
          WHEN group_name IS NOT NULL AND recipient_realm IS NULL THEN 'g' || hex(lower(group_name))
          WHEN group_name IS NOT NULL THEN 'u' || hex(lower(sender))
            || ' c' || hex(lower(sender || '|group:' || group_name || '@' || recipient_realm))
          WHEN sender_realm IS NOT NULL THEN 'u' || hex(lower(recipient))
            || ' c' || hex(lower(recipient || '|' || sender || '@' || sender_realm))
          WHEN recipient_realm IS NOT NULL THEN 'u' || hex(lower(sender))
            || ' c' || hex(lower(sender || '|' || recipient || '@' || recipient_realm))
          WHEN lower(sender) = lower(recipient) THEN 'u' || hex(lower(sender)) || ' c' || hex(lower(sender || '|' || sender))
          ELSE 'u' || hex(lower(sender)) || ' c' || hex(lower(sender || '|' || recipient))
            || ' u' || hex(lower(recipient)) || ' c' || hex(lower(recipient || '|' || sender))
          END`;

/** The visibility tokens of a message: who may find it, and in which conversation. */
export function scopeTokensOf(message: Parties): string {
  const audience = audienceOf(message);
  if (audience.kind === 'group') return groupToken(audience.group);
  return audience.entries.flatMap((entry) => [userToken(entry.username), conversationToken(entry.username, entry.conversation)]).join(' ');
}

/** A local username (a notice's sender, `~realmchat`, is not one). */
function isUsername(name: string): boolean {
  return !name.startsWith('~');
}
