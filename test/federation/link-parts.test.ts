/** The parts of a realm link that need no socket: the senders' verdict waits and the outbox pump. */
import {afterEach, describe, expect, it, vi} from 'vitest';
import {AckWatchdog} from '../../daemon/federation/ack-watchdog.js';
import {OutboxPump} from '../../daemon/federation/outbox-pump.js';
import {OutboxWindow} from '../../daemon/federation/outbox-window.js';
import {VerdictWaiters} from '../../daemon/federation/verdict-waiters.js';
import {decodeLine, FILE_CHUNK_BYTES, isWellFormedMessage, type MsgFrame} from '../../daemon/federation/link-codec.js';
import type {OutboxRecord} from '../../daemon/store/types.js';

const row = (seq: number): OutboxRecord => ({seq, realm: 'beta', body: `{"n":${seq}}`, localIds: [seq]});

describe('VerdictWaiters', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends each wait once: with the verdict, or queued when the link goes down or no verdict comes', async () => {
    vi.useFakeTimers();
    const waiters = new VerdictWaiters(1000);
    const delivered = waiters.wait(1);
    const refused = waiters.wait(2);
    const released = waiters.wait(3);
    const timedOut = waiters.wait(4);
    waiters.settle(1, {kind: 'delivered'});
    waiters.settle(1, {kind: 'refused', code: 'USER_NOT_FOUND'}); // too late: the wait ended
    waiters.settle(2, {kind: 'refused', code: 'USER_NOT_FOUND'});
    expect([waiters.has(1), waiters.has(2), waiters.has(3)]).toEqual([false, false, true]);
    waiters.settle(99, {kind: 'delivered'}); // nobody waits: nothing happens
    vi.advanceTimersByTime(1000);
    waiters.releaseAll();
    expect(await delivered).toEqual({kind: 'delivered'});
    expect(await refused).toEqual({kind: 'refused', code: 'USER_NOT_FOUND'});
    expect(await timedOut).toEqual({kind: 'queued'});
    expect(await released).toEqual({kind: 'queued'});
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('OutboxPump', () => {
  /** A connection that records the seqs written and whose buffer is full while `full` is set. */
  function target() {
    const seqs: number[] = [];
    const self = {
      seqs, full: false,
      write(text: string): boolean {
        for (const match of text.matchAll(/^msg \{"seq":(\d+),/gm)) seqs.push(Number(match[1]));
        return !self.full;
      },
    };
    return self;
  }
  const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve));

  it('writes in seq order up to the in-flight cap, and more as acks make room', async () => {
    const pump = new OutboxPump(new OutboxWindow(() => [], 100, 0), 3);
    const conn = target();
    for (const seq of [1, 2, 3, 4, 5]) pump.add(row(seq));
    pump.attach(conn);
    await settle();
    expect(conn.seqs).toEqual([1, 2, 3]);
    expect(pump.acknowledge(2).map((entry) => entry.seq)).toEqual([1, 2]);
    pump.pump();
    expect(conn.seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('writes nothing while detached, resends the unacknowledged rows on the next connection, and waits for a drain', async () => {
    const pump = new OutboxPump(new OutboxWindow(() => [], 100, 0), 10);
    const first = target();
    pump.attach(first);
    pump.add(row(1));
    pump.add(row(2));
    await settle();
    expect(first.seqs).toEqual([1, 2]);
    pump.detach();
    pump.add(row(3));
    await settle();
    expect(first.seqs).toEqual([1, 2]);

    const second = target();
    second.full = true;
    pump.attach(second);
    await settle();
    expect(second.seqs).toEqual([1, 2, 3]); // one batch, then the buffer is full
    pump.add(row(4));
    await settle();
    expect(second.seqs).toEqual([1, 2, 3]);
    second.full = false;
    pump.writable();
    expect(second.seqs).toEqual([1, 2, 3, 4]);
  });

  it('follows a file message with its chunks read from the blob, pausing mid-file on a full socket', async () => {
    const content = Buffer.from(Array.from({length: FILE_CHUNK_BYTES * 2 + 10}, (_, i) => i & 0xff));
    const reads: number[] = [];
    const readChunk = (sha: string, offset: number, length: number) => {
      reads.push(offset);
      return sha === 'abc' ? content.subarray(offset, offset + length) : undefined;
    };
    const pump = new OutboxPump(new OutboxWindow(() => [], 100, 0), 10, readChunk);
    const lines: string[] = [];
    const conn = {full: true, write(text: string) {
      lines.push(...text.split('\n').filter((line) => line !== ''));
      return !conn.full;
    }};
    pump.add({...row(1), file: {sha256: 'abc', size: content.length}});
    pump.add({...row(2), file: {sha256: 'gone', size: 5}});
    pump.add(row(3));
    pump.attach(conn);
    await settle();
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['msg']); // the buffer is full after the message frame
    conn.full = false;
    pump.writable();
    const verbs = lines.map((line) => line.split(' ')[0]);
    expect(verbs).toEqual(['msg', 'chunk', 'chunk', 'chunk', 'msg', 'chunk', 'msg']);
    // One chunk at a time, never the whole file (the last read is the missing blob of message 2).
    expect(reads).toEqual([0, FILE_CHUNK_BYTES, FILE_CHUNK_BYTES * 2, 0]);
    const chunks = lines.filter((line) => line.startsWith('chunk {"seq":1,')).map((line) => decodeLine(line));
    const data = chunks.map((decoded) => (decoded.ok && decoded.frame.type === 'chunk' ? Buffer.from(decoded.frame.data, 'base64') : Buffer.alloc(0)));
    expect(Buffer.concat(data).equals(content)).toBe(true);
    // The missing blob is reported, not waited for.
    expect(decodeLine(lines[5]!)).toEqual({ok: true, frame: {type: 'chunk', seq: 2, data: '', lost: true}});
  });

  it('waits for chunks a store reads asynchronously, keeping frames in order, retrying a failed read, dropping stale ones', async () => {
    const content = Buffer.from(Array.from({length: FILE_CHUNK_BYTES + 10}, (_, i) => (i * 7) & 0xff));
    const pending: Array<{offset: number; resolve: () => void; reject: () => void}> = [];
    const readChunk = (_sha: string, offset: number, length: number) => new Promise<Buffer | undefined>((resolve, reject) => {
      pending.push({offset, resolve: () => resolve(content.subarray(offset, offset + length)), reject: () => reject(new Error('down'))});
    });
    const pump = new OutboxPump(new OutboxWindow(() => [], 100, 0), 10, readChunk);
    const lines: string[] = [];
    const conn = {write(text: string) {
      lines.push(...text.split('\n').filter((line) => line !== ''));
      return true;
    }};
    const flush = async () => { for (let i = 0; i < 5; i++) await settle(); };
    pump.add({...row(1), file: {sha256: 'abc', size: content.length}});
    pump.add(row(2));
    pump.attach(conn);
    await flush();
    const verbs = () => lines.map((line) => line.split(' ')[0] + line.slice(line.indexOf('"seq":') + 6, line.indexOf(',')));
    // The message frame, then nothing (not even message 2) while its first chunk is read.
    expect(verbs()).toEqual(['msg1']);
    pump.pump();
    expect(pending).toHaveLength(1);
    pending.shift()!.reject();
    await flush();
    expect(verbs()).toEqual(['msg1']);
    pump.pump(); // a failed read is not a lost file: the next pump reads again from the same offset
    expect(pending.map((read) => read.offset)).toEqual([0]);
    pending.shift()!.resolve();
    await flush();
    expect(pending.map((read) => read.offset)).toEqual([FILE_CHUNK_BYTES]);
    pending.shift()!.resolve();
    await flush();
    expect(verbs()).toEqual(['msg1', 'chunk1', 'chunk1', 'msg2']);
    const data = lines.slice(1, 3).map((line) => decodeLine(line)).map((decoded) =>
      (decoded.ok && decoded.frame.type === 'chunk' ? Buffer.from(decoded.frame.data, 'base64') : Buffer.alloc(0)));
    expect(Buffer.concat(data).equals(content)).toBe(true);

    // A read that answers after the connection changed writes nothing: the new connection starts the file again.
    lines.length = 0;
    pump.attach(conn);
    await flush();
    const stale = pending.shift()!;
    pump.attach(conn);
    await flush();
    stale.resolve();
    await flush();
    expect(verbs()).toEqual(['msg1', 'msg1']);
    expect(pending.map((read) => read.offset)).toEqual([0]);
  });
});

describe('AckWatchdog', () => {
  const stops: AckWatchdog[] = [];
  afterEach(() => {
    for (const watchdog of stops.splice(0)) watchdog.stop();
  });
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('waits for an acknowledgement as long as the bytes in flight take at the slowest link allowed, then cuts', async () => {
    // 100 ms, plus 20,000 bytes at 25,000 bytes/s: 900 ms.
    let cut = 0;
    const watchdog = new AckWatchdog(100, () => 1, () => cut++, Date.now, () => 20_000, 25_000);
    stops.push(watchdog);
    watchdog.start();
    await wait(500);
    expect(cut).toBe(0); // a fixed 100 ms would have cut it by now
    await expect.poll(() => cut, {timeout: 5_000, interval: 25}).toBe(1);
  });

  it('cuts after the timeout alone when nothing large is in flight, and never while nothing is', async () => {
    let cut = 0;
    let inFlight = 0;
    const watchdog = new AckWatchdog(100, () => inFlight, () => cut++, Date.now, () => 40, 25_000);
    stops.push(watchdog);
    watchdog.start();
    await wait(300);
    expect(cut).toBe(0);
    inFlight = 1;
    await expect.poll(() => cut, {timeout: 5_000, interval: 25}).toBe(1);
  });

  it('counts a file message in flight as its frame and its content in base64', async () => {
    const pump = new OutboxPump(new OutboxWindow(() => [], 100, 0), 10, () => Buffer.alloc(0));
    const file: OutboxRecord = {...row(1), file: {sha256: 'a'.repeat(64), size: 3000}};
    pump.add(file);
    pump.add(row(2));
    expect(pump.inFlightBytes).toBe(0);
    pump.attach({write: () => true});
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    expect(pump.inFlight).toBe(2);
    expect(pump.inFlightBytes).toBe(file.body.length + 4000 + row(2).body.length);
    pump.acknowledge(1);
    expect(pump.inFlightBytes).toBe(row(2).body.length);
  });
});

describe('file frames', () => {
  it('decode a msg with its file, and read a malformed file as content to refuse', () => {
    const base = '"seq":4,"id":"x","origin":"alpha","from":"alice","text":"[file] a (1 B)","ts":1,"to":"bob"';
    const good = decodeLine(`msg {${base},"file":{"name":"a","size":1,"sha256":"${'a'.repeat(64)}"}}`);
    expect(good).toMatchObject({ok: true, frame: {file: {name: 'a', size: 1, sha256: 'a'.repeat(64)}}});
    const bad = decodeLine(`msg {${base},"file":{"name":"a","size":-1,"sha256":"nothex"}}`);
    expect(bad.ok && isWellFormedMessage(bad.frame as MsgFrame)).toBe(false);
    expect(good.ok && isWellFormedMessage(good.frame as MsgFrame)).toBe(true);
    expect(decodeLine('chunk {"seq":4,"data":"not base64!"}')).toMatchObject({ok: false, code: 'BAD_FIELDS'});
    expect(decodeLine('chunk {"seq":4}')).toMatchObject({ok: false, code: 'BAD_FIELDS'});
  });
});
