import {describe, expect, it} from 'vitest';
import {encodeReply, ReplyDecoder, ReplyFramingError} from '../../common/protocol/reply-codec.js';
import {error, errorCodeOf, ok, type ErrorCode} from '../../common/protocol/replies.js';
import {everySplit, feedCut} from '../helpers/splits.js';

describe('encodeReply', () => {
  it('is compact JSON ending in CRLF CRLF', () => {
    expect(encodeReply(ok('Message sent', {id: 7}))).toBe('{"status":"OK","message":"Message sent","id":7}\r\n\r\n');
  });

  it('escapes every non-ASCII character, astral ones as surrogate pairs', () => {
    const wire = encodeReply(ok('x', {msg: 'héllo 日本 🎉'}));
    expect([...Buffer.from(wire)].every((byte) => byte < 0x80)).toBe(true);
    expect(wire).toContain('h\\u00e9llo \\u65e5\\u672c \\ud83c\\udf89');
    expect(JSON.parse(wire.slice(0, -4)).msg).toBe('héllo 日本 🎉');
  });

  it('keeps a message containing the terminator inside the JSON string', () => {
    const wire = encodeReply(ok('x', {msg: 'a\r\n\r\nb'}));
    expect(wire.indexOf('\r\n\r\n')).toBe(wire.length - 4);
    expect(new ReplyDecoder().push(wire)).toEqual([{status: 'OK', message: 'x', msg: 'a\r\n\r\nb'}]);
  });

  it('gives ERROR replies their exact seed message and code', () => {
    expect(encodeReply(error('NO_SESSION'))).toBe(
      '{"status":"ERROR","message":"Session tidak ditemukan","code":"NO_SESSION"}\r\n\r\n');
  });
});

describe('ReplyDecoder', () => {
  const stream = Buffer.from(
    encodeReply(ok('a', {msg: 'héllo'})) + encodeReply(error('USER_NOT_FOUND')) + encodeReply(ok('c', {n: [1, 2]})));
  const expected = [
    {status: 'OK', message: 'a', msg: 'héllo'},
    {status: 'ERROR', message: 'User tidak ditemukan', code: 'USER_NOT_FOUND'},
    {status: 'OK', message: 'c', n: [1, 2]},
  ];

  it('decodes the same replies for every split of the stream', () => {
    for (const cuts of everySplit(stream)) {
      const decoder = new ReplyDecoder();
      const out = feedCut(stream, cuts, (chunk) => decoder.push(chunk));
      expect(out).toEqual(expected);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('decodes raw UTF-8 from peers that do not escape', () => {
    expect(new ReplyDecoder().push(Buffer.from('{"status":"OK","message":"日本"}\r\n\r\n'))).toEqual([
      {status: 'OK', message: '日本'},
    ]);
  });

  it('rejects a reply that is not a JSON object', () => {
    expect(() => new ReplyDecoder().push('not json\r\n\r\n')).toThrow(ReplyFramingError);
    expect(() => new ReplyDecoder().push('[1]\r\n\r\n')).toThrow(ReplyFramingError);
    expect(() => new ReplyDecoder().push('null\r\n\r\n')).toThrow(ReplyFramingError);
    expect(() => new ReplyDecoder().push('42\r\n\r\n')).toThrow(ReplyFramingError);
    expect(() => new ReplyDecoder().push('"OK"\r\n\r\n')).toThrow(ReplyFramingError);
    expect(() => new ReplyDecoder().push('true\r\n\r\n')).toThrow(ReplyFramingError);
  });

  it('bounds an unterminated reply', () => {
    const decoder = new ReplyDecoder({maxReplyBytes: 100});
    expect(() => decoder.push('x'.repeat(200))).toThrow(/too large/);
  });
});

describe('errorCodeOf', () => {
  it('knows codes of ERRORS only, never names of Object.prototype members', () => {
    expect(errorCodeOf(error('NO_SESSION'))).toBe('NO_SESSION');
    expect(errorCodeOf({status: 'ERROR', message: 'Session tidak ditemukan'})).toBe('NO_SESSION');
    expect(errorCodeOf({status: 'ERROR', message: 'x', code: 'constructor' as ErrorCode})).toBeUndefined();
    expect(errorCodeOf({status: 'ERROR', message: 'x', code: 'toString' as ErrorCode})).toBeUndefined();
    expect(errorCodeOf(ok('fine'))).toBeUndefined();
  });
});
