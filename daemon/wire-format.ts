/** How stored messages and users look on the wire (the course base server's shape, plus ids and times). */
import type {Json} from '../common/protocol/replies.js';
import type {StoredMessage, UserRecord} from './store/types.js';

/** A message as sent to clients: `{id, msg_from, msg_to, msg, ts}` plus `group`, and realms for remote parties. */
export interface WireMessage {
  id: number;
  msg_from: string;
  msg_to: string;
  msg: string;
  ts: string;
  group?: string;
  realm_from?: string;
  realm_to?: string;
  [key: string]: Json | undefined;
}

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

/** The public profile of a user: never a password, verifier or token. */
export function toWireUser(user: UserRecord, realm: string, groups: string[]): Record<string, Json> {
  return {
    username: user.username,
    nama: user.fullName,
    negara: user.country,
    realm,
    groups,
    created_at: new Date(user.createdAt).toISOString(),
  };
}
