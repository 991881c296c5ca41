/**
 * What the realm commands need from federation. The link machinery (daemon/federation/) implements it; a daemon
 * without links uses `noFederation`, where only the daemon's own realm exists.
 */
import {error, type Json, type Reply} from '../common/protocol/replies.js';
import type {Recipients} from '../common/protocol/request.js';

/** A linked realm as the `realms` command lists it. */
export interface RealmStatus {
  name: string;
  host: string;
  port: number;
  state: 'connecting' | 'handshaking' | 'ready' | 'backoff' | 'closed';
  queued: number;
  [key: string]: Json;
}

export interface Federation {
  /** True when `realm` is linked. */
  has(realm: string): boolean;
  /** Links a realm: checks the peer, then stores the link. Resolves to the reply for addrealm. */
  add(realm: string, address: {host: string; port: number} | undefined): Promise<Reply>;
  /** Sends a private message to `user@realm`; the reply for sendprivaterealm. */
  sendPrivate(sender: string, realm: string, user: string, text: string): Promise<Reply>;
  /** Sends to a group (or a user list) of a realm; the reply for sendgrouprealm. */
  sendGroup(sender: string, realm: string, recipients: Recipients, text: string): Promise<Reply>;
  /** Every linked realm with its state. */
  list(): RealmStatus[];
  /** Stops every link. */
  close(): Promise<void>;
}

/** Federation of a daemon that has no links: every other realm is unknown and cannot be added. */
export const noFederation: Federation = {
  has: () => false,
  add: async () => error('REALM_UNREACHABLE'),
  sendPrivate: async () => error('REALM_NOT_FOUND'),
  sendGroup: async () => error('REALM_NOT_FOUND'),
  list: () => [],
  close: async () => {},
};
