/** An existing database upgrades in place: the database of release 0.1.0 opens with today's store, nothing lost. */
import {copyFileSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, describe, expect, it} from 'vitest';
import {MIGRATIONS} from '../../daemon/store/migrations.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';

const RELEASE_0_1_0 = fileURLToPath(new URL('../fixtures/release-0.1.0.db', import.meta.url));
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

function openCopy(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-migrate-'));
  dirs.push(dir);
  copyFileSync(RELEASE_0_1_0, join(dir, 'realmchat.db'));
  return new SqliteStore({file: join(dir, 'realmchat.db')});
}

const bodies = (messages: Array<{body: string}>) => messages.map((message) => message.body);

describe('migrations', () => {
  it('upgrades the database of release 0.1.0 to the newest schema', async () => {
    const store = openCopy();
    expect(store.db.pragma('user_version', {simple: true})).toBe(MIGRATIONS.at(-1)!.version);
    expect(store.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'deliveries'").pluck().get()).toBe(0);
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    expect(store.db.pragma('integrity_check', {simple: true})).toBe('ok');
    await store.close();
  });

  it('keeps users, sessions, groups, history with read flags, unread messages and the outbox', async () => {
    const store = openCopy();
    expect(store.getUser('BEN')).toMatchObject({username: 'ben', fullName: 'BEN'});
    expect(store.sessionUser('11111111-2222-4333-8444-555555555555')).toBe('ann');
    expect(store.members('devs')).toEqual(['ann', 'ben', 'cat']);
    // What was unread stays unread, in order; what was read stays read.
    expect(bodies(store.unread('ann', {maxMessages: 10, maxBytes: 1e6}).messages)).toEqual(['private 5']);
    expect(bodies(store.unread('ben', {maxMessages: 10, maxBytes: 1e6}).messages)).toEqual(['private 2', 'private 4']);
    expect(bodies(store.unread('cat', {maxMessages: 10, maxBytes: 1e6}).messages)).toEqual(['group hello', 'from beta']);
    expect(bodies(store.unread('cat', {maxMessages: 10, maxBytes: 1e6}, {realm: 'beta'}).messages)).toEqual(['from beta']);
    const history = store.privateHistory('ann', 'ben', undefined, {limit: 10});
    expect(bodies(history)).toEqual(['private 0', 'private 1', 'private 2', 'private 3', 'private 4', 'private 5']);
    // ann received 1, 3 and 5 and has read 1 and 3; her own messages carry no read flag.
    expect(history.map((message) => message.read)).toEqual([undefined, true, undefined, true, undefined, false]);
    expect(store.outboxStats('beta')).toEqual({count: 1, lastSeq: 1});
    expect(store.listRealms()).toMatchObject([{name: 'beta', port: 8890, dial: true}]);
    // And it goes on working: read the rest, write new.
    store.markRead('ann', store.unread('ann', {maxMessages: 10, maxBytes: 1e6}).messages.map((message) => message.id));
    store.storeMessage({sender: 'ben', recipient: 'ann', body: 'after the upgrade', ts: 1}, ['ann']);
    await store.settled();
    expect(bodies(store.unread('ann', {maxMessages: 10, maxBytes: 1e6}).messages)).toEqual(['after the upgrade']);
    await store.close();
  });
});
