/**
 * Mentions (issue 12, point 9, the client's part): a group message that names us (`alice`, `@alice`, `alice:`, in
 * any case, as a whole word) is highlighted, counted apart from plain unread, rings the bell and may raise a desktop
 * notification, like a direct message. Pure.
 */
import type {ChatMessage} from '../../../common/protocol/reply-shapes.js';
import {conversationOfMessage, titleOf} from './conversations.js';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** True when `text` names `me` as a word of its own (`alice`, `@alice`, `alice:`, `alice,`), in any case. */
export function mentions(text: string, me: string | undefined): boolean {
  if (me === undefined || me === '') return false;
  return new RegExp(`(^|[^\\p{L}\\p{N}_-])@?${escape(me)}(?![\\p{L}\\p{N}_-])`, 'iu').test(text);
}

/** A desktop notification: a title and a body. */
export interface Notification {
  readonly title: string;
  readonly body: string;
}

/** The notification for a direct message or a mention: `bob` / `bob in #devs`, and the text. */
export function notificationOf(message: ChatMessage, me: string | undefined, realm: string | undefined): Notification {
  const ref = conversationOfMessage(message, me, realm);
  const group = ref.kind === 'group' || ref.kind === 'remote-group';
  return {title: group ? `${message.from} in ${titleOf(ref)}` : message.from, body: message.text};
}
