/**
 * Delivery-failure notices: when a realm refuses a message whose sender was already told "queued", the sender
 * finds a notice in its inbox instead. Nothing accepted is ever dropped silently.
 */
import {ERRORS, type ErrorCode} from '../../common/protocol/replies.js';
import type {RemoteDelivery} from '../store/types.js';
import type {MessageBody} from './link-codec.js';

/**
 * The sender name of notices. `~` is not allowed in usernames, so no user can send a message that looks like one.
 * Notices come from this realm itself (no sender realm), so they show in the plain inbox.
 */
export const NOTICE_SENDER = '~realmchat';

/** Longest quote of the refused text in a notice, in characters. */
const QUOTE_LENGTH = 80;

/** Describes where a message was going: `bob@beta`, `group:ops@beta`, `ana,budi@beta`. */
export function describeTarget(body: MessageBody, realm: string): string {
  if ('to' in body) return `${body.to}@${realm}`;
  if ('group' in body) return `group:${body.group}@${realm}`;
  return `${body.users.join(',')}@${realm}`;
}

/** The notice for a refused message, addressed to its sender. */
export function deliveryFailureNotice(body: MessageBody, realm: string, code: ErrorCode, now: number): RemoteDelivery {
  const quote = body.text.length > QUOTE_LENGTH ? `${body.text.slice(0, QUOTE_LENGTH)}…` : body.text;
  const text = `Delivery failed: realm ${realm} refused your message to ${describeTarget(body, realm)} ` +
    `(${ERRORS[code]}): "${quote}"`;
  return {message: {sender: NOTICE_SENDER, recipient: body.from, body: text, ts: now}, recipients: [body.from]};
}
