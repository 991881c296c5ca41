/** The client side of the paged `groups` command: ask pages until one says no `more`. */
import type {Json, Reply} from '../protocol/replies.js';

/** Groups asked per page when following `more`. */
export const GROUPS_PAGE = 1000;

/**
 * Asks `groups` pages (`after`: the last name of the page before, undefined for the first) until one has no `more`;
 * answers one reply with every group, or the first ERROR.
 */
export async function followGroupPages(page: (after: string | undefined) => Promise<Reply>): Promise<Reply> {
  let reply = await page(undefined);
  const all: Json[] = [];
  for (;;) {
    if (reply.status !== 'OK' || !Array.isArray(reply.groups)) return reply;
    all.push(...reply.groups);
    const last = reply.groups.at(-1) as {name?: unknown} | undefined;
    if (reply.more !== true || typeof last?.name !== 'string') return {...reply, groups: all, more: false};
    reply = await page(last.name);
  }
}
