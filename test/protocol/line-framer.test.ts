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

  it('uses a 64 KiB default limit', () => {
    const framer = new LineFramer();
    expect(framer.maxLineBytes).toBe(65536);
    expect(framer.push(Buffer.from('a'.repeat(65536) + '\n'))).toEqual(lines('a'.repeat(65536)));
    expect(framer.push(Buffer.from('a'.repeat(65537) + '\n'))).toEqual([{kind: 'error', code: 'LINE_TOO_LONG'}]);
  });
});
