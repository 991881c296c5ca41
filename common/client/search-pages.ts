/**
 * The client side of a search the daemon answers in parts: one request reads the history back only until its work
 * budget is spent, and its reply then says where to go on (`next_before`). A client that wants a full page asks
 * again from there, so one search that reads the whole history costs the daemon several short requests, with the
 * other clients' requests answered between them, instead of one long one.
 */
import type {Json, Reply} from '../protocol/replies.js';
import {nextBeforeOf} from '../protocol/reply-shapes.js';

/** A search's requests at most, each one's work bounded by the daemon (about 10 ms): a few seconds in all. */
export const SEARCH_REQUESTS = 200;

/**
 * Asks `page` (`before`: the search's own `before` first, then where the reply before stopped; `limit`: results
 * still wanted) until `limit` results are in, a reply has no `next_before` (every message was looked at), or
 * `maxRequests` requests were made; answers one reply with every result (each reply's best first, newer stretches
 * of history first, its last reply's `more` and `next_before`), or the first ERROR.
 */
export async function followSearchPages(
  wanted: {limit: number; before?: number | undefined}, page: (before: number | undefined, limit: number) => Promise<Reply>,
  maxRequests = SEARCH_REQUESTS,
): Promise<Reply> {
  const {limit} = wanted;
  const results: Json[] = [];
  let before = wanted.before;
  for (let requests = 1; ; requests++) {
    const reply = await page(before, limit - results.length);
    if (reply.status !== 'OK' || !Array.isArray(reply.results)) return reply;
    results.push(...reply.results);
    const next = nextBeforeOf(reply);
    if (next === undefined || results.length >= limit || requests >= maxRequests) return {...reply, results};
    before = next;
  }
}
