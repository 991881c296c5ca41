/** The words of a transfer's progress (shared by both clients) and the shell's line rewritten in place. Pure. */
import {describe, expect, it} from 'vitest';
import type {RequestProgress} from '../../common/client/client-protocol.js';
import {base64Length} from '../../common/protocol/files.js';
import {PROGRESS_BYTES, progressAmount, transferView} from '../../tui/shared/transfer-progress.js';
import {ProgressLine, shellProgress} from '../../tui/shell/progress-line.js';
import {Sink} from './cli-helpers.js';

const MIB = 1024 * 1024;
const send = (bytes: number, total: number): RequestProgress => ({phase: 'send', bytes, total, done: bytes === total});
const receive = (bytes: number, done = false): RequestProgress => ({phase: 'receive', bytes, total: done ? bytes : undefined, done});

describe('transferView and progressAmount', () => {
  it('sending: the share of the line written is the share of the file', () => {
    const size = 8 * MIB;
    const line = base64Length(size) + 40;
    expect(progressAmount(transferView('send', send(Math.ceil(line * 0.39), line), size)!)).toBe('3.1 / 8.0 MiB  39 %');
    expect(transferView('send', send(line, line), size)).toEqual({bytes: size, size, percent: 100});
    // The other phase (the short OK reply) says nothing.
    expect(transferView('send', receive(60, true), size)).toBeUndefined();
  });

  it('fetching with a known size: the reply is taken as the base64, never 100 % before it is complete', () => {
    const size = 4 * MIB;
    expect(transferView('receive', receive(base64Length(size) / 2), size)).toEqual({bytes: size / 2, size, percent: 50});
    // Past the estimate (the JSON around the base64): still 99 %, the whole file at most.
    expect(transferView('receive', receive(base64Length(size) + 100), size)).toEqual({bytes: size, size, percent: 99});
    expect(transferView('receive', receive(base64Length(size) + 180, true), size)).toEqual({bytes: size, size, percent: 100});
  });

  it('fetching without a size: the bytes received, no percentage', () => {
    const view = transferView('receive', receive(Math.round(4.1 * MIB)));
    expect(view).toEqual({bytes: Math.round(4.1 * MIB), size: undefined, percent: undefined});
    expect(progressAmount(view!)).toBe('4.1 MiB received');
  });
});

describe('the shell progress line', () => {
  it('rewrites one line in place, only when its text changes, and erases it at the end', () => {
    const sink = new Sink();
    const line = new ProgressLine(sink);
    line.show('a 1 %');
    line.show('a 1 %');
    line.show('a 2 %');
    line.clear();
    line.clear();
    expect(sink.text).toBe('\ra 1 %\u001B[K\ra 2 %\u001B[K\r\u001B[K');
  });

  it('shows nothing on a stderr that is not a terminal, nor for a file of 1 MiB or less', () => {
    const sink = new Sink();
    expect(shellProgress({kind: 'send', name: 'big.bin', size: 8 * MIB}, sink, false)).toBeUndefined();
    expect(shellProgress({kind: 'get', id: '7'}, sink, false)).toBeUndefined();
    expect(shellProgress({kind: 'send', name: 'small.bin', size: PROGRESS_BYTES}, sink, true)).toBeUndefined();
  });

  it('getfile shows the bytes received once past 1 MiB; a name is cut and stripped of control characters', () => {
    const sink = new Sink();
    const get = shellProgress({kind: 'get', id: '7'}, sink, true)!;
    get.onProgress(receive(PROGRESS_BYTES));
    expect(sink.text).toBe('');
    get.onProgress(receive(2 * MIB));
    expect(sink.text).toBe('\rfetching file 7  2.0 MiB received\u001B[K');

    const other = new Sink();
    const sending = shellProgress({kind: 'send', name: `evil\u001B[2J${'x'.repeat(60)}.bin`, size: 2 * MIB}, other, true)!;
    sending.onProgress(send(50, 100));
    expect(other.text).toBe(`\rsending evil?[2J${'x'.repeat(31)}…  1.0 / 2.0 MiB  50 %\u001B[K`);
  });
});
