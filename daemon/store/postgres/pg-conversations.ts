/**
 * The SQL of conversations, read markers, search and refused copies on PostgreSQL: the twins of
 * sqlite-conversations.ts and of SQLite's #dropSenderCopy, each one statement (one round trip). The rows are written
 * by the message inserts (pg-messages.ts MESSAGE_CTES).
 */
import {UNREAD_CAP} from '../../../common/protocol/reply-shapes.js';
import {conversationName} from '../conversation-keys.js';
import {plainWord} from '../search-rank.js';
import {SEARCH_CANDIDATES, type ConversationRecord, type ConversationTarget, type SearchQuery} from '../types.js';
import {COLUMNS, FILE_JOIN} from './pg-messages.js';

/** A conversation row as the reads return it. */
export interface PgConversationRow {
  conversation: string;
  last_id: number;
  seen_id: number;
  unread: number;
  mentions: number;
}

export const toConversation = (row: PgConversationRow): ConversationRecord => ({
  conversation: row.conversation, lastId: Number(row.last_id), seenId: Number(row.seen_id), unread: row.unread, mentions: row.mentions,
});

/** A page of a user's conversations, newest first (ties as SQLite's index walks them): ($1 me, $2 before, $3 limit). */
export const LIST_CONVERSATIONS = `
  SELECT conversation::text, last_id, seen_id, unread, mentions FROM conversations
  WHERE username = $1 AND last_id < $2 ORDER BY last_id DESC, conversation DESC LIMIT $3`;

/** The newest message of a local group `g` (a new member's row starts there, read: a history is not a backlog). */
const lastOfGroup = (group: string) => `coalesce((SELECT id FROM messages
  WHERE group_name = ${group} AND recipient_realm IS NULL AND recipient IS NULL ORDER BY id DESC LIMIT 1), 0)`;

/** Adds member $2 to group $1 at $3 with their conversation row; one row back when they were not a member. */
export const ADD_MEMBER = `
  WITH added AS (
    INSERT INTO group_members (group_name, username, joined_at)
    SELECT $1::citext, $2::citext, $3 WHERE EXISTS (SELECT 1 FROM groups WHERE name = $1::citext)
      AND EXISTS (SELECT 1 FROM users WHERE username = $2::citext)
    ON CONFLICT DO NOTHING RETURNING 1
  ), joined AS (
    INSERT INTO conversations (username, conversation, last_id, seen_id)
    SELECT $2::citext, 'group:' || $1::text, l.last, l.last FROM added, (SELECT ${lastOfGroup('$1::citext')} AS last) AS l
    ON CONFLICT DO NOTHING
  )
  SELECT 1 FROM added`;

/** The row of a creator in their new group ($1 group, $2 creator), as ADD_MEMBER's. */
export const JOIN_CREATED = (created: string) => `
  INSERT INTO conversations (username, conversation, last_id, seen_id)
  SELECT $2::citext, 'group:' || $1::text, l.last, l.last FROM ${created}, (SELECT ${lastOfGroup('$1::citext')} AS last) AS l
  ON CONFLICT DO NOTHING`;

/**
 * Moves a read marker (see Store.markSeen) in one statement: ($1 me, $2 conversation, $3 message id, then the
 * recount's own). A marker short of the newest message recounts with range counts capped at UNREAD_CAP.
 */
export function markSeenQuery(username: string, target: ConversationTarget, messageId: number): {text: string; params: unknown[]} {
  const name = conversationName(target);
  const capped = (rows: string) => `(SELECT count(*)::int FROM (${rows} LIMIT ${UNREAD_CAP}) AS capped)`;
  let unread = '0';
  let mentions = '0';
  const params: unknown[] = [username, name, messageId];
  if (target.kind === 'user') {
    const self = target.realm === undefined && target.name.toLowerCase() === username.toLowerCase();
    if (!self) {
      params.push(target.name, target.realm ?? null);
      unread = capped(`SELECT 1 FROM messages WHERE sender = $4::citext AND recipient = $1::citext AND id > n.seen
        AND sender_realm IS NOT DISTINCT FROM $5::text AND recipient_realm IS NULL AND group_name IS NULL`);
    }
  } else if (target.realm === undefined) {
    // In another realm's group this realm holds only the user's own messages: nothing is unread there.
    params.push(target.name);
    unread = capped(`SELECT 1 FROM messages WHERE group_name = $4::citext AND id > n.seen AND recipient_realm IS NULL
      AND recipient IS NULL AND NOT (sender = $1::citext AND sender_realm IS NULL)`);
    mentions = capped('SELECT 1 FROM mentions WHERE username = $1 AND conversation = $2 AND message_id > n.seen');
  }
  const text = `
    WITH cur AS (
      SELECT conversation::text, last_id, seen_id, unread, mentions FROM conversations
      WHERE username = $1 AND conversation = $2 FOR UPDATE
    ), n AS (
      -- A marker past the newest message would hide the next ones: it stops at the newest.
      SELECT least($3::bigint, last_id) AS seen, last_id FROM cur WHERE least($3::bigint, last_id) > seen_id
    ), counted AS (
      SELECT n.seen, CASE WHEN n.seen >= n.last_id THEN 0 ELSE ${unread} END AS unread,
             CASE WHEN n.seen >= n.last_id THEN 0 ELSE ${mentions} END AS mentions
      FROM n
    ), updated AS (
      UPDATE conversations c SET seen_id = k.seen, unread = k.unread, mentions = k.mentions FROM counted k
      WHERE c.username = $1 AND c.conversation = $2
    ), forgot AS (
      DELETE FROM mentions m USING counted k WHERE m.username = $1 AND m.conversation = $2 AND m.message_id <= k.seen
    )
    SELECT c.conversation, c.last_id, coalesce(k.seen, c.seen_id) AS seen_id, coalesce(k.unread, c.unread) AS unread,
           coalesce(k.mentions, c.mentions) AS mentions
    FROM cur c LEFT JOIN counted k ON true`;
  return {text, params};
}

/** The length a last word needs to match as a prefix (SQLite's index keeps 3-letter prefixes; the same rule here). */
const PREFIX_MIN = 3;

/**
 * The tsquery of a search ('simple' config): every word, the last as a prefix (`:*`) when it has at least three
 * letters, as on SQLite, so both stores hand search-rank.ts the same candidates. Words are letters and digits only.
 */
export function searchTsQuery(query: SearchQuery): string {
  return query.words.map((word, index) => {
    const plain = plainWord(word).toLowerCase().replace(/'/g, '');
    const prefix = index === query.words.length - 1 && [...plain].length >= PREFIX_MIN;
    return `'${plain}'${prefix ? ':*' : ''}`;
  }).join(' & ');
}

/**
 * A search's candidates: the newest SEARCH_CANDIDATES matches in the caller's scope, newest first; search-rank.ts
 * ranks them: ($1 tsquery, $2 scope tokens, $3 before).
 */
export const SEARCH = `
  SELECT ${COLUMNS} FROM (
    SELECT id FROM messages WHERE search @@ to_tsquery('simple', $1) AND scope && $2::text[] AND id < $3
    ORDER BY id DESC LIMIT ${SEARCH_CANDIDATES}
  ) AS hit JOIN messages m ON m.id = hit.id ${FILE_JOIN}
  ORDER BY m.id DESC`;

/**
 * An acknowledgement's deletes, in one statement: the outbox prefix ($1 realm, $2 upto) and the refused sender copies
 * ($3 ids; their conversation's newest message becomes the one before, or the row goes). Returns the blobs they
 * named (sorted): candidates for collection, which later statements of the transaction lock and then delete if
 * nothing names them any more (pg-blobs.ts: not here, where a name another process commits meanwhile is not seen).
 */
export const COMPLETE_OUTBOX = `
  WITH gone AS (
    DELETE FROM outbox WHERE realm = $1 AND seq <= $2 RETURNING seq, file_sha256
  ), dropped AS (
    DELETE FROM messages WHERE id = ANY($3::bigint[]) AND sender_realm IS NULL AND recipient_realm IS NOT NULL
    RETURNING id, sender, recipient, recipient_realm, group_name
  ), candidates AS (
    SELECT file_sha256 AS sha256 FROM gone WHERE file_sha256 IS NOT NULL
    UNION SELECT f.sha256 FROM files f JOIN dropped d ON d.id = f.message_id
  ), conv AS (
    SELECT d.sender AS username,
           CASE WHEN d.group_name IS NOT NULL THEN 'group:' || d.group_name || '@' || d.recipient_realm
                ELSE d.recipient || '@' || d.recipient_realm END AS conversation,
           CASE WHEN d.group_name IS NOT NULL THEN
             (SELECT max(m.id) FROM messages m WHERE m.group_name = d.group_name AND m.recipient_realm = d.recipient_realm
                AND m.recipient IS NULL AND m.sender = d.sender AND m.sender_realm IS NULL AND m.id <> ALL($3::bigint[]))
           ELSE greatest(
             (SELECT max(m.id) FROM messages m WHERE m.sender = d.sender AND m.recipient = d.recipient AND m.sender_realm IS NULL
                AND m.recipient_realm = d.recipient_realm AND m.group_name IS NULL AND m.id <> ALL($3::bigint[])),
             (SELECT max(m.id) FROM messages m WHERE m.sender = d.recipient AND m.recipient = d.sender
                AND m.sender_realm = d.recipient_realm AND m.recipient_realm IS NULL AND m.group_name IS NULL))
           END AS last
    FROM dropped d
  ), moved AS (
    UPDATE conversations c SET last_id = v.last FROM conv v
    WHERE c.username = v.username AND c.conversation = v.conversation::citext AND v.last IS NOT NULL
  ), emptied AS (
    DELETE FROM conversations c USING conv v
    WHERE c.username = v.username AND c.conversation = v.conversation::citext AND v.last IS NULL
  )
  SELECT sha256 FROM candidates ORDER BY sha256`;
