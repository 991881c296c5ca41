/**
 * The SQLite store's hot reads: the plans SQLite picks for them (each walks an index range and reads at most a page,
 * so the cost does not grow with history). The pages they return are the Store contract's (contract/history.ts).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {MARK_READ_UP_TO, MESSAGE_ROW_FIELDS, messageRowOf, READS} from '../../daemon/store/sqlite-reads.js';
import {CONVERSATION_READS, searchMatch, searchSql} from '../../daemon/store/sqlite-conversations.js';
import {SearchShards} from '../../daemon/store/search-indexer.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import type {NewMessage, StoredMessage} from '../../daemon/store/types.js';

let dir: string;
let store: SqliteStore;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'realmchat-reads-'));
  store = new SqliteStore({file: join(dir, 'realmchat.db')});
  for (const username of ['ann', 'ben', 'cat']) {
    store.createUser({username, fullName: username, country: 'x', createdAt: 0}, 'v');
  }
});

afterAll(async () => {
  await store.close();
  rmSync(dir, {recursive: true, force: true});
});

function planOf(sql: string, params: unknown): string[] {
  return (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params as never) as Array<{detail: string}>)
    .map((row) => row.detail);
}

describe('query plans of the hot reads', () => {
  const cases: Array<[keyof typeof READS, unknown]> = [
    ['unreadAll', ['ann', 1001]],
    ['unreadFromRealm', ['ann', 'beta', 1001]],
    ['hasUnread', ['ann']],
    ['privateHistory', {me: 'ann', peer: 'ben', realm: null, before: 1e15, limit: 51}],
    ['groupHistory', {group: 'devs', realm: null, sender: null, before: 1e15, limit: 51}],
  ];

  it.each(cases)('%s walks an index range, never a whole table or an OR of indexes', (name, params) => {
    const plan = planOf(READS[name], params);
    expect(plan.length).toBeGreaterThan(0);
    for (const line of plan) {
      expect(line).not.toMatch(/^SCAN (m|u|messages|unread)\b/);
      expect(line).not.toContain('MULTI-INDEX OR');
    }
  });

  it('reads unread messages from the table of unread deliveries alone, by recipient', () => {
    for (const name of ['unreadAll', 'unreadFromRealm', 'hasUnread'] as const) {
      const plan = planOf(READS[name], name === 'unreadAll' ? ['ann', 5] : name === 'hasUnread' ? ['ann'] : ['ann', null, 5]);
      expect(plan.join('\n')).toMatch(/SEARCH (u|unread) USING PRIMARY KEY \(recipient=\?\)/);
    }
  });

  it('returns every message as a JSON array of its values and its text apart, in the order messageRowOf reads them', () => {
    const reads = {
      unreadAll: READS.unreadAll, unreadFromRealm: READS.unreadFromRealm, unreadFromSender: READS.unreadFromSender,
      message: READS.message, privateHistory: READS.privateHistory, groupHistory: READS.groupHistory, search: CONVERSATION_READS.search,
    };
    for (const [name, sql] of Object.entries(reads)) {
      expect([name, store.db.prepare(sql).columns().map((column) => column.name)]).toEqual([name, ['row', 'body']]);
    }
    const row = messageRowOf(['[7,"ann",null,"ben",null,null,5,"a.txt",3,"ff",1,0]', 'hi']);
    expect(Object.keys(row)).toEqual([...MESSAGE_ROW_FIELDS.slice(0, 6), 'body', ...MESSAGE_ROW_FIELDS.slice(6)]);
    expect(row).toEqual({
      id: 7, sender: 'ann', sender_realm: null, recipient: 'ben', recipient_realm: null, group_name: null, body: 'hi', ts: 5,
      file_name: 'a.txt', file_size: 3, file_sha256: 'ff', received: 1, is_read: 0,
    });
  });

  it('marks a page read with one range of the unread rows of its recipient', () => {
    expect(planOf(MARK_READ_UP_TO, ['ann', 5])).toEqual(['SEARCH unread USING PRIMARY KEY (recipient=? AND message_id<?)']);
  });

  it('never takes a LIMIT as a bare parameter (SQLite would prepare the statement again at every run)', () => {
    for (const sql of Object.values(READS)) expect(sql).not.toMatch(/LIMIT\s+[?@:$]\w*(?!\w|\s*\+)/);
  });

  it('reads each direction of a private conversation from its end (a range bounded by before_id)', () => {
    const plan = planOf(READS.privateHistory, {me: 'ann', peer: 'ben', realm: null, before: 10, limit: 5});
    const ranges = plan.filter((line) => line.includes('SEARCH p USING PRIMARY KEY'));
    expect(ranges).toEqual(['SEARCH p USING PRIMARY KEY (sender=? AND recipient=? AND id<?)',
      'SEARCH p USING PRIMARY KEY (sender=? AND recipient=? AND id<?)']);
    // The messages above the indexer's mark: a range of the newest ids, from the mark to before_id.
    expect(plan).toContain('SEARCH messages USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)');
  });

  it('chooses the ids of a private page before it reads their messages, files and read state, once', () => {
    // With the page's LIMIT only outside, SQLite pushed these joins into each of the three ranges and sorted up to
    // three pages of whole rows, bodies included.
    const plan = planOf(READS.privateHistory, {me: 'ann', peer: 'ben', realm: null, before: 10, limit: 5});
    expect(plan.filter((line) => line.startsWith('SEARCH u USING PRIMARY KEY'))).toHaveLength(1);
    expect(plan.filter((line) => line.startsWith('SEARCH f USING INTEGER PRIMARY KEY'))).toHaveLength(1);
  });
});

describe('query plans of conversations, read markers and search', () => {
  const params: Record<keyof typeof CONVERSATION_READS, unknown> = {
    list: {me: 'ann', before: 1e15, limit: 51},
    one: {me: 'ann', conversation: 'ben'},
    unreadDirect: {me: 'ann', peer: 'ben', realm: null, seen: 3},
    unreadGroup: {me: 'ann', group: 'devs', seen: 3},
    unreadMentions: {me: 'ann', conversation: 'group:devs', seen: 3},
    groups: {me: 'ann', before: 1e15},
    group: {me: 'ann', group: 'devs'},
    search: {match: searchMatch({words: ['deploy', 'fri'], scope: ['u616e6e', 'g64657673'], limit: 21}), before: 1e15, limit: 21},
  };

  it.each(Object.keys(params) as Array<keyof typeof CONVERSATION_READS>)('%s walks one index range, never a whole table', (name) => {
    const plan = planOf(CONVERSATION_READS[name], params[name]);
    expect(plan.length).toBeGreaterThan(0);
    for (const line of plan) {
      expect(line).not.toMatch(/^SCAN (m|messages|conversations|mentions)\b/);
      expect(line).not.toContain('MULTI-INDEX OR');
    }
  });

  it('pages conversations from the (username, last_id) index, reading no message', () => {
    expect(planOf(CONVERSATION_READS.list, params.list)).toEqual(['SEARCH conversations USING INDEX conversations_by_last (username=? AND last_id<?)']);
  });

  it("reads a user's local groups from the memberships by user, one group row each", () => {
    const plan = planOf(CONVERSATION_READS.groups, params.groups).join('\n');
    expect(plan).toContain('SEARCH gm USING INDEX group_members_by_user (username=?)');
    expect(plan).toContain('SEARCH g USING PRIMARY KEY (name=?)');
    expect(planOf(CONVERSATION_READS.group, params.group).join('\n')).toContain('SEARCH gm USING PRIMARY KEY (group_name=? AND username=?)');
  });

  it('counts unread messages in the range after the marker of one conversation', () => {
    const direct = planOf(CONVERSATION_READS.unreadDirect, params.unreadDirect);
    expect(direct).toContain('SEARCH p USING PRIMARY KEY (sender=? AND recipient=? AND id>?)');
    expect(direct).toContain('SEARCH messages USING INTEGER PRIMARY KEY (rowid>?)');
    expect(planOf(CONVERSATION_READS.unreadGroup, params.unreadGroup).join('\n')).toContain('USING INDEX messages_by_group (group_name=? AND id>?)');
    expect(planOf(CONVERSATION_READS.unreadMentions, params.unreadMentions).join('\n'))
      .toContain('USING PRIMARY KEY (username=? AND conversation=? AND message_id>?)');
  });

  it.each(['message_search', 'message_search_1'])('asks %s, a shard of the full-text index, for the newest matches within the caller\'s scope', (table) => {
    // A later shard is made by the indexer (search-indexer.ts) with the first one's columns and settings.
    if (table !== 'message_search') store.db.transaction(() => new SearchShards(store.db, 1).forIndexing(1))();
    const sql = searchSql(table);
    const plan = planOf(sql, params.search);
    // The visibility and the rowid bound are in the index query itself (no filter on rows it returns): FTS5 takes
    // the bound (`<` in its plan) and seeks its lists to it.
    expect(plan.join('\n')).toMatch(new RegExp(`SCAN ${table} VIRTUAL TABLE INDEX \\d+:M\\d+<$`, 'm'));
    expect(plan.join('\n')).toContain('SEARCH m USING INTEGER PRIMARY KEY (rowid=?)');
    expect(sql).toMatch(/ORDER BY rowid DESC LIMIT @limit \+ 0/);
    // The index hands its matches newest first (the ORDER BY rowid DESC is its own): nothing is sorted in SQL.
    expect(plan.filter((line) => line.startsWith('USE TEMP B-TREE'))).toEqual([]);
  });

  it('asks the last word by the three letters the index keeps, and never for bm25()', () => {
    // The last word is asked by its first three letters, which the index keeps (prefix='3'): one list read from its
    // newest end, never a merge of every word with that prefix. No bm25(): its word weights read whole lists.
    expect(searchMatch({words: ['deploy', 'frida'], scope: ['u1'], limit: 1})).toBe('body : ("deploy" AND "fri"*) AND scope : ("u1")');
    expect(searchMatch({words: ['a', 'be'], scope: ['u1', 'g2'], limit: 1})).toBe('body : ("a" AND "be") AND scope : ("u1" OR "g2")');
    expect(CONVERSATION_READS.search).not.toContain('bm25');
  });

  it('never takes a LIMIT as a bare parameter', () => {
    for (const sql of Object.values(CONVERSATION_READS)) expect(sql).not.toMatch(/LIMIT\s+[?@:$]\w*(?!\w|\s*\+)/);
  });
});

describe('history pages', () => {
  const texts = (messages: StoredMessage[]) => messages.map((message) => message.body);
  const send = (message: Omit<NewMessage, 'ts'>, to: string[]) => store.storeMessage({...message, ts: 1}, to);

  it('pages a private conversation both ways, skipping other conversations, realms and groups in between', async () => {
    const expected: string[] = [];
    for (let i = 0; i < 40; i++) {
      const fromAnn = i % 3 !== 0;
      const body = `m${i}`;
      send(fromAnn ? {sender: 'ann', recipient: 'ben', body} : {sender: 'ben', recipient: 'ann', body}, [fromAnn ? 'ben' : 'ann']);
      expected.push(body);
      // Noise the pages must skip: another peer, the same name on another realm, a group, a message to oneself.
      send({sender: 'ann', recipient: 'cat', body: `cat${i}`}, ['cat']);
      send({sender: 'ann', recipient: 'ben', recipientRealm: 'beta', body: `remote${i}`}, []);
      send({sender: 'ben', senderRealm: 'beta', recipient: 'ann', body: `remote-in${i}`}, ['ann']);
      send({sender: 'ann', group: 'devs', body: `group${i}`}, ['ben']);
    }
    await store.settled();
    const seen: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = store.privateHistory('ann', 'BEN', undefined, {limit: 7, beforeId: before});
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(7);
      seen.unshift(...texts(page));
      before = page[0]!.id;
    }
    expect(seen).toEqual(expected);
    // The other side sees the same conversation.
    expect(texts(store.privateHistory('ben', 'ann', undefined, {limit: 100}))).toEqual(expected);
    // The remote conversation with ben@beta is its own.
    expect(texts(store.privateHistory('ann', 'ben', 'beta', {limit: 3}))).toEqual(['remote-in38', 'remote39', 'remote-in39']);
  });

  it('lists a conversation with oneself once, not once per direction', async () => {
    for (let i = 0; i < 5; i++) send({sender: 'cat', recipient: 'cat', body: `note${i}`}, ['cat']);
    await store.settled();
    expect(texts(store.privateHistory('cat', 'Cat', undefined, {limit: 50}))).toEqual(['note0', 'note1', 'note2', 'note3', 'note4']);
    expect(texts(store.privateHistory('cat', 'cat', undefined, {limit: 2}))).toEqual(['note3', 'note4']);
  });
});
