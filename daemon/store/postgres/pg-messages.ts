/**
 * The SQL of messages on PostgreSQL: one statement stores any number of messages with their files and deliveries
 * (arrays in, built into rows by the database), and the reads of inboxes and histories. Each read walks one index
 * range as its SQLite twin does (daemon/store/sqlite-reads.ts).
 */
import {base64Length} from '../../../common/protocol/files.js';
import {audienceOf, scopeTokensOf} from '../conversation-keys.js';
import {namedIn} from '../mention-names.js';
import {indexWordsOf} from '../search-rank.js';
import type {NewMessage, StoredMessage} from '../types.js';
import type {StoredMessageColumns} from '../message-row.js';

/** A message row as the reads return it. */
export interface PgMessageRow extends StoredMessageColumns {
  /** History rows: whether the reader received this message (only then is `is_read` meaningful). */
  received?: boolean;
  /** History rows: whether the reader has no unread delivery of it. */
  is_read?: boolean;
}

export function toMessage(row: PgMessageRow): StoredMessage {
  const message: StoredMessage = {id: Number(row.id), sender: row.sender, body: row.body, ts: Number(row.ts)};
  if (row.sender_realm !== null) message.senderRealm = row.sender_realm;
  if (row.recipient !== null) message.recipient = row.recipient;
  if (row.recipient_realm !== null) message.recipientRealm = row.recipient_realm;
  if (row.group_name !== null) message.group = row.group_name;
  if (row.received === true) message.read = row.is_read === true;
  if (row.file_sha256 !== null) message.file = {name: row.file_name!, size: Number(row.file_size), sha256: row.file_sha256};
  return message;
}

/** What a message costs a page: its text, and its file's content, which the reply carries too. */
export function pageBytes(row: PgMessageRow): number {
  return Buffer.byteLength(row.body) + base64Length(Number(row.file_size ?? 0));
}

export const COLUMNS = `m.id, m.sender::text, m.sender_realm, m.recipient::text, m.recipient_realm, m.group_name::text, m.body, m.ts,
  f.name AS file_name, f.size AS file_size, f.sha256 AS file_sha256`;
export const FILE_JOIN = 'LEFT JOIN files f ON f.message_id = m.id';

/**
 * Stores messages ($1-$13: one array per column, in order; $11 the words search-rank.ts cuts, $12 the scope tokens,
 * $13 the local group whose members' conversations it is in), their deliveries ($14 recipients, $15 the 1-based index
 * of the message each goes to), and the conversation rows, mentions and search entries SQLite's recordMessage keeps
 * ($16-$20: username, conversation, message index, unread 0/1, mention 0/1 of every other conversation entry); returns
 * the new ids in order. Ids are drawn from the sequence in input order, so history order is message order.
 * Delivering twice to one user is a no-op, never an error. Conversation entries are summed per row first: one
 * INSERT … ON CONFLICT may not touch a row twice, and a batch may hold several messages of one conversation; they
 * are written in one order (by user, then conversation), so two processes' statements lock shared rows in the same
 * order and cannot deadlock each other. `fixedIds` (an array or NULL): ids drawn by an earlier run of the same
 * statement, which a batch run again after a conflict reuses (the rolled-back run's ids went to nobody).
 */
const messageCtes = (fixedIds: string) => `
  WITH input AS MATERIALIZED (
    SELECT coalesce((${fixedIds})[x.ord::int], nextval(pg_get_serial_sequence('messages', 'id'))) AS id, x.*
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[],
                $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[])
      WITH ORDINALITY AS x(sender, sender_realm, recipient, recipient_realm, group_name, body, ts, file_name, file_size,
                           file_sha256, words, scope, conv_group, ord)
  ), stored AS (
    INSERT INTO messages (id, sender, sender_realm, recipient, recipient_realm, group_name, body, ts, search, scope)
    SELECT id, sender, sender_realm, recipient, recipient_realm, group_name, body, ts, to_tsvector('simple', words),
           string_to_array(scope, ' ')
    FROM input ORDER BY ord
    RETURNING id
  ), stored_files AS (
    INSERT INTO files (message_id, name, size, sha256)
    SELECT id, file_name, file_size, file_sha256 FROM input WHERE file_sha256 IS NOT NULL
  ), delivered AS (
    INSERT INTO unread (recipient, message_id)
    SELECT d.recipient, i.id FROM unnest($14::text[], $15::int[]) AS d(recipient, ord) JOIN input i ON i.ord = d.ord
    ON CONFLICT DO NOTHING
  ), entries AS MATERIALIZED (
    SELECT i.id, g.username::text AS username, 'group:' || i.conv_group AS conversation,
           CASE WHEN i.sender_realm IS NULL AND g.username = i.sender::citext THEN 0 ELSE 1 END AS unread, 0 AS mention
    FROM input i JOIN group_members g ON g.group_name = i.conv_group::citext
    UNION ALL
    SELECT i.id, e.username, e.conversation, e.unread, e.mention
    FROM unnest($16::text[], $17::text[], $18::int[], $19::int[], $20::int[]) AS e(username, conversation, ord, unread, mention)
    JOIN input i ON i.ord = e.ord
  ), touched AS (
    INSERT INTO conversations (username, conversation, last_id, unread, mentions)
    SELECT min(username), min(conversation), max(id), sum(unread)::int, sum(mention)::int
    FROM entries GROUP BY lower(username), lower(conversation) ORDER BY lower(username), lower(conversation)
    ON CONFLICT (username, conversation) DO UPDATE SET last_id = greatest(conversations.last_id, excluded.last_id),
      unread = conversations.unread + excluded.unread, mentions = conversations.mentions + excluded.mentions
  ), mentioned AS (
    INSERT INTO mentions (username, conversation, message_id)
    SELECT username, conversation, id FROM entries WHERE mention = 1 ON CONFLICT DO NOTHING
  )`;
export const INSERT_MESSAGES = `${messageCtes('$21::bigint[]')} SELECT array_agg(id ORDER BY ord)::text AS ids FROM input`;

/**
 * Stores a cross-realm message's copies (as INSERT_MESSAGES, no deliveries) and its outbox row ($21 realm, $22 body,
 * $23 time, $24-$25 the file it carries) naming their ids, in one statement.
 */
export const ENQUEUE_OUTBOX = `${messageCtes('NULL::bigint[]')}, queued AS (
    INSERT INTO outbox (realm, body, local_ids, created_at, file_sha256, file_size)
    SELECT $21, $22, coalesce(array_agg(id ORDER BY ord), '{}'), $23, $24::text, $25::bigint FROM input
    RETURNING seq, local_ids
  )
  SELECT seq, local_ids::text FROM queued`;

/** The parameters of INSERT_MESSAGES for `messages`, each with its recipients ($21, the fixed ids, comes after). */
export function insertMessagesParams(messages: ReadonlyArray<{message: NewMessage; recipients: readonly string[]}>): unknown[] {
  const column = <T>(pick: (message: NewMessage) => T) => messages.map(({message}) => pick(message));
  const recipients: string[] = [];
  const targets: number[] = [];
  const entries: ConversationEntries = {usernames: [], conversations: [], targets: [], unread: [], mentions: []};
  messages.forEach(({message, recipients: to}, index) => {
    for (const name of to) {
      recipients.push(name);
      targets.push(index + 1);
    }
    addConversationEntries(entries, index + 1, message, to);
  });
  return [
    column((m) => m.sender), column((m) => m.senderRealm ?? null), column((m) => m.recipient ?? null),
    column((m) => m.recipientRealm ?? null), column((m) => m.group ?? null), column((m) => m.body), column((m) => m.ts),
    column((m) => m.file?.name ?? null), column((m) => m.file?.size ?? null), column((m) => m.file?.sha256 ?? null),
    column((m) => indexWordsOf(m.body).join(' ')), column((m) => scopeTokensOf(m)),
    column((m) => { const audience = audienceOf(m); return audience.kind === 'group' ? audience.group : null; }),
    recipients, targets,
    entries.usernames, entries.conversations, entries.targets, entries.unread, entries.mentions,
  ];
}

/** Conversation entries other than a local group's members (parameters $16-$20 of INSERT_MESSAGES). */
interface ConversationEntries {
  usernames: string[];
  conversations: string[];
  targets: number[];
  unread: number[];
  mentions: number[];
}

/** What SQLite's recordMessage writes for one message, as rows of parameters (the group's members come from SQL). */
function addConversationEntries(entries: ConversationEntries, target: number, message: NewMessage, recipients: readonly string[]): void {
  const push = (username: string, conversation: string, unread: number, mention: number) => {
    entries.usernames.push(username);
    entries.conversations.push(conversation);
    entries.targets.push(target);
    entries.unread.push(unread);
    entries.mentions.push(mention);
  };
  const audience = audienceOf(message);
  if (audience.kind === 'group') {
    // Recipients of a group message are its members but the local sender: the names it holds are found among them.
    const named = new Set(namedIn(message.body));
    for (const username of recipients) if (named.has(username.toLowerCase())) push(username, audience.conversation, 0, 1);
    return;
  }
  for (const entry of audience.entries) {
    const own = message.senderRealm === undefined && entry.username.toLowerCase() === message.sender.toLowerCase();
    push(entry.username, entry.conversation, own ? 0 : 1, 0);
  }
}

/** The ids INSERT_MESSAGES returned (as text: '{1,2}'). */
export function parseIds(text: string | null): number[] {
  if (!text || text === '{}') return [];
  return text.slice(1, -1).split(',').map(Number);
}

/** Filters of an inbox: all, from one realm (NULL: local senders), from one local user. */
export const INBOX_FILTERS = {
  all: '$3::text IS NULL',
  realm: 'm.sender_realm IS NOT DISTINCT FROM $3::text',
  sender: 'm.sender = $3::citext AND m.sender_realm IS NULL',
} as const;

/** Unread messages of $1 in arrival order, at most $2, with a filter on $3. */
export function unreadSql(filter: keyof typeof INBOX_FILTERS): string {
  return `
    SELECT ${COLUMNS} FROM unread u JOIN messages m ON m.id = u.message_id ${FILE_JOIN}
    WHERE u.recipient = $1 AND (${INBOX_FILTERS[filter]}) ORDER BY u.message_id LIMIT $2`;
}

/**
 * Takes (deletes and returns) one page of $1's unread messages: at most $2, and no more than $4 bytes (text plus
 * base64 of files; one message always fits), with a filter on $3. Rows another drain holds are skipped (SKIP
 * LOCKED), so two processes draining one inbox at once never hand out the same message. `more`: rows remained.
 */
export function takeUnreadSql(filter: keyof typeof INBOX_FILTERS): string {
  return `
    WITH candidates AS (
      SELECT u.message_id FROM unread u JOIN messages m ON m.id = u.message_id
      WHERE u.recipient = $1 AND (${INBOX_FILTERS[filter]})
      ORDER BY u.message_id LIMIT $2::int + 1 FOR UPDATE OF u SKIP LOCKED
    ), sized AS (
      SELECT c.message_id, row_number() OVER w AS n,
             sum(octet_length(m.body) + 4 * ((coalesce(f.size, 0) + 2) / 3)) OVER w AS bytes
      FROM candidates c JOIN messages m ON m.id = c.message_id ${FILE_JOIN.replace('m.id', 'c.message_id')}
      WINDOW w AS (ORDER BY c.message_id)
    ), taken AS (
      DELETE FROM unread u USING sized s
      WHERE u.recipient = $1 AND u.message_id = s.message_id AND s.n <= $2 AND (s.n = 1 OR s.bytes <= $4)
      RETURNING u.message_id
    )
    SELECT ${COLUMNS}, (SELECT count(*) FROM candidates)::int AS candidates
    FROM taken t JOIN messages m ON m.id = t.message_id ${FILE_JOIN} ORDER BY m.id`;
}

export const MESSAGE_BY_ID = `SELECT ${COLUMNS} FROM messages m ${FILE_JOIN} WHERE m.id = $1`;

/** One direction of a private conversation, newest first, at most a page. */
function privateBranch(from: string, fromRealm: string, to: string, toRealm: string): string {
  return `SELECT id FROM messages
    WHERE sender = ${from} AND recipient = ${to} AND id < $4
      AND sender_realm IS NOT DISTINCT FROM ${fromRealm} AND recipient_realm IS NOT DISTINCT FROM ${toRealm}
      AND group_name IS NULL
    ORDER BY id DESC LIMIT $5`;
}

/** A page of a private conversation, newest first: ($1 me, $2 peer, $3 peer realm, $4 before, $5 limit). */
export const PRIVATE_HISTORY = `
  SELECT ${COLUMNS}, (m.recipient = $1::citext AND m.recipient_realm IS NULL) AS received, u.recipient IS NULL AS is_read
  FROM ((${privateBranch('$1::citext', 'NULL', '$2::citext', '$3::text')})
        UNION ALL
        (SELECT id FROM (${privateBranch('$2::citext', '$3::text', '$1::citext', 'NULL')}) AS back
         WHERE NOT ($3::text IS NULL AND $1::citext = $2::citext))) AS page
  JOIN messages m ON m.id = page.id ${FILE_JOIN}
  LEFT JOIN unread u ON u.recipient = $1::citext AND u.message_id = m.id
  ORDER BY m.id DESC LIMIT $5`;

/** A page of a group conversation, newest first: ($1 group, $2 realm, $3 sender or NULL, $4 before, $5 limit). */
export const GROUP_HISTORY = `
  SELECT ${COLUMNS} FROM messages m ${FILE_JOIN}
  WHERE m.group_name = $1::citext AND m.recipient_realm IS NOT DISTINCT FROM $2::text AND m.recipient IS NULL AND m.id < $4
    AND ($3::citext IS NULL OR (m.sender = $3::citext AND m.sender_realm IS NULL))
  ORDER BY m.id DESC LIMIT $5`;
