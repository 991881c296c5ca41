import {describe, expect, it} from 'vitest';
import {groupsOf, messagesOf, realmsOf, userOf} from '../../common/client/index.js';
import {ok} from '../../common/protocol/replies.js';

describe('reply views', () => {
  it('flattens the inbox grouped by sender into one time line', () => {
    const reply = ok('Inbox', {messages: {
      bob: [{id: 3, msg_from: 'bob', msg_to: 'alice', msg: 'second', ts: '2025-01-01T10:02:00.000Z'}],
      carol: [{id: 2, msg_from: 'carol', msg_to: 'alice', msg: 'first', ts: '2025-01-01T10:01:00.000Z', group: 'devs'}],
    }, more: false});
    expect(messagesOf(reply).map((message) => [message.text, message.group])).toEqual([['first', 'devs'], ['second', undefined]]);
  });

  it('keeps a file message\'s name, size and id (not its content)', () => {
    const [message] = messagesOf(ok('History', {messages: [{id: 7, msg_from: 'bob', msg_to: 'alice', msg: '[file] a.txt (3 B)',
      ts: '2025-01-01T10:01:00.000Z', file_name: 'a.txt', file_size: 3, file_id: 7, file_content: 'YWJj'}]}));
    expect(message).toMatchObject({text: '[file] a.txt (3 B)', file: {name: 'a.txt', size: 3, id: 7}});
    expect(JSON.stringify(message)).not.toContain('YWJj');
    expect(messagesOf(ok('History', {messages: [{id: 8, msg: 'plain'}]}))[0]!.file).toBeUndefined();
  });

  it('reads history lists, profiles, groups and realms defensively', () => {
    expect(messagesOf(ok('History', {messages: [{id: 1, msg: 'x'}, 'junk']}))).toHaveLength(1);
    expect(messagesOf(ok('History'))).toEqual([]);
    expect(userOf(ok('User info', {user: {username: 'a', nama: 'A B', negara: 'id', groups: ['g', 7]}})))
      .toMatchObject({username: 'a', fullName: 'A B', country: 'id', groups: ['g']});
    expect(userOf(ok('User info'))).toBeUndefined();
    expect(groupsOf(ok('Groups', {groups: [{name: 'devs', members: 2, member: true}]}))).toEqual([{name: 'devs', members: 2, member: true}]);
    expect(realmsOf(ok('Realms', {realm: 'alpha', realms: [{name: 'beta', host: 'h', port: 1, state: 'ready', queued: 0}]})))
      .toEqual({realm: 'alpha', links: [{name: 'beta', host: 'h', port: 1, state: 'ready', queued: 0}]});
  });
});
