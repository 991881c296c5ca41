/** Ids of cross-realm messages: UUID version 7, ordered by time, never repeated. */
import {describe, expect, it} from 'vitest';
import {newMessageId} from '../../daemon/federation/federation.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newMessageId', () => {
  it('is a UUID v7 whose first 48 bits are the millisecond time', () => {
    const now = Date.UTC(2026, 11, 1, 12, 0, 0);
    const id = newMessageId(now);
    expect(id).toMatch(V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now);
  });

  it('sorts by time and never repeats', () => {
    const ids = Array.from({length: 20_000}, (_, i) => newMessageId(1_700_000_000_000 + Math.floor(i / 100)));
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 100; i < ids.length; i += 100) expect(ids[i - 1]! < ids[i]!).toBe(true);
    expect(ids.every((id) => V7.test(id))).toBe(true);
  });
});
