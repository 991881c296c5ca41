/** How stored messages look on the wire (the shape is common/protocol/reply-shapes.ts's WireMessage). */
import type {WireMessage} from '../common/protocol/reply-shapes.js';
import {base64Length} from '../common/protocol/files.js';
import {names} from './store/mention-names.js';
import type {StoredMessage} from './store/types.js';

/** Declared with the other reply shapes in common/protocol/reply-shapes.ts; messaging.ts takes it from here. */
export type {WireMessage};

/** `user` for a local party, `user@realm` for a remote one. */
export function address(name: string, realm: string | undefined): string {
  return realm === undefined ? name : `${name}@${realm}`;
}

/** Who a message is formatted for: `mention` is theirs; in an inbox a group message is also addressed to them. */
export interface Reader {
  readonly name: string;
  readonly inbox?: boolean;
}

/**
 * Formats a stored message of realm `ownRealm`. In an inbox a group message is addressed to its reader, as in the
 * course's base server; in a history it is addressed to the group.
 */
export function toWireMessage(message: StoredMessage, ownRealm: string, reader?: Reader): WireMessage {
  const inboxOf = reader?.inbox ? reader.name : undefined;
  const to = message.group !== undefined
    ? inboxOf ?? address(message.group, message.recipientRealm)
    : address(message.recipient ?? inboxOf ?? '', message.recipientRealm);
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
  if (reader && mentions(message, reader.name)) wire.mention = true;
  if (message.file) {
    wire.file_name = message.file.name;
    wire.file_size = message.file.size;
    wire.file_id = message.id;
  }
  return wire;
}

/** True for a group message, not the reader's own, that names the reader (store/mention-names.ts). */
function mentions(message: StoredMessage, reader: string): boolean {
  if (message.group === undefined) return false;
  if (message.senderRealm === undefined && message.sender.toLowerCase() === reader.toLowerCase()) return false;
  return names(message.body, reader);
}

/**
 * The wire form of messages that may carry files, with each file's content read from the store (base64). A file
 * whose content went missing is still listed, with an empty content.
 */
export function withFileContents(
  wires: WireMessage[], messages: readonly StoredMessage[], readBlob: (sha256: string) => Buffer | undefined,
): WireMessage[] {
  messages.forEach((message, index) => {
    if (message.file) wires[index]!.file_content = readBlob(message.file.sha256)?.toString('base64') ?? '';
  });
  return wires;
}

/** The bytes a message adds to a reply page: its text and its file's base64. */
export function pageBytesOf(message: StoredMessage): number {
  return Buffer.byteLength(message.body) + (message.file ? base64Length(message.file.size) : 0);
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
