/**
 * The SQL of the store's hot reads: the ones every inbox, long poll and history page runs. Each must cost the same
 * on an empty database and on one with millions of messages, so each walks one index range (naming the index where
 * SQLite's planner, which has no statistics, could pick another) and reads at most one page from its end.
 * test/store/sqlite-query-plans.test.ts holds them to that.
 *
 * A LIMIT is always written `LIMIT ? + 0`, never `LIMIT ?`: SQLite marks a statement whose LIMIT is a bare parameter
 * to be prepared again every time that parameter is bound (the value might change the plan), which measured 8 µs
 * more per run here, more than the whole read of an empty inbox. An expression is not looked into.
 */

import type {StoredMessageColumns} from './message-row.js';

/** The values of a message row but its text, in MESSAGE_ROW_FIELDS' order. */
const MESSAGE_VALUES = 'm.id, m.sender, m.sender_realm, m.recipient, m.recipient_realm, m.group_name, m.ts, f.name, f.size, f.sha256';

/**
 * A message as two columns, the only ones of every message read (`.raw()`; messageRowOf reads them): a JSON array
 * of its values and its text. Why not a column each: better-sqlite3 makes every column with a V8 runtime call
 * (about 1,400 instructions each under callgrind as a property of a row object, 900 in raw mode), while SQLite's
 * json_array and V8's JSON.parse make the small values in one string: per message of an inbox page, 29,500
 * instructions as an object, 18,100 as a raw array, 11,200 all in JSON. Why not the text in the JSON too: json_array
 * escapes it and JSON.parse scans it again, and a page of long texts then cost twice as much (500 messages of 2 KiB:
 * 2.2–3.4 ms of CPU with the text apart, 6.7–9.2 ms inside the JSON).
 */
export const MESSAGE_ROW = `json_array(${MESSAGE_VALUES}) AS row, m.body AS body`;

/** A message read's row as better-sqlite3 returns it in raw mode: MESSAGE_ROW's two columns. */
export type RawMessageRow = [json: string, body: string];

/** A message row of the SQLite store; history rows also say whether the reader received it and has read it. */
export interface MessageRow extends StoredMessageColumns {
  /** History rows: 1 when the reader received this message (only then is `is_read` meaningful). */
  received?: number;
  /** History rows: 1 when the reader has no unread delivery of it. */
  is_read?: number;
}

/** The fields of a message row in the order of its JSON array: MESSAGE_ROW's, then a history read's two. */
export const MESSAGE_ROW_FIELDS = [
  'id', 'sender', 'sender_realm', 'recipient', 'recipient_realm', 'group_name', 'ts',
  'file_name', 'file_size', 'file_sha256', 'received', 'is_read',
] as const;

/** Reads the two columns of a message read (MESSAGE_ROW) into a MessageRow, one object shape for every row. */
export function messageRowOf([json, body]: RawMessageRow): MessageRow {
  const value = JSON.parse(json) as unknown[];
  return {
    id: value[0] as number, sender: value[1] as string, sender_realm: value[2] as string | null,
    recipient: value[3] as string | null, recipient_realm: value[4] as string | null, group_name: value[5] as string | null,
    body, ts: value[6] as number,
    file_name: value[7] as string | null, file_size: value[8] as number | null, file_sha256: value[9] as string | null,
    received: value[10] as number | undefined, is_read: value[11] as number | undefined,
  };
}

/** The file of a message, if it is a file message (one primary-key probe). */
export const FILE_JOIN = 'LEFT JOIN files f ON f.message_id = m.id';

/** The indexer's high-water mark: messages up to it are in message_pairs (search-indexer.ts). */
const INDEXED_UPTO = '(SELECT indexed_upto FROM search_progress)';

/**
 * One direction of a private conversation as far as message_pairs holds it, newest first, at most a page (see
 * READS.privateHistory). The parties are checked on the message too: an entry can never show a message that is not
 * between them, even one whose id was reused.
 */
function privateBranch(from: string, fromRealm: string, to: string, toRealm: string): string {
  return `SELECT p.id FROM message_pairs p JOIN messages m ON m.id = p.id
    WHERE p.sender = ${from} AND p.recipient = ${to} AND p.id < @before
      AND m.sender = p.sender AND m.recipient = p.recipient
      AND m.sender_realm IS ${fromRealm} AND m.recipient_realm IS ${toRealm} AND m.group_name IS NULL
    ORDER BY p.id DESC LIMIT @limit + 0`;
}

/**
 * Both directions of a private conversation among the messages above the indexer's mark, newest first, at most a
 * page: a walk down the newest ids, as long as the indexer's lag (a slice every few milliseconds), never the history.
 */
const PRIVATE_TAIL = `SELECT id FROM messages
    WHERE id > ${INDEXED_UPTO} AND id < @before AND group_name IS NULL AND recipient IS NOT NULL
      AND ((sender = @me AND sender_realm IS NULL AND recipient = @peer AND recipient_realm IS @realm)
        OR (sender = @peer AND sender_realm IS @realm AND recipient = @me AND recipient_realm IS NULL))
    ORDER BY id DESC LIMIT @limit + 0`;

/**
 * Marks a page of `unreadAll` read: (recipient, the page's last id). That page is the user's oldest unread rows, so
 * the rows up to its last id are exactly the page: one range of the primary key instead of a statement per message.
 */
export const MARK_READ_UP_TO = 'DELETE FROM unread WHERE recipient = ? AND message_id <= ?';

export const READS = {
  /** A user's unread messages in arrival order: (recipient, limit). Only unread rows exist, however long the history. */
  unreadAll: `
    SELECT ${MESSAGE_ROW} FROM unread u JOIN messages m ON m.id = u.message_id ${FILE_JOIN}
    WHERE u.recipient = ? ORDER BY u.message_id LIMIT ? + 0`,
  /** A user's unread messages from one realm (NULL: local senders): (recipient, realm, limit). */
  unreadFromRealm: `
    SELECT ${MESSAGE_ROW} FROM unread u JOIN messages m ON m.id = u.message_id ${FILE_JOIN}
    WHERE u.recipient = ? AND m.sender_realm IS ? ORDER BY u.message_id LIMIT ? + 0`,
  /** A user's unread messages from one local user: (recipient, sender, limit). */
  unreadFromSender: `
    SELECT ${MESSAGE_ROW} FROM unread u JOIN messages m ON m.id = u.message_id ${FILE_JOIN}
    WHERE u.recipient = ? AND m.sender = ? AND m.sender_realm IS NULL ORDER BY u.message_id LIMIT ? + 0`,
  /** One message by id, with its file: (id). */
  message: `SELECT ${MESSAGE_ROW} FROM messages m ${FILE_JOIN} WHERE m.id = ?`,
  /** Whether a user has anything unread: (recipient). */
  hasUnread: 'SELECT 1 FROM unread WHERE recipient = ? LIMIT 1',
  /**
   * A page of a private conversation, newest first: (@me, @peer, @realm, @before, @limit). Two index ranges (my
   * messages to the peer, the peer's to me), each read for at most a page from its end, so a page costs the same in
   * a conversation of ten messages or of millions; an OR of both would read the whole conversation and sort it.
   * Talking to oneself, both ranges are the same one, so the second is skipped. Plus the messages above the
   * indexer's mark, which the index does not hold yet. The page's ids are chosen before any message is read: with
   * the LIMIT outside, SQLite pushed the joins into each range and sorted up to three pages of whole rows (a page of
   * 500 messages of 2 KiB in a two-way conversation: 5.6 ms, now 2.4 ms).
   */
  privateHistory: `
    SELECT json_array(${MESSAGE_VALUES}, m.recipient = @me AND m.recipient_realm IS NULL, u.recipient IS NULL) AS row, m.body AS body
    FROM (SELECT id FROM (${privateBranch('@me', 'NULL', '@peer', '@realm')})
          UNION ALL
          SELECT id FROM (${privateBranch('@peer', '@realm', '@me', 'NULL')})
          WHERE NOT (@realm IS NULL AND @me = @peer COLLATE NOCASE)
          UNION ALL
          SELECT id FROM (${PRIVATE_TAIL})
          ORDER BY 1 DESC LIMIT @limit + 0) AS page
    JOIN messages m ON m.id = page.id ${FILE_JOIN}
    LEFT JOIN unread u ON u.recipient = @me AND u.message_id = m.id
    ORDER BY m.id DESC LIMIT @limit + 0`,
  /** A page of a group conversation, newest first: (@group, @realm, @sender, @before, @limit). */
  groupHistory: `
    SELECT ${MESSAGE_ROW} FROM messages m INDEXED BY messages_by_group ${FILE_JOIN}
    WHERE m.group_name = @group AND m.recipient_realm IS @realm AND m.recipient IS NULL AND m.id < @before
      AND (@sender IS NULL OR (m.sender = @sender AND m.sender_realm IS NULL))
    ORDER BY m.id DESC LIMIT @limit + 0`,
} as const;
