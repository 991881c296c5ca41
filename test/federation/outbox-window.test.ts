/** The in-memory outbox window over a fake database: order, acks, rewind, and paging of spilled rows. */
import {describe, expect, it} from 'vitest';
import {OutboxWindow} from '../../daemon/federation/outbox-window.js';
import type {OutboxRecord} from '../../daemon/store/types.js';

const row = (seq: number): OutboxRecord => ({seq, realm: 'beta', body: `{"n":${seq}}`, localIds: [seq]});

/** A fake outbox table: rows by seq, the loader the window uses, and a log of its page reads. */
function table(initial: number[] = []) {
  const rows = new Map(initial.map((seq) => [seq, row(seq)]));
  const reads: Array<[number, number, number]> = [];
  const load = (after: number, upto: number, limit: number) => {
    reads.push([after, upto, limit]);
    return [...rows.values()].filter((r) => r.seq > after && r.seq <= upto).sort((a, b) => a.seq - b.seq).slice(0, limit);
  };
  return {rows, reads, load, insert: (seq: number) => rows.set(seq, row(seq)), remove: (upto: number) => {
    for (const seq of rows.keys()) if (seq <= upto) rows.delete(seq);
  }};
}

const drain = (window: OutboxWindow) => {
  const seqs: number[] = [];
  for (let entry = window.next(); entry; entry = window.next()) seqs.push(entry.seq);
  return seqs;
};

describe('OutboxWindow', () => {
  it('sends in seq order, acknowledges a prefix of what was sent, and resends the rest after a rewind', () => {
    const db = table();
    const window = new OutboxWindow(db.load, 100, 0);
    for (const seq of [3, 5, 8]) window.add(row(seq));
    expect(drain(window)).toEqual([3, 5, 8]);
    expect(window.inFlight).toBe(3);
    expect(window.acknowledge(5).map((r) => r.seq)).toEqual([3, 5]);
    window.add(row(9));
    window.rewind();
    expect(drain(window)).toEqual([8, 9]);
  });

  it('never lets an ack cover rows not sent yet', () => {
    const window = new OutboxWindow(table().load, 100, 0);
    window.add(row(1));
    window.add(row(2));
    window.next();
    expect(window.acknowledge(99).map((r) => r.seq)).toEqual([1]);
    expect(drain(window)).toEqual([2]);
  });

  it('starts from the rows on disk after a restart', () => {
    const db = table([4, 6, 7]);
    const window = new OutboxWindow(db.load, 100, 7);
    db.insert(10);
    window.add(row(10));
    expect(drain(window)).toEqual([4, 6, 7, 10]);
  });

  it('holds at most `capacity` rows and pages the rest in, in order, as acks make room', () => {
    const db = table();
    const window = new OutboxWindow(db.load, 4, 0);
    for (let seq = 1; seq <= 10; seq++) {
      db.insert(seq);
      window.add(row(seq));
    }
    const sent: number[] = [];
    for (;;) {
      const batch = drain(window);
      if (batch.length === 0) break;
      sent.push(...batch);
      const acked = window.acknowledge(batch[batch.length - 1]!);
      db.remove(acked[acked.length - 1]!.seq);
    }
    expect(sent).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Every page read was bounded by the highest committed seq.
    expect(db.reads.every(([, upto]) => upto <= 10)).toBe(true);
  });

  it('never pages in rows beyond the highest committed seq', () => {
    const db = table([1, 2]);
    const window = new OutboxWindow(db.load, 10, 2);
    db.insert(3); // written by a transaction that has not committed yet: not offered
    expect(drain(window)).toEqual([1, 2]);
    window.add(row(3)); // committed now
    expect(drain(window)).toEqual([3]);
  });
});
