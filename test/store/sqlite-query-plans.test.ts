/**
 * The SQLite store's hot reads: the plans SQLite picks for them (each walks an index range and reads at most a page,
 * so the cost does not grow with history). The pages they return are the Store contract's (contract/history.ts).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {READS} from '../../daemon/store/sqlite-reads.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';

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

  it('never takes a LIMIT as a bare parameter (SQLite would prepare the statement again at every run)', () => {
    for (const sql of Object.values(READS)) expect(sql).not.toMatch(/LIMIT\s+[?@:$]\w*(?!\w|\s*\+)/);
  });

  it('reads each direction of a private conversation from its end (a range bounded by before_id)', () => {
    const plan = planOf(READS.privateHistory, {me: 'ann', peer: 'ben', realm: null, before: 10, limit: 5});
    const ranges = plan.filter((line) => line.includes('USING INDEX messages_by_pair'));
    expect(ranges).toHaveLength(2);
    for (const line of ranges) expect(line).toContain('id<?');
  });
});
