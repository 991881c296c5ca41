/** The link codec: bytes in, frames out, under every way the bytes can be split. */
import {describe, expect, it} from 'vitest';
import {
  decodeLine, encodeFrame, encodeMessageBody, encodeMessageFrame, isWellFormedMessage, LinkDecoder,
  type DecodedFrame, type LinkFrame, type MessageBody, type MsgFrame,
} from '../../daemon/federation/link-codec.js';
import {everySplit, feedCut} from '../helpers/splits.js';

/** Feeds `bytes` to a fresh decoder cut at the given offsets; returns everything it produced. */
function feed(bytes: Buffer, cuts: number[], maxFrameBytes?: number): DecodedFrame[] {
  const decoder = new LinkDecoder({maxFrameBytes});
  return feedCut(bytes, cuts, (chunk) => decoder.push(chunk));
}

const nonce = 'a1'.repeat(16);
const key = 'K'.repeat(43);
const sig = 'S'.repeat(86);
const FRAMES: LinkFrame[] = [
  {type: 'hello', v: 2, realm: 'alpha', to: 'beta', nonce, key, tls: false, port: 8889},
  {type: 'starttls'},
  {type: 'challenge', realm: 'beta', nonce, key},
  {type: 'response', sig},
  {type: 'ready', sig},
  {type: 'refuse', reason: 'bad-signature'},
  {type: 'msg', seq: 1, id: 'u-1', origin: 'alpha', from: 'alice', to: 'bob', text: 'héllo 日本 🎉 "quoted" \\ \r\n\r\n', ts: 5},
  {type: 'msg', seq: 2, id: 'u-2', origin: 'alpha', from: 'alice', group: 'ops', text: 'g', ts: 6},
  {type: 'msg', seq: 3, id: 'u-3', origin: 'alpha', from: 'alice', users: ['bob', 'carol'], text: 'u', ts: 7},
  {type: 'ack', upto: 3},
  {type: 'ack', upto: 9, refused: [[4, 'USER_NOT_FOUND'], [9, 'GROUP_NOT_FOUND']]},
  {type: 'ping'},
  {type: 'pong'},
];

describe('LinkDecoder', () => {
  const stream = Buffer.from(FRAMES.map(encodeFrame).join(''));

  it('encodes each frame as one line: verb, space, compact JSON, LF', () => {
    const lines = FRAMES.map(encodeFrame);
    expect(lines[0]).toBe(`realmlink {"v":2,"realm":"alpha","to":"beta","nonce":"${nonce}","key":"${key}","tls":false,"port":8889}\n`);
    expect(lines[9]).toBe('ack {"upto":3}\n');
    for (const line of lines) expect(line.indexOf('\n')).toBe(line.length - 1);
  });

  it('decodes every frame back, whatever the split (one chunk, byte by byte, every cut)', () => {
    const expected = FRAMES.map((frame) => ({ok: true, frame}));
    for (const cuts of everySplit(stream)) expect(feed(stream, cuts)).toEqual(expected);
  });

  it('takes CRLF line ends too', () => {
    expect(feed(Buffer.from('ping {}\r\npong {}\r\n'), [])).toEqual([{ok: true, frame: {type: 'ping'}}, {ok: true, frame: {type: 'pong'}}]);
  });

  it('encodes a stored message body into the same line as encodeFrame', () => {
    const body: MessageBody = {id: 'u-9', origin: 'alpha', from: 'alice', text: 'x', ts: 1, to: 'bob'};
    expect(encodeMessageFrame(42, encodeMessageBody(body))).toBe(encodeFrame({type: 'msg', seq: 42, ...body}));
  });

  it('reports bad lines one by one and goes on', () => {
    const bytes = Buffer.from([
      'nonsense', 'ack not-json', 'ack []', 'future {"x":1}', 'ack {"upto":-1}', 'challenge {"realm":"b","nonce":"short","key":"x"}',
      'realmlink {"v":2,"realm":"bad name","to":"beta","nonce":"' + nonce + '","key":"' + key + '","port":1}', 'ping {}',
    ].join('\n') + '\n');
    for (const cuts of [[], [7], [30, 31]]) {
      expect(feed(bytes, cuts)).toEqual([
        {ok: false, code: 'MALFORMED'},
        {ok: false, code: 'MALFORMED', verb: 'ack'},
        {ok: false, code: 'MALFORMED', verb: 'ack'},
        {ok: false, code: 'UNKNOWN_VERB', verb: 'future'},
        {ok: false, code: 'BAD_FIELDS', verb: 'ack'},
        {ok: false, code: 'BAD_FIELDS', verb: 'challenge'},
        {ok: false, code: 'BAD_FIELDS', verb: 'realmlink'},
        {ok: true, frame: {type: 'ping'}},
      ]);
    }
  });

  it('treats names of Object.prototype members as unknown verbs, never as frame checks', () => {
    // A plain-object lookup would find `constructor`, `hasOwnProperty`, `__proto__`… and throw or accept anything.
    for (const verb of ['constructor', 'hasOwnProperty', '__proto__', 'toString', 'valueOf', 'isPrototypeOf']) {
      expect(decodeLine(`${verb} {"type":"ack","upto":"x"}`)).toEqual({ok: false, code: 'UNKNOWN_VERB', verb});
    }
  });

  it('reports invalid UTF-8 and over-long frames, then keeps decoding', () => {
    const bytes = Buffer.concat([Buffer.from('msg {"t":"'), Buffer.from([0xff]), Buffer.from('"}\n'), Buffer.from(`ping {"pad":"${'x'.repeat(100)}"}\npong {}\n`)]);
    expect(feed(bytes, [], 64)).toEqual([
      {ok: false, code: 'INVALID_UTF8'}, {ok: false, code: 'LINE_TOO_LONG'}, {ok: true, frame: {type: 'pong'}},
    ]);
  });
});

describe('message frames', () => {
  it('keep a usable seq/id with bad content as a frame, so the receiver can refuse it', () => {
    const decoded = decodeLine('msg {"seq":5,"id":"x","origin":"alpha","from":"a b","to":"bob","text":"hi","ts":1}');
    expect(decoded.ok).toBe(true);
    expect(isWellFormedMessage((decoded as {frame: MsgFrame}).frame)).toBe(false);
    expect(decodeLine('msg {"id":"x"}')).toEqual({ok: false, code: 'BAD_FIELDS', verb: 'msg'});
  });

  it('never convert the peer objects to strings (an own toString could make that throw)', () => {
    const hostile = '{"toString":1,"valueOf":null}';
    for (const fields of [`"origin":${hostile}`, `"from":${hostile}`, `"to":"bob","users":[${hostile}]`, `"users":[${hostile}]`, '"users":[null]']) {
      const decoded = decodeLine(`msg {"seq":5,"id":"x","text":"hi","ts":1,"origin":"alpha","from":"alice",${fields}}`);
      expect(decoded.ok, fields).toBe(true);
      // Bad content, refused with a verdict (`to` wins over `users` when both are there).
      if (!fields.startsWith('"to"')) expect(isWellFormedMessage((decoded as {frame: MsgFrame}).frame), fields).toBe(false);
    }
  });

  it('are well formed with valid names, a text, a time and one target', () => {
    const base = {type: 'msg' as const, seq: 1, id: 'i', origin: 'alpha', from: 'alice', text: 'hi', ts: 0};
    expect(isWellFormedMessage({...base, to: 'bob'})).toBe(true);
    expect(isWellFormedMessage({...base, group: 'ops'})).toBe(true);
    expect(isWellFormedMessage({...base, users: ['a', 'b']})).toBe(true);
    expect(isWellFormedMessage({...base, users: []})).toBe(false);
    expect(isWellFormedMessage({...base, text: '  ', to: 'bob'})).toBe(false);
    expect(isWellFormedMessage({...base, ts: -1, to: 'bob'})).toBe(false);
    // Past the largest time a Date holds: it could never be shown (toISOString throws).
    expect(isWellFormedMessage({...base, ts: 8.64e15, to: 'bob'})).toBe(true);
    expect(isWellFormedMessage({...base, ts: 8.64e15 + 1, to: 'bob'})).toBe(false);
  });
});
