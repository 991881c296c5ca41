/** The protocol core's pure rules, each pinned (mutation testing showed these unguarded; see docs/TESTING.md). */
import {describe, expect, it} from 'vitest';
import {base64Length, decodeFileContent, fileBaseName, fileMessageText, formatFileSize, MAX_FILE_NAME} from '../../common/protocol/files.js';
import {LineFramer} from '../../common/protocol/line-framer.js';
import {parseReply, ReplyDecoder, ReplyFramingError} from '../../common/protocol/reply-codec.js';
import {error, errorCodeOf, ok} from '../../common/protocol/replies.js';
import {conversationsOf, groupsOf, hasMore, loginOf, messagesOf, realmsOf, searchResultsOf, seenOf, userOf} from '../../common/protocol/reply-shapes.js';
import {buildRequest, parseParams, searchWordsOf, splitRequest, type ParamsResult} from '../../common/protocol/request.js';

function parse(line: string): ParamsResult {
  const split = splitRequest(line)!;
  return parseParams({...split, spec: split.spec!});
}
function params(line: string) {
  const result = parse(line);
  if (!result.ok) throw new Error(`did not parse: ${line} → ${result.code}`);
  return result.request;
}

describe('file commands', () => {
  it('take the last word as the content and everything between the fixed parameters and it as the path', () => {
    expect(params('sendfile bob /tmp/with space/a.txt aGk=')).toMatchObject(
      {params: {username: 'bob'}, filePath: '/tmp/with space/a.txt', fileContent: 'aGk='});
    expect(params('sendfile bob\ta.txt\taGk=  \r')).toMatchObject({filePath: 'a.txt', fileContent: 'aGk='});
    expect(params('sendgroupfile group:devs  notes.txt   aGk=')).toMatchObject(
      {params: {group: 'devs'}, filePath: 'notes.txt', fileContent: 'aGk='});
    expect(parse('sendfile bob onlyapath')).toEqual({ok: false, code: 'MISSING_PARAMETER'});
    expect(parse('sendfile bob  onlyapath  ')).toEqual({ok: false, code: 'MISSING_PARAMETER'});
    expect(parse('sendfile bob')).toEqual({ok: false, code: 'MISSING_PARAMETER'});
    expect(parse('sendfile b!b a.txt aGk=')).toEqual({ok: false, code: 'BAD_PARAMETER'});
  });

  it('decode base64 content, bare or as b\'…\', and name the file after the path\'s last part', () => {
    expect(decodeFileContent('aGk=')).toEqual(Buffer.from('hi'));
    expect(decodeFileContent("b'aGk='")).toEqual(Buffer.from('hi'));
    expect(decodeFileContent('b"aGk="')).toEqual(Buffer.from('hi'));
    expect(decodeFileContent('aGk')).toBeUndefined();
    expect(decodeFileContent("b'aGk=\"")).toBeUndefined();
    expect([0, 1, 2, 3, 4, 6, 7].map(base64Length)).toEqual([0, 4, 4, 4, 8, 8, 12]);
    expect(fileBaseName('/a/b/c.txt')).toBe('c.txt');
    expect(fileBaseName('C:\\x\\y.bin')).toBe('y.bin');
    expect(fileBaseName('dir/..')).toBe('file');
    expect(fileBaseName('/')).toBe('file');
    expect(fileBaseName('a\u0000b\u007f.txt')).toBe('ab.txt');
    expect(fileBaseName('n'.repeat(300))).toBe('n'.repeat(MAX_FILE_NAME));
    expect([1023, 1024, 1024 * 1024 - 1, 1024 * 1024].map(formatFileSize)).toEqual(['1023 B', '1.0 KiB', '1024.0 KiB', '1.0 MiB']);
    expect(fileMessageText('a.txt', 2048)).toBe('[file] a.txt (2.0 KiB)');
  });
});

describe('parameter forms', () => {
  it('reads a group with or without group:, a conversation with or without @realm', () => {
    expect(params('sendgroup devs hi').params.group).toBe('devs');
    expect(params('sendgroup group:devs hi').params.group).toBe('devs');
    expect(params('history bob').params.conversation).toStrictEqual({kind: 'user', name: 'bob'});
    expect(params('history group:devs').params.conversation).toStrictEqual({kind: 'group', name: 'devs'});
    expect(params('history bob@beta').params.conversation).toStrictEqual({kind: 'user', name: 'bob', realm: 'beta'});
    for (const line of ['history bob@', 'history bob@b!d', 'history @beta', 'history group:', 'history group:devs@']) {
      expect(parse(line), line).toEqual({ok: false, code: 'BAD_PARAMETER'});
    }
  });

  it('takes addrealm with a realm alone, or with host and port together', () => {
    expect(params('addrealm beta').params).toStrictEqual({realm: 'beta'});
    expect(parse('addrealm beta 127.0.0.1')).toEqual({ok: false, code: 'MISSING_PARAMETER'});
  });

  it('keeps the text of a text command whole, however many words it has', () => {
    expect(params('send bob a b c d e f g').text).toBe('a b c d e f g');
    expect(params('send\tbob\t\tx\ty ').text).toBe('x\ty');
    expect(params('register ann pw Ann__Lee  Maria indonesia')).toMatchObject({fullName: 'Ann Lee Maria', country: 'indonesia'});
    expect(params('register ann pw Ann new_zealand').country).toBe('new zealand');
  });
});

describe('buildRequest', () => {
  it('trims its arguments and drops empty ones', () => {
    expect(buildRequest('send', ['  bob ', '', ' hi there '])).toBe('send bob hi there\r\n');
    expect(buildRequest('inbox', [])).toBe('inbox\r\n');
  });

  it('names what is missing or wrong', () => {
    expect(() => buildRequest('send', [])).toThrow('missing parameter: username; usage: send <username> <message>');
    expect(() => buildRequest('send', ['bob'])).toThrow(/^missing parameter: message; usage/);
    expect(() => buildRequest('register', ['ann', 'pw'])).toThrow(/^missing parameter: full name and country; usage/);
    expect(() => buildRequest('send', ['b!b', 'hi'])).toThrow(/^bad parameter username: "b!b" is not a name: 1 to 32/);
    expect(() => buildRequest('logout', ['now'])).toThrow(/^bad parameter: too many words \(logout takes 0\)/);
    expect(() => buildRequest('register', ['ann', 'pw', 'n'.repeat(101), 'id'])).toThrow(/^bad parameter: the full name and the country are at most 100/);
    expect(() => buildRequest('send', ['b b', 'hi'])).toThrow(/^username must be one word/);
  });
});

describe('reply codec', () => {
  it('names its error and says why', () => {
    expect(() => parseReply('nope')).toThrow(new ReplyFramingError('reply is not JSON: nope'));
    expect(() => parseReply('null')).toThrow(new ReplyFramingError('reply is not a JSON object'));
    expect(new ReplyFramingError('x').name).toBe('ReplyFramingError');
  });

  it('accepts a buffered reply of exactly maxReplyBytes, not one byte more', () => {
    const decoder = new ReplyDecoder({maxReplyBytes: 10});
    expect(decoder.push('x'.repeat(10))).toEqual([]);
    expect(() => decoder.push('x')).toThrow(/too large/);
  });

  it('finds a terminator split across chunks, from Uint8Array views too', () => {
    const decoder = new ReplyDecoder();
    const wire = Buffer.from('--{"status":"OK","message":"a"}\r\n\r\n').subarray(2);
    const view = new Uint8Array(wire.buffer, wire.byteOffset, wire.length);
    expect(decoder.push(view.subarray(0, view.length - 3))).toEqual([]);
    expect(decoder.push(view.subarray(view.length - 3, view.length - 1))).toEqual([]);
    expect(decoder.push(view.subarray(view.length - 1))).toEqual([{status: 'OK', message: 'a'}]);
    expect(decoder.bufferedBytes).toBe(0);
  });
});

describe('errorCodeOf', () => {
  it('takes the code of an ERROR, never of an OK', () => {
    expect(errorCodeOf({status: 'ERROR', message: 'custom text', code: 'RATE_LIMITED'})).toBe('RATE_LIMITED');
    expect(errorCodeOf({status: 'OK', message: 'Session tidak ditemukan', code: 'NO_SESSION'} as never)).toBeUndefined();
    expect(errorCodeOf(error('GROUP_NOT_FOUND'))).toBe('GROUP_NOT_FOUND');
  });
});

describe('reply views', () => {
  it('read a login only from an OK with a token', () => {
    expect(loginOf(ok('Login', {tokenid: 't', username: 'ann', realm: 'alpha'}))).toEqual({token: 't', username: 'ann', realm: 'alpha'});
    expect(loginOf(ok('Login', {tokenid: 't'}))).toEqual({token: 't', username: undefined, realm: undefined});
    expect(loginOf(ok('Login', {tokenid: 7}))).toBeUndefined();
    expect(loginOf(error('NO_SESSION', {tokenid: 't'}))).toBeUndefined();
  });

  it('fill a message\'s missing fields, keep the optional ones only when they are there, and sort by time then id', () => {
    const full = {id: 5, msg_from: 'bob', msg_to: 'ann', msg: 'x', ts: '2025-01-01T00:00:01.000Z', group: 'devs',
      realm_from: 'beta', realm_to: 'alpha', read: false};
    expect(messagesOf(ok('History', {messages: [full]}))).toStrictEqual([{id: 5, from: 'bob', to: 'ann', text: 'x',
      ts: '2025-01-01T00:00:01.000Z', group: 'devs', realmFrom: 'beta', realmTo: 'alpha', read: false}]);
    expect(messagesOf(ok('History', {messages: [{id: 'x', msg_from: 1, msg_to: null, msg: 2, ts: 3, group: 4, realm_from: 5,
      realm_to: 6, read: 'yes'}]}))).toStrictEqual([{id: 0, from: '?', to: '?', text: '', ts: ''}]);
    const at = (id: number, second: number) => ({id, msg: String(id), ts: `2025-01-01T00:00:0${second}.000Z`});
    expect(messagesOf(ok('History', {messages: [at(4, 2), at(3, 1), at(1, 2), at(2, 1)]})).map((m) => m.id)).toEqual([2, 3, 1, 4]);
    expect(messagesOf(ok('Inbox', {messages: {bob: [at(2, 2)], ann: 'junk', cid: [at(1, 3), null]}})).map((m) => m.id)).toEqual([2, 1]);
    expect(messagesOf(ok('Inbox', {messages: 'junk'}))).toEqual([]);
    expect(hasMore(ok('x', {more: true}))).toBe(true);
    expect(hasMore(ok('x', {more: 'true'}))).toBe(false);
  });

  it('read profiles, groups and realms with defaults for what is missing', () => {
    expect(userOf(ok('User info', {user: {username: 'a', realm: 'alpha', created_at: '2025'}}))).toStrictEqual(
      {username: 'a', fullName: '', country: '', groups: [], realm: 'alpha', createdAt: '2025'});
    expect(userOf(ok('User info', {user: {realm: 1, created_at: 2}}))).toStrictEqual({username: '?', fullName: '', country: '', groups: []});
    expect(userOf(ok('User info', {user: [1]}))).toBeUndefined();
    expect(groupsOf(ok('Groups', {groups: [{name: 'g', members: 2, member: 'yes'}, 'junk', {}]}))).toStrictEqual(
      [{name: 'g', members: 2, member: false}, {name: '?', members: 0, member: false}]);
    expect(groupsOf(ok('Groups', {groups: {name: 'g'}}))).toEqual([]);
    expect(realmsOf(ok('Realms', {realms: [
      {name: 'b', host: 'h', port: 2, state: 'backoff', queued: 3, direction: 'inbound'},
      {name: 'c', state: 'weird', direction: 'sideways'},
      {state: 'ready', direction: 'outbound'},
      null,
    ]}))).toStrictEqual({realm: undefined, links: [
      {name: 'b', host: 'h', port: 2, state: 'backoff', queued: 3, direction: 'inbound'},
      {name: 'c', host: '', port: 0, state: 'unknown', queued: 0},
      {name: '?', host: '', port: 0, state: 'ready', queued: 0, direction: 'outbound'},
    ]});
  });
});

describe('conversations, seen and search', () => {
  it('read conversations, markers and search results defensively, in the daemon\'s order', () => {
    const last = {id: 9, msg_from: 'bob', msg_to: 'devs', msg: 'ann: hi', ts: 't', group: 'devs', mention: true};
    expect(conversationsOf(ok('Conversations', {conversations: [
      {conversation: 'group:devs', kind: 'group', last, unread: 3, mentions: 1, seen: 7},
      {conversation: 'bob', kind: 'weird'},
      'junk',
    ]}))).toStrictEqual([
      {conversation: 'group:devs', kind: 'group', unread: 3, mentions: 1, seen: 7,
        last: {id: 9, from: 'bob', to: 'devs', text: 'ann: hi', ts: 't', group: 'devs', mention: true}},
      {conversation: 'bob', kind: 'direct', unread: 0, mentions: 0, seen: 0},
    ]);
    expect(conversationsOf(ok('Conversations', {conversations: {}}))).toEqual([]);
    expect(seenOf(ok('Seen', {conversation: 'bob', seen: 4, unread: 1, mentions: 0}))).toStrictEqual({conversation: 'bob', seen: 4, unread: 1, mentions: 0});
    expect(seenOf(error('USER_NOT_FOUND'))).toBeUndefined();
    // Ranked results stay in the daemon's order (newer first here), not re-sorted by time like messagesOf.
    expect(searchResultsOf(ok('Search', {results: [
      {id: 5, msg: 'b', ts: '2', conversation: 'bob', mention: 'yes'}, {id: 3, msg: 'a', ts: '1'}, 7,
    ]})).map((hit) => [hit.id, hit.conversation, hit.mention])).toEqual([[5, 'bob', undefined], [3, '?', undefined]]);
  });

  it('parse seen and search parameters', () => {
    expect(params('seen group:devs@beta 42').params).toEqual({conversation: {kind: 'group', name: 'devs', realm: 'beta'}, message_id: 42});
    expect(params('search Hello+wörld * 5 9').params).toEqual({text: ['hello', 'wörld'], conversation: '*', limit: 5, before: 9});
    expect(params('search a.b bob').params).toEqual({text: ['a', 'b'], conversation: {kind: 'user', name: 'bob'}});
    expect(parse('search +-+')).toEqual({ok: false, code: 'BAD_PARAMETER'});
    expect(parse(`search ${'a'.repeat(257)}`)).toEqual({ok: false, code: 'BAD_PARAMETER'});
    expect(parse('search a **')).toEqual({ok: false, code: 'BAD_PARAMETER'});
    expect(parse('conversations 5 x')).toEqual({ok: false, code: 'BAD_PARAMETER'});
    expect(searchWordsOf("don't")).toEqual(['don', 't']);
    expect(() => buildRequest('search', ['a', 'x y'])).toThrow(/bad parameter conversation|must be one word/);
    expect(() => buildRequest('search', ['+'])).toThrow('bad parameter text: "+" is not words joined with +');
  });
});

describe('LineFramer verbs', () => {
  const longLines = {verbs: new Set(['sendfile']), maxBytes: 40};
  it('ends the verb at a tab or a CR too, and gives up on a word longer than any verb', () => {
    expect(new LineFramer({maxLineBytes: 10, longLines}).push(Buffer.from(`sendfile\t${'Q'.repeat(20)}\n`))).toEqual(
      [{kind: 'line', text: `sendfile\t${'Q'.repeat(20)}`}]);
    const cr = new LineFramer({maxLineBytes: 5, longLines: {verbs: new Set(['inbox']), maxBytes: 40}});
    expect(cr.push(Buffer.from('inbox\r'))).toEqual([]);
    expect(cr.push(Buffer.from('\n'))).toEqual([{kind: 'line', text: 'inbox'}]);
    // A 33-letter first word is no verb: the ordinary limit applies even if the verb set had it.
    const word33 = 'v'.repeat(33);
    const long = new LineFramer({maxLineBytes: 34, longLines: {verbs: new Set([word33]), maxBytes: 100}});
    expect(long.push(Buffer.from(`${word33} ${'Q'.repeat(10)}\n`))).toEqual([{kind: 'error', code: 'LINE_TOO_LONG'}]);
    const word32 = 'v'.repeat(32);
    const ok32 = new LineFramer({maxLineBytes: 34, longLines: {verbs: new Set([word32]), maxBytes: 100}});
    expect(ok32.push(Buffer.from(`${word32} ${'Q'.repeat(10)}\n`))).toEqual([{kind: 'line', text: `${word32} ${'Q'.repeat(10)}`}]);
  });
});
