import {describe, expect, it} from 'vitest';
import {LineFramer, type FramedLine} from '../../common/protocol/line-framer.js';
import {everySplit, feedCut} from '../helpers/splits.js';

/** Feeds `bytes` to a fresh framer cut at the given offsets; returns everything it produced. */
function feed(bytes: Buffer, cuts: number[], maxLineBytes?: number): FramedLine[] {
  const framer = new LineFramer({maxLineBytes});
  return feedCut(bytes, cuts, (chunk) => framer.push(chunk));
}

const lines = (...texts: string[]): FramedLine[] => texts.map((text) => ({kind: 'line', text}));

describe('LineFramer', () => {
  const cases: Array<[string, string | Buffer, FramedLine[], number?]> = [
    ['CRLF line', 'auth messi surabaya \r\n', lines('auth messi surabaya ')],
    ['LF line', 'inbox\n', lines('inbox')],
    ['pipelined lines with mixed endings', 'a\r\nb\nc\r\n', lines('a', 'b', 'c')],
    ['blank lines are framed (the router ignores them)', '\r\n\n', lines('', '')],
    ['a lone CR inside a line is kept', 'send bob a\rb\n', lines('send bob a\rb')],
    ['incomplete tail is held', 'send bob hi\r\nsend bo', lines('send bob hi')],
    ['multi-byte UTF-8', 'send bob héllo 日本 🎉\n', lines('send bob héllo 日本 🎉')],
    ['invalid UTF-8 is reported and the next line still works',
      Buffer.concat([Buffer.from('send bob '), Buffer.from([0xff, 0xfe]), Buffer.from('\ninbox\n')]),
      [{kind: 'error', code: 'INVALID_UTF8'}, ...lines('inbox')]],
    ['truncated multi-byte sequence is invalid', Buffer.concat([Buffer.from([0xe6, 0x97]), Buffer.from('\n')]),
      [{kind: 'error', code: 'INVALID_UTF8'}]],
    ['over-long line is reported once, the rest discarded, the connection usable',
      'x'.repeat(20) + '\r\ninbox\n', [{kind: 'error', code: 'LINE_TOO_LONG'}, ...lines('inbox')], 10],
    ['a line of exactly the limit passes, with CRLF', 'y'.repeat(10) + '\r\n', lines('y'.repeat(10)), 10],
    ['one byte over the limit fails', 'y'.repeat(11) + '\n', [{kind: 'error', code: 'LINE_TOO_LONG'}], 10],
  ];

  for (const [name, input, expected, max] of cases) {
    it(`${name}: same result for every split`, () => {
      const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
      for (const cuts of everySplit(bytes)) {
        expect(feed(bytes, cuts, max), `cuts ${cuts.join(',')}`).toEqual(expected);
      }
    });
  }

  it('does not hold more than the limit while discarding a huge line', () => {
    const framer = new LineFramer({maxLineBytes: 1024});
    const errors: FramedLine[] = [];
    for (let i = 0; i < 1000; i++) {
      errors.push(...framer.push(Buffer.alloc(4096, 0x61)));
      expect(framer.bufferedBytes).toBeLessThanOrEqual(1024);
    }
    expect(errors).toEqual([{kind: 'error', code: 'LINE_TOO_LONG'}]);
    expect(framer.push(Buffer.from('tail\nnext\n'))).toEqual(lines('next'));
  });

  it('counts the bytes it holds, chunk by chunk, and reports an over-long line in small chunks as soon as it crosses', () => {
    const framer = new LineFramer({maxLineBytes: 10});
    expect(framer.push(Buffer.from('abc'))).toEqual([]);
    expect(framer.bufferedBytes).toBe(3);
    expect(framer.push(Buffer.from('def'))).toEqual([]);
    expect(framer.bufferedBytes).toBe(6);
    expect(framer.push(Buffer.from('ghi'))).toEqual([]);
    expect(framer.bufferedBytes).toBe(9);
    // 9 + 3 = 12 bytes: past the limit and the one byte a CR may take. Reported now, before any LF.
    expect(framer.push(Buffer.from('jkl'))).toEqual([{kind: 'error', code: 'LINE_TOO_LONG'}]);
    expect(framer.bufferedBytes).toBe(0);
    for (let i = 0; i < 20; i++) {
      expect(framer.push(Buffer.from('mno'))).toEqual([]);
      expect(framer.bufferedBytes).toBe(0);
    }
    expect(framer.push(Buffer.from('p\nshort\n'))).toEqual(lines('short'));
    expect(framer.bufferedBytes).toBe(0);
  });

  it('holds 11 bytes in small chunks (a CR may follow), and a line of them without CR is too long', () => {
    const framer = new LineFramer({maxLineBytes: 10});
    for (const chunk of ['abcd', 'efgh', 'ijk']) expect(framer.push(Buffer.from(chunk))).toEqual([]);
    expect(framer.bufferedBytes).toBe(11);
    expect(framer.push(Buffer.from('\r\n'))).toEqual([{kind: 'error', code: 'LINE_TOO_LONG'}]);
    for (const chunk of ['abcd', 'efgh', 'ij']) expect(framer.push(Buffer.from(chunk))).toEqual([]);
    expect(framer.push(Buffer.from('\r'))).toEqual([]);
    expect(framer.push(Buffer.from('\n'))).toEqual(lines('abcdefghij'));
    for (const chunk of ['abcd', 'efgh', 'ijk']) framer.push(Buffer.from(chunk));
    expect(framer.push(Buffer.from('l'))).toEqual([{kind: 'error', code: 'LINE_TOO_LONG'}]);
  });

  it('uses a 64 KiB default limit', () => {
    const framer = new LineFramer();
    expect(framer.maxLineBytes).toBe(65536);
    expect(framer.push(Buffer.from('a'.repeat(65536) + '\n'))).toEqual(lines('a'.repeat(65536)));
    expect(framer.push(Buffer.from('a'.repeat(65537) + '\n'))).toEqual([{kind: 'error', code: 'LINE_TOO_LONG'}]);
  });

  describe('long-line verbs (files)', () => {
    const longLines = {verbs: new Set(['sendfile']), maxBytes: 40};
    const feedLong = (bytes: Buffer, cuts: number[]) => {
      const framer = new LineFramer({maxLineBytes: 10, longLines});
      return feedCut(bytes, cuts, (chunk) => framer.push(chunk));
    };
    const cases: Array<[string, string, FramedLine[]]> = [
      ['a file verb may pass the ordinary limit, up to its own', `sendfile b f ${'Q'.repeat(20)}\r\ninbox\n`,
        lines(`sendfile b f ${'Q'.repeat(20)}`, 'inbox')],
      ['the verb is matched case-insensitively, after leading blanks', ` SendFile b f ${'Q'.repeat(20)}\n`,
        lines(` SendFile b f ${'Q'.repeat(20)}`)],
      ['past its own limit: FILE_TOO_LARGE once, the rest discarded, the next line framed',
        `sendfile b f ${'Q'.repeat(40)}\ninbox\n`, [{kind: 'error', code: 'FILE_TOO_LARGE'}, ...lines('inbox')]],
      ['any other verb keeps the ordinary limit', `send b ${'Q'.repeat(20)}\ninbox\n`,
        [{kind: 'error', code: 'LINE_TOO_LONG'}, ...lines('inbox')]],
      ['a longer word that starts like the verb is not the verb', `sendfilex ${'Q'.repeat(20)}\n`,
        [{kind: 'error', code: 'LINE_TOO_LONG'}]],
      ['each line decides on its own', `send ${'Q'.repeat(9)}\nsendfile ${'Q'.repeat(25)}\nsendfil\n`,
        [{kind: 'error', code: 'LINE_TOO_LONG'}, ...lines(`sendfile ${'Q'.repeat(25)}`, 'sendfil')]],
    ];
    for (const [name, input, expected] of cases) {
      it(`${name}: same result for every split`, () => {
        const bytes = Buffer.from(input);
        for (const cuts of everySplit(bytes)) expect(feedLong(bytes, cuts), `cuts ${cuts.join(',')}`).toEqual(expected);
      });
    }

    it('holds no more than the file limit while discarding an over-large file line', () => {
      const framer = new LineFramer({maxLineBytes: 10, longLines: {verbs: new Set(['sendfile']), maxBytes: 1000}});
      const out = framer.push(Buffer.from('sendfile bob x '));
      for (let i = 0; i < 100; i++) {
        out.push(...framer.push(Buffer.alloc(100, 0x41)));
        expect(framer.bufferedBytes).toBeLessThanOrEqual(1000);
      }
      expect(out).toEqual([{kind: 'error', code: 'FILE_TOO_LARGE'}]);
      expect(framer.push(Buffer.from('end\ninbox\n'))).toEqual(lines('inbox'));
    });
  });
});
