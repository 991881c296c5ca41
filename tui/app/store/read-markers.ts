/**
 * Read markers (issue 12, point 8): when the bottom of a conversation is on screen, the daemon is told with
 * `seen <conversation> <id>` that we read up to its newest message, once per new newest id (not per render), so
 * every client of the user agrees on what is unread. Announces `session-gone` when the daemon no longer knows the
 * session.
 */
import {EventEmitter} from 'node:events';
import {seenOf} from '../../../common/protocol/reply-shapes.js';
import type {Connections} from './connections.js';
import {isSessionGone, type RequestEvents} from './request-errors.js';
import type {SessionEpoch} from './session-epoch.js';
import type {StoreState} from './store-state.js';
import type {ConversationView} from './types.js';

/** The newest of the daemon's messages a conversation holds (ours not yet numbered do not count). */
export function newestHeldId(conversation: ConversationView): number | undefined {
  for (let i = conversation.messages.length - 1; i >= 0; i--) {
    const id = conversation.messages[i]!.id;
    if (id > 0) return id;
  }
  return undefined;
}

/** Moves our read markers on the daemon. */
export class ReadMarkers extends EventEmitter<RequestEvents> {
  /** The id last sent per conversation key (sent once per new id). */
  readonly #sent = new Map<string, number>();

  constructor(private readonly state: StoreState, private readonly connections: Connections, private readonly epoch: SessionEpoch) {
    super();
  }

  /**
   * The bottom of conversation `key` is on screen: moves the read marker to the newest message it holds, unless the
   * marker is there already or that id was sent. Resolves once the daemon answered (or there was nothing to send).
   */
  async bottomShown(key: string): Promise<void> {
    const {state, epoch} = this;
    const conversation = state.current.conversations[key];
    if (!conversation || conversation.history !== 'loaded') return;
    const newest = newestHeldId(conversation);
    if (newest === undefined || newest <= (conversation.seen ?? 0) || newest <= (this.#sent.get(key) ?? 0)) return;
    this.#sent.set(key, newest);
    const generation = epoch.current;
    let reply;
    try {
      reply = await this.connections.main.seen(conversation.address, newest);
    } catch {
      // Offline: sent again the next time the bottom is on screen.
      if (this.#sent.get(key) === newest) this.#sent.delete(key);
      return;
    }
    if (generation !== epoch.current) return;
    const marker = seenOf(reply);
    if (!marker) {
      if (isSessionGone(reply)) this.emit('session-gone');
      return;
    }
    const onScreen = state.visibleKey() === key;
    state.updateConversation(key, (current) => ({
      ...current,
      seen: Math.max(current.seen ?? 0, marker.seen),
      unread: onScreen ? 0 : marker.unread,
      mentions: onScreen ? 0 : marker.mentions,
    }));
  }

  /** Forgets what was sent (a new session). */
  reset(): void {
    this.#sent.clear();
  }
}
