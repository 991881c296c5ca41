/**
 * What the realm commands need from federation. The link machinery (daemon/federation/) implements it; a daemon
 * without links uses `noFederation`, where only the daemon's own realm exists.
 */
import type {AddressInfo, Socket} from 'node:net';
import {error, type Reply} from '../common/protocol/replies.js';
import type {RealmStatus} from '../common/protocol/reply-shapes.js';
import type {Recipients} from '../common/protocol/request.js';

/** Takes over connections whose first line starts with `verb` (realm links share the client port). */
export interface LinkAcceptor {
  readonly verb: string;
  /** Owns the socket from now on; `head` holds every byte read from it so far (the first line included). */
  accept(socket: Socket, head: Buffer): void;
}

export interface Federation {
  /** True when `realm` is linked. */
  has(realm: string): boolean;
  /** The stored spelling of a linked realm's name (names are case-insensitive), or undefined. */
  realmName(realm: string): string | undefined;
  /** Links a realm: checks the peer, then stores the link. Resolves to the reply for addrealm. */
  add(realm: string, address: {host: string; port: number} | undefined): Promise<Reply>;
  /** Sends a private message to `user@realm`; the reply for sendprivaterealm. */
  sendPrivate(sender: string, realm: string, user: string, text: string): Promise<Reply>;
  /** Sends to a group (or a user list) of a realm; the reply for sendgrouprealm. */
  sendGroup(sender: string, realm: string, recipients: Recipients, text: string): Promise<Reply>;
  /** Every linked realm with its state. */
  list(): RealmStatus[];
  /** Called once the daemon listens: links start (re)connecting. */
  start(address: AddressInfo): void;
  /** Receives the connections that open a realm link; undefined when this daemon takes no links. */
  readonly acceptor: LinkAcceptor | undefined;
  /** Stops every link. */
  close(): Promise<void>;
}

/** Federation of a daemon that has no links: every other realm is unknown and cannot be added. */
export const noFederation: Federation = {
  has: () => false,
  realmName: () => undefined,
  add: async () => error('REALM_UNREACHABLE'),
  sendPrivate: async () => error('REALM_NOT_FOUND'),
  sendGroup: async () => error('REALM_NOT_FOUND'),
  list: () => [],
  start: () => {},
  acceptor: undefined,
  close: async () => {},
};
