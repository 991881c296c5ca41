/**
 * What the realm commands need from federation. The link machinery (daemon/federation/) implements it; a daemon
 * without links uses `noFederation`, where only the daemon's own realm exists. Federation answers in domain terms
 * (added, exists, accepted and queued, refused with a code); the handlers in daemon/handlers/ turn that into
 * replies, like every other handler. Whether a realm is this daemon's own is the handlers' question (isOwnRealm):
 * federation only knows the other realms.
 */
import type {AddressInfo, Socket} from 'node:net';
import type {ErrorCode} from '../common/protocol/replies.js';
import type {RealmStatus} from '../common/protocol/reply-shapes.js';
import type {Recipients} from '../common/protocol/request.js';
import type {Awaitable, FileRef} from './store/types.js';

/** True when `realm` names this daemon's own realm (realm names are case-insensitive). */
export function isOwnRealm(options: {readonly realm: string}, realm: string): boolean {
  return realm.toLowerCase() === options.realm.toLowerCase();
}

/** What became of addrealm's check of a realm. */
export type AddRealmResult =
  /** Checked and stored: `realm` in the peer's own spelling. */
  | {kind: 'added'; realm: string; host: string; port: number}
  /** It is linked already, or another addrealm of it is running. */
  | {kind: 'exists'}
  /** No address was given and the peer directory (--peer) does not know the realm. */
  | {kind: 'no-address'}
  /** The peer did not answer, or failed the handshake. */
  | {kind: 'unreachable'}
  /** The daemon began to stop during the check. */
  | {kind: 'stopping'}
  /** The user may not link this realm (only admins link realms this daemon does not know). */
  | {kind: 'forbidden'};

/** What became of removerealm. */
export type RemoveRealmResult =
  /** Unlinked; `outbox` messages for it stay on disk (delivered if it is linked again). */
  | {kind: 'removed'; realm: string; outbox: number}
  | {kind: 'unknown-realm'}
  /** Only admins may remove a realm. */
  | {kind: 'forbidden'};

/** What became of a message for a user or group of another realm. */
export type RealmSendResult =
  /** No such linked realm. */
  | {kind: 'unknown-realm'}
  /** The peer refused it (e.g. USER_NOT_FOUND); nothing of it was kept. */
  | {kind: 'refused'; code: ErrorCode}
  /** Not accepted: the sender's rate or the realm's outbox is past its bound; try again after `retryAfter` seconds. */
  | {kind: 'rate-limited'; retryAfter: number}
  /**
   * Stored here and in the outbox: delivered (the peer stored it) or `queued` (the link is down or gave no verdict
   * in time; it is delivered when the link is back, or its sender gets a notice). `ids`: the sender's copies, one
   * per recipient of a user list, else one; `realm`: the realm's stored spelling.
   */
  | {kind: 'accepted'; realm: string; ids: number[]; queued: boolean};

/** Takes over connections whose first line starts with `verb` (realm links share the client port). */
export interface LinkAcceptor {
  readonly verb: string;
  /** Owns the socket from now on; `head` holds every byte read from it so far (the first line included). */
  accept(socket: Socket, head: Buffer): void;
}

export interface Federation {
  /**
   * True when `realm` is linked. On a store several processes share, a realm this process does not know yet is
   * looked up in the store (another process may have linked it a moment ago).
   */
  has(realm: string): Awaitable<boolean>;
  /** The stored spelling of a linked realm's name (names are case-insensitive), or undefined; looked up as `has`. */
  realmName(realm: string): Awaitable<string | undefined>;
  /** Links a realm (never this daemon's own) for user `by`: checks the rules and the peer, then stores the link. */
  add(realm: string, address: {host: string; port: number} | undefined, by: string): Promise<AddRealmResult>;
  /** Unlinks a realm for user `by` (an admin); its outbox is kept. */
  remove(realm: string, by: string): Promise<RemoveRealmResult>;
  /**
   * Sends a private message to `user@realm`. With `file` (its content already stored with putBlob), a file
   * message whose `text` is its `[file] NAME (SIZE)` line; the link carries the content.
   */
  sendPrivate(sender: string, realm: string, user: string, text: string, file?: FileRef): Promise<RealmSendResult>;
  /** Sends to a group (or a user list) of a realm; `file` as for sendPrivate. */
  sendGroup(sender: string, realm: string, recipients: Recipients, text: string, file?: FileRef): Promise<RealmSendResult>;
  /** Every linked realm with its state. */
  list(): RealmStatus[];
  /** Reads the linked realms from the store; the daemon calls it once, before it listens. */
  load(): Promise<void>;
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
  add: async () => ({kind: 'unreachable'}),
  remove: async () => ({kind: 'unknown-realm'}),
  sendPrivate: async () => ({kind: 'unknown-realm'}),
  sendGroup: async () => ({kind: 'unknown-realm'}),
  list: () => [],
  load: async () => {},
  start: () => {},
  acceptor: undefined,
  close: async () => {},
};
