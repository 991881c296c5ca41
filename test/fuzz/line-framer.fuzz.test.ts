/** Property-based tests of the line framer: any bytes, cut anywhere, give the lines the protocol's rules say. */
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {LineFramer, type FramedLine} from '../../common/protocol/line-framer.js';
import {feedCut} from '../helpers/splits.js';
import {cutsOf, FUZZ_TIMEOUT_MS, fuzzParameters, requestLine} from './fuzz-config.js';

const UTF8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true});

/** The framer's output for a stream, from the rules alone: complete lines, then an over-long unfinished tail. */
function model(stream: Buffer, max: number): FramedLine[] {
  const out: FramedLine[] = [];
  let start = 0;
  for (let lf = stream.indexOf(0x0a); lf !== -1; lf = stream.indexOf(0x0a, start)) {
    let line = stream.subarray(start, lf);
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    if (line.length > max) out.push({kind: 'error', code: 'LINE_TOO_LONG'});
    else {
      try {
        out.push({kind: 'line', text: UTF8.decode(line)});
      } catch {
        out.push({kind: 'error', code: 'INVALID_UTF8'});
      }
    }
    start = lf + 1;
  }
  // An unfinished line is reported as soon as it cannot fit any more (a CR before its LF would not count).
  if (stream.length - start > max + 1) out.push({kind: 'error', code: 'LINE_TOO_LONG'});
  return out;
}

const stream = fc.tuple(fc.array(requestLine, {maxLength: 12}), fc.constantFrom('\n', '\r\n'), fc.uint8Array({maxLength: 40}))
  .map(([lines, ending, tail]) => Buffer.concat([...lines.map((line) => Buffer.concat([line, Buffer.from(ending)])), Buffer.from(tail)]));

describe('LineFramer (property-based)', () => {
  it('frames any byte stream, cut anywhere, exactly as the rules say; its buffer stays within the limit', () => {
    fc.assert(fc.property(
      stream.chain((bytes) => fc.tuple(fc.constant(bytes), cutsOf(bytes.length), fc.integer({min: 1, max: 300}))),
      ([bytes, cuts, max]) => {
        const framer = new LineFramer({maxLineBytes: max});
        const out = feedCut(bytes, cuts, (chunk) => {
          const lines = framer.push(chunk);
          expect(framer.bufferedBytes).toBeLessThanOrEqual(max + 1);
          return lines;
        });
        expect(out).toEqual(model(bytes, max));
      },
    ), fuzzParameters(300));
  }, FUZZ_TIMEOUT_MS);

  it('reports an over-long line once however small its chunks are, and frames the next line', () => {
    fc.assert(fc.property(
      fc.integer({min: 5, max: 64}), fc.integer({min: 1, max: 200}), fc.integer({min: 1, max: 7}), // 'inbox' fits
      (max, extra, chunk) => {
        const bytes = Buffer.concat([Buffer.alloc(max + 1 + extra, 'a'), Buffer.from('\ninbox\n')]);
        const cuts = Array.from({length: Math.ceil(bytes.length / chunk) - 1}, (_, i) => (i + 1) * chunk);
        const framer = new LineFramer({maxLineBytes: max});
        expect(feedCut(bytes, cuts, (part) => framer.push(part)))
          .toEqual([{kind: 'error', code: 'LINE_TOO_LONG'}, {kind: 'line', text: 'inbox'}]);
      },
    ), fuzzParameters(200));
  }, FUZZ_TIMEOUT_MS);
});
