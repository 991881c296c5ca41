/**
 * Group commit in the SQLite store: a batch commits synchronously in commit(), what a write that fails undoes (by
 * fault injection in SQL), and durability "full". What every store does is in the contract (contract/batches.ts).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import {MAX_HELD_TOUCHES} from '../../daemon/store/sqlite-conversations.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'realmchat-writes-'));
  store = new SqliteStore({file: join(dir, 'realmchat.db')});
  for (const username of ['ann', 'ben', 'victim']) store.createUser({username, fullName: username, country: 'x', createdAt: 0}, 'v');
  store.commit();
  // Fault injection: a delivery to "victim" fails as a full disk would make it fail, after its message row is in.
  store.db.exec(`CREATE TEMP TRIGGER fail_delivery BEFORE INSERT ON unread WHEN NEW.recipient = 'victim'
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, {recursive: true, force: true});
});

const count = (sql: string) => store.db.prepare(sql).pluck().get() as number;

describe('group commit', () => {
  it('puts the writes of one turn in one batch and commits them together, within commit()', async () => {
    const batch = store.currentBatch();
    expect(batch.state).toBe('committed'); // nothing open
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'a', ts: 1}, ['ben']);
    const open = store.currentBatch();
    expect(open.state).toBe('pending');
    store.storeMessage({sender: 'ben', recipient: 'ann', body: 'b', ts: 1}, ['ann']);
    expect(store.currentBatch()).toBe(open);
    store.commit();
    expect(open.state).toBe('committed');
    await expect(open.done).resolves.toBeUndefined();
    expect(count('SELECT count(*) FROM messages')).toBe(2);
  });

  it('rolls back the whole batch when a message cannot be delivered: no message without its deliveries', async () => {
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'earlier in the batch', ts: 1}, ['ben']);
    const batch = store.currentBatch();
    expect(() => store.storeMessage({sender: 'ann', recipient: 'victim', body: 'x', ts: 1}, ['victim'])).toThrow('injected failure');
    expect(batch.state).toBe('failed');
    await expect(batch.done).rejects.toThrow('injected failure');
    expect(count('SELECT count(*) FROM messages')).toBe(0);
    expect(count('SELECT count(*) FROM unread')).toBe(0);
    // The store goes on with a new batch.
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'after', ts: 1}, ['ben']);
    await store.settled();
    expect(count('SELECT count(*) FROM messages')).toBe(1);
  });

  it('undoes a failing write of a savepoint kind alone and keeps the batch', async () => {
    store.storeMessage({sender: 'ann', recipient: 'ben', body: 'kept', ts: 1}, ['ben']);
    const batch = store.currentBatch();
    // A group whose creator does not exist breaks a foreign key in its second statement.
    expect(() => store.createGroup('ghosts', 'nobody', 1)).toThrow();
    expect(batch.state).toBe('pending');
    store.commit();
    expect(batch.state).toBe('committed');
    expect(count('SELECT count(*) FROM groups')).toBe(0);
    expect(count('SELECT count(*) FROM messages')).toBe(1);
  });
});

describe('durability full', () => {
  it('counts a batch committed only once an fsync of the WAL after its COMMIT has finished, off the main thread', async () => {
    const fullDir = mkdtempSync(join(tmpdir(), 'realmchat-full-'));
    const full = new SqliteStore({file: join(fullDir, 'realmchat.db'), durability: 'full'});
    try {
      full.createUser({username: 'ann', fullName: 'ann', country: 'x', createdAt: 0}, 'v');
      const batch = full.currentBatch();
      full.commit();
      // COMMIT has returned and the row is visible, but the batch is not durable yet: replies keep waiting.
      expect(batch.state).toBe('pending');
      expect(full.getUser('ann')).toBeDefined();
      // A read made now, in a turn without writes, waits for that same fsync.
      expect(full.currentBatch()).toBe(batch);
      await batch.done;
      expect(batch.state).toBe('committed');
      expect(full.currentBatch().state).toBe('committed');
      // Batches committed while an fsync runs are covered by the next one, in order.
      const settled: number[] = [];
      for (let i = 0; i < 3; i++) {
        full.storeMessage({sender: 'ann', recipient: 'ann', body: `m${i}`, ts: 1}, ['ann']);
        const next = full.currentBatch();
        full.commit();
        void next.done.then(() => settled.push(i));
      }
      await full.settled();
      expect(settled).toEqual([0, 1, 2]);
    } finally {
      await full.close();
      rmSync(fullDir, {recursive: true, force: true});
    }
  });

  describe('conversation rows, held across commits until a slice or a read writes them', () => {
    const list = (username: string) => store.listConversations(username, {limit: 10}).map((row) => [row.conversation, row.lastId, row.unread]);
    const countWrites = () => {
      store.db.exec(`CREATE TEMP TABLE row_writes (n INTEGER);
        CREATE TEMP TRIGGER row_inserted AFTER INSERT ON conversations BEGIN INSERT INTO row_writes VALUES (1); END;
        CREATE TEMP TRIGGER row_updated AFTER UPDATE ON conversations BEGIN INSERT INTO row_writes VALUES (1); END;`);
      return () => count('SELECT count(*) FROM temp.row_writes');
    };

    it('writes the two rows of sixteen messages between two users once, and a read in the batch sees them all', () => {
      const writes = countWrites();
      const ids = Array.from({length: 16}, (_, i) => store.storeMessage({sender: 'ann', recipient: 'ben', body: `m${i}`, ts: 1}, ['ben']));
      expect(writes()).toBe(0); // gathered, not written yet
      expect(list('ben')).toEqual([['ann', ids[15], 16]]); // the read wrote them first, inside the batch
      expect(writes()).toBe(2);
      store.storeMessage({sender: 'ben', recipient: 'ann', body: 'reply', ts: 1}, ['ann']);
      store.commit();
      expect(writes()).toBe(2); // the commit leaves them to the indexer's slice
      expect(list('ann')).toEqual([['ben', ids[15]! + 1, 1]]);
      expect(writes()).toBe(4);
      expect(list('ben')).toEqual([['ann', ids[15]! + 1, 16]]);
    });

    it("writes what several commits held once, in the indexer's slice, with the mark at the newest message", async () => {
      const writes = countWrites();
      const mark = () => count('SELECT touched_upto FROM conversation_progress');
      const before = mark();
      let last = 0;
      for (let turn = 0; turn < 5; turn++) {
        for (let i = 0; i < 4; i++) last = store.storeMessage({sender: 'ann', recipient: 'ben', body: `t${turn}`, ts: 1}, ['ben']);
        store.commit();
      }
      expect(writes()).toBe(0);
      expect(mark()).toBe(before);
      // The slice runs a few milliseconds after the commits: 20 messages, two rows, each written once.
      await expect.poll(mark, {timeout: 5_000}).toBe(last);
      expect(writes()).toBe(2);
      expect(store.db.prepare('SELECT username, conversation, last_id, unread FROM conversations ORDER BY username').all())
        .toEqual([{username: 'ann', conversation: 'ben', last_id: last, unread: 0}, {username: 'ben', conversation: 'ann', last_id: last, unread: 20}]);
    });

    it('gathers the held rows again from the messages when a batch that wrote them rolls back', () => {
      const first = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'committed, held', ts: 1}, ['ben']);
      store.commit();
      // The next batch writes the held rows (a read), then fails: the rollback takes the rows and the mark back.
      const rolledBack = store.storeMessage({sender: 'ben', recipient: 'ann', body: 'rolled back', ts: 1}, ['ann']);
      expect(list('ben')).toEqual([['ann', rolledBack, 1]]);
      expect(list('ann')).toEqual([['ben', rolledBack, 1]]);
      expect(() => store.storeMessage({sender: 'ann', recipient: 'victim', body: 'x', ts: 1}, ['victim'])).toThrow('injected failure');
      expect(count('SELECT count(*) FROM conversations')).toBe(0);
      const after = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'after', ts: 1}, ['ben']);
      store.commit();
      expect(after).toBe(rolledBack); // the rolled-back message's id, handed out again
      expect(list('ben')).toEqual([['ann', after, 2]]);
      expect(list('ann')).toEqual([['ben', after, 0]]);
      expect(first).toBeLessThan(after);
      expect(list('victim')).toEqual([]);
    });

    it(`writes them at the commit once more than ${MAX_HELD_TOUCHES} rows are held (bounded memory)`, () => {
      const writes = countWrites();
      const perCommit = 1_000; // two rows each: ann's and the recipient's
      let commits = 0;
      // Bounded: without the rule nothing would ever be written here (the slice's timer cannot run in this test).
      while (writes() === 0 && commits < 2 * MAX_HELD_TOUCHES / perCommit) {
        for (let i = 0; i < perCommit; i++) store.storeMessage({sender: 'ann', recipient: `u${commits * perCommit + i}`, body: 'x', ts: 1}, []);
        store.commit();
        commits++;
      }
      expect(writes()).toBeGreaterThan(0);
      expect(commits * perCommit * 2).toBeGreaterThan(MAX_HELD_TOUCHES);
      expect((commits - 1) * perCommit * 2).toBeLessThanOrEqual(MAX_HELD_TOUCHES);
      expect(writes()).toBe(commits * perCommit * 2);
    });

    it("brings the mark down when the newest message is deleted, so a message that gets its id again is not skipped", async () => {
      const copy = (body: string) => [{sender: 'ann', recipient: 'carol', recipientRealm: 'beta', body, ts: 1}];
      const kept = store.enqueueOutbox('beta', '{}', copy('kept'), 1);
      const refused = store.enqueueOutbox('beta', '{}', copy('refused'), 2);
      store.commit();
      expect(list('ann')).toEqual([['carol@beta', refused.localIds[0], 0]]); // written, the mark at the refused copy
      store.completeOutbox({realm: 'beta', upto: refused.seq, notices: [], dropMessageIds: [refused.localIds[0]!]});
      store.commit();
      expect(count('SELECT touched_upto FROM conversation_progress')).toBe(kept.localIds[0]);
      const reused = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'gets the id again', ts: 3}, ['ben']);
      expect(reused).toBe(refused.localIds[0]);
      store.commit();
      // A restart before the rows are written gathers the message again.
      const reopened = new SqliteStore({file: join(dir, 'realmchat.db')});
      try {
        expect(reopened.listConversations('ben', {limit: 10}).map((row) => [row.conversation, row.lastId, row.unread])).toEqual([['ann', reused, 1]]);
      } finally {
        await reopened.close();
      }
    });

    it('makes the rows a stopped store held again from the messages above the mark when it opens', async () => {
      const first = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'one', ts: 1}, ['ben']);
      const second = store.storeMessage({sender: 'ben', recipient: 'ann', body: 'two', ts: 1}, ['ann']);
      store.commit();
      // As if the process died now: committed messages, rows and mark not written yet. A second store on the file
      // is what a restart opens.
      expect(count('SELECT count(*) FROM conversations')).toBe(0);
      const reopened = new SqliteStore({file: join(dir, 'realmchat.db')});
      try {
        expect(reopened.listConversations('ben', {limit: 10}).map((row) => [row.conversation, row.lastId, row.unread])).toEqual([['ann', second, 1]]);
        expect(reopened.listConversations('ann', {limit: 10}).map((row) => [row.conversation, row.lastId, row.unread])).toEqual([['ben', second, 1]]);
        expect(reopened.db.prepare('SELECT touched_upto FROM conversation_progress').pluck().get()).toBe(second);
        expect(first).toBeLessThan(second);
      } finally {
        await reopened.close();
      }
    });

    it('forgets the rows of a batch that rolled back', () => {
      store.storeMessage({sender: 'ann', recipient: 'ben', body: 'rolled back', ts: 1}, ['ben']);
      expect(() => store.storeMessage({sender: 'ann', recipient: 'victim', body: 'x', ts: 1}, ['victim'])).toThrow('injected failure');
      const after = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'after', ts: 1}, ['ben']);
      store.commit();
      expect(list('ben')).toEqual([['ann', after, 1]]);
      expect(list('victim')).toEqual([]);
    });

    it('forgets the rows of a write undone alone (a savepoint) and keeps the ones gathered before it', () => {
      const kept = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'kept', ts: 1}, ['ben']);
      const batch = store.currentBatch();
      const delivery = (recipient: string) => ({message: {sender: 'carol', senderRealm: 'beta', recipient, body: 'from beta', ts: 1}, recipients: [recipient]});
      // One received message reaches ben, the next fails at victim's delivery: the whole call is undone.
      expect(() => store.storeReceived('beta', [
        {uid: 'u1', verdict: null, deliveries: [delivery('ben')]},
        {uid: 'u2', verdict: null, deliveries: [delivery('victim')]},
      ], 1)).toThrow('injected failure');
      expect(batch.state).toBe('pending');
      store.commit();
      expect(list('ben')).toEqual([['ann', kept, 1]]);
      expect(list('victim')).toEqual([]);
    });
  });
});
