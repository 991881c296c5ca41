/**
 * The client side of a search the daemon answers in parts (common/client/search-pages.ts), against a scripted
 * daemon: which requests it makes and what one reply it makes of them. test/daemon/search.test.ts runs it against
 * a real daemon.
 */
import {describe, expect, it} from 'vitest';
import {followSearchPages} from '../../common/client/search-pages.js';
import {nextBeforeOf} from '../../common/protocol/reply-shapes.js';
import {error, ok, type Reply} from '../../common/protocol/replies.js';

/** Result i of the scripted history (ids count down from 1,000). */
const result = (id: number) => ({id, msg: `hit ${id}`, conversation: 'bob'});

/**
 * A daemon whose every reply reads 100 ids back from `before`: the hits among them (newest first, at most
 * `limit`), and `next_before` while ids are left. Records each request as [before, limit].
 */
function scripted(hits: readonly number[], asked: Array<[number | undefined, number]>) {
  return async (before: number | undefined, limit: number): Promise<Reply> => {
    asked.push([before, limit]);
    const top = before ?? 1001;
    const found = hits.filter((id) => id < top && id >= top - 100).slice(0, limit).map(result);
    return top - 100 > 1 ? ok('Search', {results: found, more: true, next_before: top - 100}) : ok('Search', {results: found, more: false});
  };
}

describe('following a search the daemon answers in parts', () => {
  it('goes on from each next_before, asking only for the results still wanted, until the page is full', async () => {
    const asked: Array<[number | undefined, number]> = [];
    const reply = await followSearchPages({limit: 3}, scripted([950, 720, 710, 300], asked));
    expect((reply.results as Array<{id: number}>).map((hit) => hit.id)).toEqual([950, 720, 710]);
    expect(asked).toEqual([[undefined, 3], [901, 2], [801, 2]]);
    expect(nextBeforeOf(reply)).toBe(701); // the last reply's: where the rest starts
    expect(reply.more).toBe(true);
  });

  it('starts from the search\'s own before, and ends when a reply has looked at every message', async () => {
    const asked: Array<[number | undefined, number]> = [];
    const reply = await followSearchPages({limit: 20, before: 250}, scripted([300, 120, 20], asked));
    expect(asked).toEqual([[250, 20], [150, 20], [50, 19]]);
    expect(reply).toEqual(ok('Search', {results: [result(120), result(20)], more: false}));
  });

  it('gives up after maxRequests, with the last reply\'s next_before for whoever wants to go on', async () => {
    const asked: Array<[number | undefined, number]> = [];
    const reply = await followSearchPages({limit: 5}, scripted([], asked), 3);
    expect(asked).toHaveLength(3);
    expect(reply).toEqual(ok('Search', {results: [], more: true, next_before: 701}));
  });

  it('answers the first refusal, or a reply without results, as it came', async () => {
    const refusal = error('NO_SESSION');
    let calls = 0;
    const refused = await followSearchPages({limit: 5}, async () =>
      (++calls === 1 ? ok('Search', {results: [result(9)], more: true, next_before: 9}) : refusal));
    expect(refused).toBe(refusal);
    const odd = ok('Search', {more: true, next_before: 9});
    expect(await followSearchPages({limit: 5}, async () => odd)).toBe(odd);
  });

  it('reads next_before only as a positive whole number', () => {
    expect(nextBeforeOf(ok('Search', {next_before: 7}))).toBe(7);
    for (const value of [0, -3, 1.5, '7', null, Number.MAX_SAFE_INTEGER + 2]) {
      expect(nextBeforeOf(ok('Search', {next_before: value as number})), String(value)).toBeUndefined();
    }
    expect(nextBeforeOf(ok('Search'))).toBeUndefined();
  });
});
