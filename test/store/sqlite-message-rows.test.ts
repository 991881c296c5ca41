/**
 * The SQLite store reads each message as a JSON array of its values and its text apart (MESSAGE_ROW in
 * sqlite-reads.ts): whatever a message holds must come back from every read exactly as it was stored.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {userToken} from '../../daemon/store/conversation-keys.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';

let store: SqliteStore;

beforeEach(() => {
  store = new SqliteStore({file: ':memory:'});
  for (const username of ['ann', 'ben']) store.createUser({username, fullName: username, country: 'x', createdAt: 0}, 'v');
  store.createGroup('devs', 'ann', 0);
});

afterEach(async () => {
  await store.close();
});

const TEXTS = [
  'plain words',
  'quotes " and \' and a backslash \\ and \\u0041 written out',
  'controls \u0001\u001f tab\t CR\r LF\n and NUL \u0000 inside',
  'unicode: Selamat pagi, naïve café, 日本語, emoji 👩‍💻🎉, separators \u2028\u2029',
  '[1,2,"not json"]',
  ' leading and trailing spaces ',
];

describe('message rows as JSON', () => {
  it('gives every text back unchanged from the inbox, a message read, private and group history and search', () => {
    const ts = Number.MAX_SAFE_INTEGER;
    const ids = TEXTS.map((body) => store.storeMessage({sender: 'ann', recipient: 'ben', body: `${body} needle`, ts}, ['ben']));
    const groupIds = TEXTS.map((body) => store.storeMessage({sender: 'ann', group: 'devs', body: `${body} needle`, ts}, []));
    const expected = TEXTS.map((body) => `${body} needle`);
    const all = {maxMessages: 100, maxBytes: 1 << 20};

    const inbox = store.unread('ben', all).messages;
    expect(inbox.map((message) => message.body)).toEqual(expected);
    expect(inbox.map((message) => message.id)).toEqual(ids);
    expect(inbox[0]).toEqual({id: ids[0], sender: 'ann', recipient: 'ben', body: expected[0], ts});
    expect(ids.map((id) => store.message(id)?.body)).toEqual(expected);
    expect(store.privateHistory('ben', 'ann', undefined, {limit: 50}).map((message) => message.body)).toEqual(expected);
    expect(store.privateHistory('ben', 'ann', undefined, {limit: 1})[0]).toMatchObject({read: false, ts});
    expect(store.groupHistory('devs', undefined, {limit: 50}).map((message) => message.body)).toEqual(expected);
    expect(store.groupHistory('devs', undefined, {limit: 1})[0]).toMatchObject({id: groupIds.at(-1), group: 'devs'});
    const found = store.searchMessages({words: ['needle'], scope: [userToken('ben')], limit: 50}).messages;
    expect(found.map((message) => message.body).sort()).toEqual([...expected].sort());
  });

  it('carries a file message\'s file and a message of another realm\'s sender', () => {
    const sha256 = 'ab'.repeat(32);
    const id = store.storeMessage({sender: 'ann', recipient: 'ben', body: 'a file', ts: 1, file: {name: 'notes "1".txt', size: 12, sha256}}, ['ben']);
    const remote = store.storeMessage({sender: 'carol', senderRealm: 'beta', recipient: 'ben', body: 'from afar', ts: 2}, ['ben']);
    const inbox = store.unread('ben', {maxMessages: 10, maxBytes: 1 << 20}).messages;
    expect(inbox).toEqual([
      {id, sender: 'ann', recipient: 'ben', body: 'a file', ts: 1, file: {name: 'notes "1".txt', size: 12, sha256}},
      {id: remote, sender: 'carol', senderRealm: 'beta', recipient: 'ben', body: 'from afar', ts: 2},
    ]);
  });
});
