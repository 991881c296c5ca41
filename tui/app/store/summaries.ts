/** One-line summaries of command replies for the status line. Pure. */
import type {GroupSummary, RealmStatus} from '../../../common/protocol/reply-shapes.js';

/** `3 new messages`, `No new messages`. */
export function newMessagesSummary(count: number): string {
  return count === 0 ? 'No new messages' : `${count} new message${count === 1 ? '' : 's'}`;
}

/** `Groups: devs (3, member), ops (2)`. */
export function groupsSummary(groups: readonly GroupSummary[]): string {
  if (groups.length === 0) return 'No groups yet (/addgroup NAME creates one)';
  return `Groups: ${groups.map((group) => `${group.name} (${group.members}${group.member ? ', member' : ''})`).join(', ')}`;
}

/** `Realm alpha; links: beta ready, gamma backoff (2 queued)`. */
export function realmsSummary(realm: string | undefined, links: readonly RealmStatus[]): string {
  const list = links.length === 0 ? 'no linked realms'
    : `links: ${links.map((link) => `${link.name} ${link.state}${link.queued ? ` (${link.queued} queued)` : ''}`).join(', ')}`;
  return `Realm ${realm ?? '?'}; ${list}`;
}
