/**
 * The conversation rows, read markers, mentions and the search index (migration 6), kept by the SQLite store's
 * writes. Every read walks one index range: listing a page of conversations reads the (username, last_id) index
 * and no message; a read marker that stops short of the newest message recounts with range counts capped at
 * UNREAD_CAP; a search ranks at most SEARCH_CANDIDATES of the newest matches. test/daemon/store-reads.test.ts
 * holds the plans. Writes run inside the store's #write (the caller's batch).
 */
import type Database from 'better-sqlite3';
import {UNREAD_CAP} from '../../common/protocol/reply-shapes.js';
import {audienceOf, conversationName} from './conversation-keys.js';
import {namedIn} from './mention-names.js';
import {MESSAGE_COLUMNS, FILE_JOIN} from './sqlite-reads.js';
import {SEARCH_CANDIDATES, type ConversationPage, type ConversationRecord, type ConversationTarget, type NewMessage, type SearchQuery} from './types.js';

interface ConversationRow {
  conversation: string;
  last_id: number;
  seen_id: number;
  unread: number;
  mentions: number;
}

const toRecord = (row: ConversationRow): ConversationRecord =>
  ({conversation: row.conversation, lastId: row.last_id, seenId: row.seen_id, unread: row.unread, mentions: row.mentions});

/** The SQL of the conversation reads (pinned by test/daemon/store-reads.test.ts). */
export const CONVERSATION_READS = {
  /** A page of a user's conversations, newest first: (@me, @before, @limit). */
  list: `
    SELECT conversation, last_id, seen_id, unread, mentions FROM conversations INDEXED BY conversations_by_last
    WHERE username = @me AND last_id < @before ORDER BY last_id DESC LIMIT @limit + 0`,
  /** One conversation of a user: (@me, @conversation). */
  one: 'SELECT conversation, last_id, seen_id, unread, mentions FROM conversations WHERE username = @me AND conversation = @conversation',
  /** Unread messages from the peer after a marker, at most UNREAD_CAP: (@me, @peer, @realm, @seen). */
  unreadDirect: `
    SELECT count(*) FROM (SELECT 1 FROM messages INDEXED BY messages_by_pair
      WHERE sender = @peer AND recipient = @me AND id > @seen AND sender_realm IS @realm AND recipient_realm IS NULL
        AND group_name IS NULL
      LIMIT ${UNREAD_CAP})`,
  /** Unread messages of a local group after a marker, not the reader's own, at most UNREAD_CAP: (@me, @group, @seen). */
  unreadGroup: `
    SELECT count(*) FROM (SELECT 1 FROM messages INDEXED BY messages_by_group
      WHERE group_name = @group AND id > @seen AND recipient_realm IS NULL AND recipient IS NULL
        AND NOT (sender = @me AND sender_realm IS NULL)
      LIMIT ${UNREAD_CAP})`,
  /** Mentions of a user in a conversation after a marker, at most UNREAD_CAP: (@me, @conversation, @seen). */
  unreadMentions: `
    SELECT count(*) FROM (SELECT 1 FROM mentions WHERE username = @me AND conversation = @conversation AND message_id > @seen
      LIMIT ${UNREAD_CAP})`,
  /** The newest message of a local group (for a new member's row): (group). */
  lastOfGroup: `
    SELECT id FROM messages INDEXED BY messages_by_group
    WHERE group_name = ? AND recipient_realm IS NULL AND recipient IS NULL ORDER BY id DESC LIMIT 1`,
  /**
   * A search's candidates: the newest SEARCH_CANDIDATES matches by rowid (the index walks its doclists from the
   * end, so the cost does not grow with the history), newest first; search-rank.ts ranks them: (@match, @before).
   */
  search: `
    SELECT ${MESSAGE_COLUMNS} FROM (
      SELECT rowid AS id FROM message_search
      WHERE message_search MATCH @match AND rowid < @before ORDER BY rowid DESC LIMIT ${SEARCH_CANDIDATES}
    ) AS hit JOIN messages m ON m.id = hit.id ${FILE_JOIN}
    ORDER BY hit.id DESC`,
} as const;

export function prepareConversations(db: Database.Database) {
  return {
    list: db.prepare<{me: string; before: number; limit: number}, ConversationRow>(CONVERSATION_READS.list),
    one: db.prepare<{me: string; conversation: string}, ConversationRow>(CONVERSATION_READS.one),
    unreadDirect: db.prepare<{me: string; peer: string; realm: string | null; seen: number}, number>(CONVERSATION_READS.unreadDirect).pluck(),
    unreadGroup: db.prepare<{me: string; group: string; seen: number}, number>(CONVERSATION_READS.unreadGroup).pluck(),
    unreadMentions: db.prepare<{me: string; conversation: string; seen: number}, number>(CONVERSATION_READS.unreadMentions).pluck(),
    lastOfGroup: db.prepare<[string], number>(CONVERSATION_READS.lastOfGroup).pluck(),
    search: db.prepare(CONVERSATION_READS.search),
    setSeen: db.prepare(`
      UPDATE conversations SET seen_id = @seen, unread = @unread, mentions = @mentions
      WHERE username = @me AND conversation = @conversation`),
    forgetMentions: db.prepare('DELETE FROM mentions WHERE username = @me AND conversation = @conversation AND message_id <= @seen'),
    /** A message in one user's conversation: the newest, one more unread unless the user sent it. */
    touch: db.prepare(`
      INSERT INTO conversations (username, conversation, last_id, unread) VALUES (@username, @conversation, @id, @unread)
      ON CONFLICT (username, conversation) DO UPDATE
        SET last_id = max(last_id, excluded.last_id), unread = unread + excluded.unread`),
    /** A message of a local group in every member's conversation: one more unread for all but its local sender. */
    touchGroup: db.prepare(`
      INSERT INTO conversations (username, conversation, last_id, unread)
        SELECT username, @conversation, @id, NOT (@local AND username = @sender) FROM group_members WHERE group_name = @group AND true
      ON CONFLICT (username, conversation) DO UPDATE SET last_id = max(last_id, excluded.last_id), unread = unread + excluded.unread`),
    /** A group message that names a member: counted in its row, and kept for recounts after a read marker. */
    mention: db.prepare('UPDATE conversations SET mentions = mentions + 1 WHERE username = @username AND conversation = @conversation'),
    insertMention: db.prepare('INSERT OR IGNORE INTO mentions (username, conversation, message_id) VALUES (@username, @conversation, @id)'),
    join: db.prepare(`
      INSERT INTO conversations (username, conversation, last_id, seen_id) VALUES (@username, @conversation, @last, @last)
      ON CONFLICT DO NOTHING`),
    setLast: db.prepare('UPDATE conversations SET last_id = @last WHERE username = @username AND conversation = @conversation'),
    drop: db.prepare('DELETE FROM conversations WHERE username = @username AND conversation = @conversation'),
  };
}

type Statements = ReturnType<typeof prepareConversations>;

/**
 * Keeps the conversation rows and mentions of a message just stored (inside the store's write; search-indexer.ts
 * indexes it later).
 * `recipients`: who got it in their inbox; for a group message every member but its local sender, so the members
 * it names are found among them without a query.
 */
export function recordMessage(stmt: Statements, id: number, message: NewMessage, recipients: readonly string[]): void {
  const audience = audienceOf(message);
  if (audience.kind === 'group') {
    const {conversation} = audience;
    stmt.touchGroup.run({conversation, id, group: audience.group, sender: message.sender, local: message.senderRealm === undefined ? 1 : 0});
    const named = new Set(namedIn(message.body));
    for (const username of recipients) {
      if (!named.has(username.toLowerCase())) continue;
      stmt.mention.run({username, conversation});
      stmt.insertMention.run({username, conversation, id});
    }
  } else {
    if (audience.entries.length === 0) return;
    for (const entry of audience.entries) {
      const own = message.senderRealm === undefined && entry.username.toLowerCase() === message.sender.toLowerCase();
      stmt.touch.run({username: entry.username, conversation: entry.conversation, id, unread: own ? 0 : 1});
    }
  }
}

/** A new member's row of a local group: its newest message, read up to there (a history is not a backlog). */
export function recordJoin(stmt: Statements, group: string, username: string): void {
  const last = stmt.lastOfGroup.get(group) ?? 0;
  stmt.join.run({username, conversation: `group:${group}`, last});
}

/** A user's conversations, newest first. */
export function listConversations(stmt: Statements, username: string, page: ConversationPage): ConversationRecord[] {
  return stmt.list.all({me: username, before: page.beforeId ?? Number.MAX_SAFE_INTEGER, limit: page.limit}).map(toRecord);
}

/** Moves a read marker forward (inside the store's write); see Store.markSeen. */
export function markSeen(stmt: Statements, username: string, target: ConversationTarget, messageId: number): ConversationRecord {
  const name = conversationName(target);
  const row = stmt.one.get({me: username, conversation: name});
  if (!row) return {conversation: name, lastId: 0, seenId: 0, unread: 0, mentions: 0};
  // A marker past the newest message would hide the next ones: it stops at the newest.
  const seen = Math.min(messageId, row.last_id);
  if (seen <= row.seen_id) return toRecord(row);
  const counts = seen >= row.last_id ? {unread: 0, mentions: 0} : recount(stmt, username, target, row.conversation, seen);
  stmt.setSeen.run({me: username, conversation: row.conversation, seen, ...counts});
  stmt.forgetMentions.run({me: username, conversation: row.conversation, seen});
  return {conversation: row.conversation, lastId: row.last_id, seenId: seen, ...counts};
}

/** What is unread after a marker short of the newest message: range counts, each at most UNREAD_CAP. */
function recount(stmt: Statements, username: string, target: ConversationTarget, name: string, seen: number): {unread: number; mentions: number} {
  if (target.kind === 'user') {
    const self = target.realm === undefined && target.name.toLowerCase() === username.toLowerCase();
    const unread = self ? 0 : stmt.unreadDirect.get({me: username, peer: target.name, realm: target.realm ?? null, seen})!;
    return {unread, mentions: 0};
  }
  // In another realm's group this realm holds only the user's own messages: nothing is unread.
  if (target.realm !== undefined) return {unread: 0, mentions: 0};
  return {
    unread: stmt.unreadGroup.get({me: username, group: target.name, seen})!,
    mentions: stmt.unreadMentions.get({me: username, conversation: name, seen})!,
  };
}

/** The length of the prefixes the index keeps (migration 6's `prefix='3'`). */
const INDEXED_PREFIX = 3;

/**
 * The FTS5 query of a search: every word (letters and digits only, so quoting is enough) and any scope token. The
 * last word is asked as a prefix of its first three letters, which the index keeps as words of their own: a longer
 * prefix would make FTS5 merge the lists of every word that starts with it, as long as the history. search-rank.ts
 * keeps the candidates whose words really start with the whole last word. A last word of one or two letters
 * matches whole words only.
 */
export function searchMatch(query: SearchQuery): string {
  const words = query.words.map((word, index) => {
    if (index < query.words.length - 1 || [...word].length < INDEXED_PREFIX) return `"${word}"`;
    return `"${[...word].slice(0, INDEXED_PREFIX).join('')}"*`;
  });
  return `body : (${words.join(' AND ')}) AND scope : (${query.scope.map((token) => `"${token}"`).join(' OR ')})`;
}
