/**
 * The conversation rows, read markers, mentions and the search index (migrations 6 and 9), kept by the SQLite
 * store's writes. A private conversation (and a user's copy of another realm's group) is a row per user with its
 * newest message, marker and counters; a local group keeps its newest message once, in `groups.last_id`, and each
 * member's marker in `group_members.seen_id` (a group message writes one row, not one per member). Listing a page
 * of conversations reads one range of the (username, last_id) index plus the user's memberships (as many as the
 * user has groups, never the messages); what is unread in a group, and a marker that stops short of the newest
 * message, is counted with range counts capped at UNREAD_CAP; a search ranks at most SEARCH_CANDIDATES of the
 * newest matches. test/store/sqlite-query-plans.test.ts holds the plans. Writes run inside the store's #write.
 */
import type Database from 'better-sqlite3';
import {UNREAD_CAP} from '../../common/protocol/reply-shapes.js';
import {audienceOf, conversationName} from './conversation-keys.js';
import {namedIn} from './mention-names.js';
import {MESSAGE_ROW, FILE_JOIN, type RawMessageRow} from './sqlite-reads.js';
import type {MessageColumns} from './message-row.js';
import type {SearchShards} from './search-indexer.js';
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

/** The SQL of the conversation reads (pinned by test/store/sqlite-query-plans.test.ts). */
export const CONVERSATION_READS = {
  /** A page of a user's conversations other than local groups, newest first: (@me, @before, @limit). */
  list: `
    SELECT json_array(conversation, last_id, seen_id, unread, mentions) FROM conversations INDEXED BY conversations_by_last
    WHERE username = @me AND last_id < @before ORDER BY last_id DESC LIMIT @limit + 0`,
  /** One conversation of a user: (@me, @conversation). */
  one: 'SELECT conversation, last_id, seen_id, unread, mentions FROM conversations WHERE username = @me AND conversation = @conversation',
  /**
   * Unread messages from the peer after a marker, at most UNREAD_CAP: (@me, @peer, @realm, @seen). In the
   * private-history index up to the indexer's mark, and in the messages above it (search-indexer.ts).
   */
  unreadDirect: `
    SELECT count(*) FROM (
      SELECT 1 FROM message_pairs p JOIN messages m ON m.id = p.id
        WHERE p.sender = @peer AND p.recipient = @me AND p.id > @seen AND m.sender = p.sender AND m.recipient = p.recipient
          AND m.sender_realm IS @realm AND m.recipient_realm IS NULL AND m.group_name IS NULL
      UNION ALL
      SELECT 1 FROM messages
        WHERE id > max(@seen, (SELECT indexed_upto FROM search_progress)) AND sender = @peer AND recipient = @me
          AND sender_realm IS @realm AND recipient_realm IS NULL AND group_name IS NULL
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
  /** The user's local groups with a message below @before (or none yet), their newest message and marker: (@me, @before). */
  groups: `
    SELECT json_array(g.name, g.last_id, gm.seen_id) FROM group_members gm INDEXED BY group_members_by_user
      JOIN groups g ON g.name = gm.group_name
    WHERE gm.username = @me AND g.last_id < @before`,
  /** One local group of a member: (@me, @group). */
  group: `
    SELECT g.name AS group_name, g.last_id, gm.seen_id FROM group_members gm JOIN groups g ON g.name = gm.group_name
    WHERE gm.group_name = @group AND gm.username = @me`,
  /** A search's candidates in the first shard of the index (searchSql). */
  search: searchSql('message_search'),
} as const;

/**
 * A search's candidates in one shard of the full-text index (search-indexer.ts): its newest @limit matches below
 * @before by rowid (the index walks its doclists from the end, so the cost does not grow with the history), newest
 * first; search-rank.ts ranks them: (@match, @before, @limit).
 */
export function searchSql(table: string): string {
  return `
    SELECT ${MESSAGE_ROW} FROM (
      SELECT rowid AS id FROM ${table}
      WHERE ${table} MATCH @match AND rowid < @before ORDER BY rowid DESC LIMIT @limit + 0
    ) AS hit JOIN messages m ON m.id = hit.id ${FILE_JOIN}
    ORDER BY hit.id DESC`;
}

/** How much work one search may do: it stops after the shard in which `ms` have passed on `now` (ms). */
export interface SearchBudget {
  now: () => number;
  ms: number;
}

/** A search's candidates, newest first, and where to go on (SearchPage.nextBefore) when older ones were left out. */
export interface SearchCandidates {
  rows: RawMessageRow[];
  nextBefore?: number;
}

/**
 * A search's candidates: the newest SEARCH_CANDIDATES matches below `before`, read shard by shard from the newest
 * (the shards hold consecutive ids). It stops after the shard in which `budget` ran out: words that seldom occur
 * together in the scope are otherwise read to the end of their lists, a cost that grows with the history (a few
 * ms a million messages), on the one thread that answers every client. A shard is read whole: reading one in
 * windows of ids cost three times as much (FTS5 seeks every word in every segment again per window), and only an
 * index upgraded whole (shard 0, migration 13) is larger than SHARD_MESSAGES.
 */
export function searchCandidates(
  shards: SearchShards, db: Database.Database, match: string, before: number, budget: SearchBudget,
): SearchCandidates {
  const started = budget.now();
  const rows: RawMessageRow[] = [];
  for (const {shard, above} of shards.newestFirst(before)) {
    const search = shards.statement(shard, 'search',
      (table) => db.prepare<{match: string; before: number; limit: number}, RawMessageRow>(searchSql(table)).raw());
    for (const row of search.all({match, before, limit: SEARCH_CANDIDATES - rows.length})) rows.push(row);
    if (rows.length >= SEARCH_CANDIDATES) return {rows, nextBefore: idOfRow(rows.at(-1)!)};
    // Older shards are left for the next request, which starts above this one's first id.
    if (above > 0 && budget.now() - started >= budget.ms) return {rows, nextBefore: above + 1};
  }
  return {rows};
}

function idOfRow([json]: RawMessageRow): number {
  return (JSON.parse(json) as unknown[])[0] as number;
}

export function prepareConversations(db: Database.Database) {
  return {
    list: db.prepare<{me: string; before: number; limit: number}, string>(CONVERSATION_READS.list).pluck(),
    one: db.prepare<{me: string; conversation: string}, ConversationRow>(CONVERSATION_READS.one),
    unreadDirect: db.prepare<{me: string; peer: string; realm: string | null; seen: number}, number>(CONVERSATION_READS.unreadDirect).pluck(),
    unreadGroup: db.prepare<{me: string; group: string; seen: number}, number>(CONVERSATION_READS.unreadGroup).pluck(),
    unreadMentions: db.prepare<{me: string; conversation: string; seen: number}, number>(CONVERSATION_READS.unreadMentions).pluck(),
    groups: db.prepare<{me: string; before: number}, string>(CONVERSATION_READS.groups).pluck(),
    group: db.prepare<{me: string; group: string}, GroupRow>(CONVERSATION_READS.group),
    setSeen: db.prepare(`
      UPDATE conversations SET seen_id = @seen, unread = @unread, mentions = @mentions
      WHERE username = @me AND conversation = @conversation`),
    forgetMentions: db.prepare('DELETE FROM mentions WHERE username = @me AND conversation = @conversation AND message_id <= @seen'),
    /** A message in one user's conversation: the newest, `unread` more: (username, conversation, id, unread). */
    touch: db.prepare<[string, string, number, number]>(`
      INSERT INTO conversations (username, conversation, last_id, unread) VALUES (?, ?, ?, ?)
      ON CONFLICT (username, conversation) DO UPDATE
        SET last_id = max(last_id, excluded.last_id), unread = unread + excluded.unread`),
    /** A message of a local group: the group's newest message (one row whatever its size): (id, group). */
    touchGroup: db.prepare<[number, string]>('UPDATE groups SET last_id = max(last_id, ?) WHERE name = ?'),
    /** A group message that names a member, kept for the counts after the member's marker. */
    insertMention: db.prepare<[string, string, number]>('INSERT OR IGNORE INTO mentions (username, conversation, message_id) VALUES (?, ?, ?)'),
    /** A new member reads from the group's newest message on: (group, username). */
    join: db.prepare<[string, string]>(`
      UPDATE group_members SET seen_id = (SELECT last_id FROM groups WHERE name = group_name)
      WHERE group_name = ? AND username = ?`),
    setGroupSeen: db.prepare<[number, string, string]>('UPDATE group_members SET seen_id = ? WHERE group_name = ? AND username = ?'),
    setLast: db.prepare('UPDATE conversations SET last_id = @last WHERE username = @username AND conversation = @conversation'),
    drop: db.prepare('DELETE FROM conversations WHERE username = @username AND conversation = @conversation'),
    /** Up to which message the conversation rows are written (migration 11). */
    touchedUpto: db.prepare<[], number>('SELECT touched_upto FROM conversation_progress').pluck(),
    setTouchedUpto: db.prepare<[number]>('UPDATE conversation_progress SET touched_upto = ?'),
    newest: db.prepare<[], number | null>('SELECT max(id) FROM messages').pluck(),
    /** The parties of the messages above the mark, in order (as long as the rows lag, never the history): (mark). */
    partiesAbove: db.prepare<[number], PartiesRow>(
      'SELECT id, sender, sender_realm, recipient, recipient_realm, group_name FROM messages WHERE id > ? ORDER BY id'),
  };
}

/** Who sent a message to whom: what moves conversation rows. */
type PartiesRow = Omit<MessageColumns, 'body'>;

type Statements = ReturnType<typeof prepareConversations>;

interface Touch {
  username: string;
  conversation: string;
  last: number;
  unread: number;
}

/** Held rows past this many are written at the next commit, whatever the indexer does (bounded memory). */
export const MAX_HELD_TOUCHES = 10_000;

/**
 * The private conversation rows that stored messages move, gathered in memory across commits and written by
 * writeTouches(): in the indexer's slices (a slice's messages move each conversation's two rows once, not once per
 * commit), before a savepoint, before anything reads or changes the rows, when too many are held, and on close.
 * They are not durable by themselves: the mark in conversation_progress says up to which message the rows are
 * written, moved in the same transaction, and what is above it is gathered again from the messages themselves
 * (retouchAbove) when the store opens or after a batch rolled back.
 */
export class PendingTouches {
  readonly #rows = new Map<string, Touch>();

  get size(): number {
    return this.#rows.size;
  }

  add(username: string, conversation: string, id: number, unread: number): void {
    // Stryker disable next-line MethodExpression: either case folds the names alike
    const key = `${username.toLowerCase()}\u0000${conversation.toLowerCase()}`;
    const row = this.#rows.get(key);
    if (row) {
      row.last = Math.max(row.last, id);
      row.unread += unread;
    } else {
      this.#rows.set(key, {username, conversation, last: id, unread});
    }
  }

  /** Writes every gathered row (inside the store's write) and forgets them. */
  flush(stmt: Statements): void {
    for (const row of this.#rows.values()) stmt.touch.run(row.username, row.conversation, row.last, row.unread);
    this.#rows.clear();
  }

  clear(): void {
    this.#rows.clear();
  }
}

/**
 * Keeps the conversation rows and mentions of a message just stored (inside the store's write; a private message's
 * rows are gathered in `pending` and written later by writeTouches(); search-indexer.ts indexes it later).
 * `recipients`: who got it in their inbox; for a group message every member but its local sender, so the members
 * it names are found among them without a query.
 */
export function recordMessage(
  stmt: Statements, pending: PendingTouches, id: number, message: NewMessage, recipients: readonly string[],
): void {
  const audience = audienceOf(message);
  if (audience.kind === 'group') {
    stmt.touchGroup.run(id, audience.group);
    const named = namedIn(message.body);
    // Stryker disable next-line ConditionalExpression: a shortcut; an empty set names nobody either
    if (named.length === 0) return;
    const names = new Set(named);
    for (const username of recipients) {
      if (names.has(username.toLowerCase())) stmt.insertMention.run(username, audience.conversation, id);
    }
  } else {
    touchUsers(pending, id, message, audience.entries);
  }
}

/** A private message (or a remote group's copy) moves its users' rows: the newest id, one more unread but the sender's. */
function touchUsers(pending: PendingTouches, id: number, message: Pick<NewMessage, 'sender' | 'senderRealm'>,
  entries: ReadonlyArray<{username: string; conversation: string}>): void {
  for (const entry of entries) {
    const own = message.senderRealm === undefined && entry.username.toLowerCase() === message.sender.toLowerCase();
    pending.add(entry.username, entry.conversation, id, own ? 0 : 1);
  }
}

/**
 * Writes the gathered rows and moves the mark to the newest message (inside the store's write): every message up to
 * it has moved its rows, either before or now. `pending` is emptied.
 */
export function writeTouches(stmt: Statements, pending: PendingTouches): void {
  pending.flush(stmt);
  const newest = stmt.newest.get() ?? 0;
  if (newest !== stmt.touchedUpto.get()) stmt.setTouchedUpto.run(newest);
}

/**
 * Gathers again what the messages above the mark move (inside the store's write): after a restart, or after a
 * rollback took back rows written in the failed batch along with the mark. Exactly what recordMessage() gathered
 * for them; local groups keep their rows in the write itself, not here. `pending` is replaced.
 */
export function retouchAbove(stmt: Statements, pending: PendingTouches): void {
  pending.clear();
  for (const row of stmt.partiesAbove.iterate(stmt.touchedUpto.get()!)) {
    const message = {
      sender: row.sender, senderRealm: row.sender_realm ?? undefined, recipient: row.recipient ?? undefined,
      recipientRealm: row.recipient_realm ?? undefined, group: row.group_name ?? undefined,
    };
    const audience = audienceOf(message);
    if (audience.kind === 'users') touchUsers(pending, row.id, message, audience.entries);
  }
}

/**
 * A message was just deleted after its rows were written (store's #dropSenderCopy): ids are reused once the newest
 * message is deleted, so the mark comes back down to the newest message left, or the next message, with the deleted
 * one's id, would count as written.
 */
export function afterDelete(stmt: Statements): void {
  const newest = stmt.newest.get() ?? 0;
  if (newest < stmt.touchedUpto.get()!) stmt.setTouchedUpto.run(newest);
}

/** A new member of a local group reads from its newest message on (a history is not a backlog). */
export function recordJoin(stmt: Statements, group: string, username: string): void {
  stmt.join.run(group, username);
}

/**
 * A user's conversations, newest first: a page of the user's rows merged with the user's local groups (a group
 * without a message yet has newest id 0 and comes last). Only the groups on the page are counted.
 */
export function listConversations(stmt: Statements, username: string, page: ConversationPage): ConversationRecord[] {
  const before = page.beforeId ?? Number.MAX_SAFE_INTEGER;
  // Both multi-row reads return one JSON array per row, as the message reads do for all but the text (MESSAGE_ROW in
  // sqlite-reads.ts).
  const rows: Array<ConversationRow | GroupRow> = [
    ...stmt.list.all({me: username, before, limit: page.limit}).map((json) => {
      const [conversation, lastId, seenId, unread, mentions] = JSON.parse(json) as [string, number, number, number, number];
      return {conversation, last_id: lastId, seen_id: seenId, unread, mentions};
    }),
    ...stmt.groups.all({me: username, before}).map((json) => {
      const [group, lastId, seenId] = JSON.parse(json) as [string, number, number];
      return {group_name: group, last_id: lastId, seen_id: seenId};
    }),
  ];
  rows.sort((a, b) => b.last_id - a.last_id || nameOf(b).localeCompare(nameOf(a)));
  return rows.slice(0, page.limit).map((row) => ('group_name' in row ? groupRecord(stmt, username, row) : toRecord(row)));
}

interface GroupRow {
  group_name: string;
  last_id: number;
  seen_id: number;
}

const nameOf = (row: ConversationRow | GroupRow): string => ('group_name' in row ? `group:${row.group_name}` : row.conversation).toLowerCase();

/** A local group's conversation for a member: what is unread and names the member after the marker, counted. */
function groupRecord(stmt: Statements, username: string, row: GroupRow): ConversationRecord {
  const conversation = `group:${row.group_name}`;
  const seen = Math.min(row.seen_id, row.last_id);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut; the range counts after the newest message are 0
  const counts = seen >= row.last_id ? {unread: 0, mentions: 0} : countGroup(stmt, username, row.group_name, conversation, seen);
  return {conversation, lastId: row.last_id, seenId: row.seen_id, ...counts};
}

function countGroup(stmt: Statements, username: string, group: string, conversation: string, seen: number): {unread: number; mentions: number} {
  return {
    unread: stmt.unreadGroup.get({me: username, group, seen})!,
    mentions: stmt.unreadMentions.get({me: username, conversation, seen})!,
  };
}

/** Moves a read marker forward (inside the store's write); see Store.markSeen. */
export function markSeen(stmt: Statements, username: string, target: ConversationTarget, messageId: number): ConversationRecord {
  const name = conversationName(target);
  if (target.kind === 'group' && target.realm === undefined) return markGroupSeen(stmt, username, target.name, name, messageId);
  const row = stmt.one.get({me: username, conversation: name});
  if (!row) return {conversation: name, lastId: 0, seenId: 0, unread: 0, mentions: 0};
  // A marker past the newest message would hide the next ones: it stops at the newest.
  const seen = Math.min(messageId, row.last_id);
  // Stryker disable next-line EqualityOperator: at the same marker the recount writes what the row holds
  if (seen <= row.seen_id) return toRecord(row);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut; the range count after the newest message is 0
  const counts = seen >= row.last_id ? {unread: 0, mentions: 0} : recount(stmt, username, target, seen);
  stmt.setSeen.run({me: username, conversation: row.conversation, seen, ...counts});
  return {conversation: row.conversation, lastId: row.last_id, seenId: seen, ...counts};
}

function markGroupSeen(stmt: Statements, username: string, group: string, name: string, messageId: number): ConversationRecord {
  const row = stmt.group.get({me: username, group});
  if (!row) return {conversation: name, lastId: 0, seenId: 0, unread: 0, mentions: 0};
  const seen = Math.min(messageId, row.last_id);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: at the same marker the writes change nothing
  if (seen <= row.seen_id) return groupRecord(stmt, username, row);
  stmt.setGroupSeen.run(seen, row.group_name, username);
  stmt.forgetMentions.run({me: username, conversation: `group:${row.group_name}`, seen});
  return groupRecord(stmt, username, {...row, seen_id: seen});
}

/** What is unread in a private conversation after a marker short of its newest message: a range count, at most UNREAD_CAP. */
function recount(stmt: Statements, username: string, target: ConversationTarget, seen: number): {unread: number; mentions: number} {
  // In another realm's group this realm holds only the user's own messages: nothing is unread.
  if (target.kind === 'group') return {unread: 0, mentions: 0};
  const self = target.realm === undefined && target.name.toLowerCase() === username.toLowerCase();
  const unread = self ? 0 : stmt.unreadDirect.get({me: username, peer: target.name, realm: target.realm ?? null, seen})!;
  return {unread, mentions: 0};
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
