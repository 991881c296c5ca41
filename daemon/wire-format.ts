/** How stored messages look on the wire (the shape is common/protocol/reply-shapes.ts's WireMessage). */
import type {WireMessage} from '../common/protocol/reply-shapes.js';
import type {StoredMessage} from './store/types.js';

/** Declared with the other reply shapes in common/protocol/reply-shapes.ts; messaging.ts takes it from here. */
export type {WireMessage};

/** `user` for a local party, `user@realm` for a remote one. */
export function address(name: string, realm: string | undefined): string {
  return realm === undefined ? name : `${name}@${realm}`;
}

/**
 * Formats a stored message of realm `ownRealm`. In an inbox (`reader` given) a group message is addressed to its
 * reader, as in the course's base server; in a history it is addressed to the group.
 */
export function toWireMessage(message: StoredMessage, ownRealm: string, reader?: string): WireMessage {
  const to = message.group !== undefined
    ? reader ?? address(message.group, message.recipientRealm)
    : address(message.recipient ?? reader ?? '', message.recipientRealm);
  const wire: WireMessage = {
    id: message.id,
    msg_from: address(message.sender, message.senderRealm),
    msg_to: to,
    msg: message.body,
    ts: new Date(message.ts).toISOString(),
  };
  if (message.group !== undefined) wire.group = message.group;
  if (message.senderRealm !== undefined || message.recipientRealm !== undefined) {
    wire.realm_from = message.senderRealm ?? ownRealm;
    wire.realm_to = message.recipientRealm ?? ownRealm;
  }
  if (message.read !== undefined) wire.read = message.read;
  return wire;
}

/**
 * Groups wire messages by sender address, each list in arrival order (the inbox shape). Keyed through a Map: a
 * username may be `constructor` or `__proto__`, which a plain object lookup would find on Object.prototype.
 */
export function bySender(messages: readonly WireMessage[]): Record<string, WireMessage[]> {
  const grouped = new Map<string, WireMessage[]>();
  for (const message of messages) {
    const list = grouped.get(message.msg_from);
    if (list) list.push(message);
    else grouped.set(message.msg_from, [message]);
  }
  return Object.fromEntries(grouped); // own data properties, even for `__proto__`
}
