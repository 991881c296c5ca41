/**
 * The shapes of the OK replies that carry data, each declared once, beside the command table: the wire form the
 * daemon builds (the course protocol's names: `msg_from`, `nama`, …) and, where the clients want plain names, the
 * view they read it into. The readers are defensive (a reply is JSON from the network) and pure.
 *
 * | command                       | field              | wire shape   | read with                 |
 * |-------------------------------|--------------------|--------------|---------------------------|
 * | auth, register                | tokenid, username… | WireLogin    | loginOf → LoginResult     |
 * | inbox, getrealminbox, history | messages, more     | WireMessage  | messagesOf → ChatMessage  |
 * | conversations                 | conversations, more| WireConversation | conversationsOf → ConversationSummary |
 * | seen                          | conversation, seen…| WireSeen     | seenOf → ReadMarker       |
 * | search                        | results, more, next_before | WireSearchResult | searchResultsOf → SearchHit, nextBeforeOf |
 * | info                          | user               | WireUser     | userOf → UserProfile      |
 * | groups                        | groups             | GroupSummary | groupsOf                  |
 * | realms                        | realm, realms      | RealmStatus  | realmsOf                  |
 */
import type {Json, Reply} from './replies.js';

type JsonObject = {[key: string]: Json | undefined};

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: Json | undefined): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: Json | undefined): number | undefined => (typeof value === 'number' ? value : undefined);

// ---- auth, register ----------------------------------------------------------------------------------------------

/** The fields of an OK auth or register reply. */
export type WireLogin = {
  tokenid: string;
  username: string;
  /** The daemon's realm. */
  realm: string;
};

/** Builds the fields of an OK auth or register reply. */
export function toWireLogin(token: string, username: string, realm: string): WireLogin {
  return {tokenid: token, username, realm};
}

/** A successful login as the clients keep it. */
export interface LoginResult {
  readonly token: string;
  /** The username as the daemon spells it (undefined from a daemon that does not say). */
  readonly username: string | undefined;
  readonly realm: string | undefined;
}

/** The session an OK auth or register reply started; undefined for any other reply. */
export function loginOf(reply: Reply): LoginResult | undefined {
  if (reply.status !== 'OK' || typeof reply.tokenid !== 'string') return undefined;
  return {token: reply.tokenid, username: str(reply.username), realm: str(reply.realm)};
}

// ---- inbox, getrealminbox, history -------------------------------------------------------------------------------

/** A message on the wire: `{id, msg_from, msg_to, msg, ts}` plus `group`, realms for remote parties, `read`. */
export type WireMessage = {
  id: number;
  /** `user` for a local sender, `user@realm` for a remote one. */
  msg_from: string;
  msg_to: string;
  msg: string;
  /** ISO 8601. */
  ts: string;
  group?: string;
  realm_from?: string;
  realm_to?: string;
  /** History only: whether the reader has read it. */
  read?: boolean;
  /** A group message that names the reader (`alice`, `@alice`, `alice:`); absent otherwise. */
  mention?: true;
  /**
   * A file message (then `msg` reads `[file] NAME (SIZE)`): the file's name, size in bytes, id for `getfile` (the
   * message id) and content in plain base64.
   */
  file_name?: string;
  file_size?: number;
  file_id?: number;
  file_content?: string;
};

/** One chat message as the clients read it. */
export interface ChatMessage {
  id: number;
  /** `user` for a local sender, `user@realm` for a remote one. */
  from: string;
  /** The reader (inbox), the recipient, or in a group history the group address. */
  to: string;
  text: string;
  /** ISO 8601 time the daemon stored it. */
  ts: string;
  /** Set for group messages. */
  group?: string;
  realmFrom?: string;
  realmTo?: string;
  /** History only: whether the reader has read it. */
  read?: boolean;
  /** A group message that names the reader. */
  mention?: boolean;
  /** A file message: its name, size in bytes and id for `getfile` (the content is left to `getfile`). */
  file?: {name: string; size: number; id: number};
}

function toMessage(value: Json | undefined): ChatMessage | undefined {
  if (!isObject(value)) return undefined;
  const message: ChatMessage = {
    id: num(value.id) ?? 0,
    from: str(value.msg_from) ?? '?',
    to: str(value.msg_to) ?? '?',
    text: str(value.msg) ?? '',
    ts: str(value.ts) ?? '',
  };
  const group = str(value.group);
  if (group !== undefined) message.group = group;
  const realmFrom = str(value.realm_from);
  if (realmFrom !== undefined) message.realmFrom = realmFrom;
  const realmTo = str(value.realm_to);
  if (realmTo !== undefined) message.realmTo = realmTo;
  if (typeof value.read === 'boolean') message.read = value.read;
  if (value.mention === true) message.mention = true;
  const fileId = num(value.file_id);
  if (fileId !== undefined) message.file = {name: str(value.file_name) ?? 'file', size: num(value.file_size) ?? 0, id: fileId};
  return message;
}

/**
 * The messages of an inbox, getrealminbox or history reply, oldest first. The inbox groups them by sender
 * (`{"alice": [...]}`, the course shape); this flattens that back into one time line.
 */
export function messagesOf(reply: Reply): ChatMessage[] {
  const raw = reply.messages;
  const items: (Json | undefined)[] = Array.isArray(raw) ? raw : isObject(raw) ? Object.values(raw).flatMap((list) => (Array.isArray(list) ? list : [])) : [];
  const messages = items.map(toMessage).filter((message): message is ChatMessage => message !== undefined);
  return messages.sort((a, b) => (a.ts === b.ts ? a.id - b.id : a.ts < b.ts ? -1 : 1));
}

/** True when the daemon held back further messages (the reply was full): ask again, or page further back. */
export function hasMore(reply: Reply): boolean {
  return reply.more === true;
}

/**
 * A search reply's `next_before`: older messages were not looked at (the newest matches were enough, or the
 * daemon's work budget for one request ran out); ask again with this as `before`. Undefined when absent.
 */
export function nextBeforeOf(reply: Reply): number | undefined {
  const next = reply.next_before;
  return Number.isSafeInteger(next) && (next as number) > 0 ? next as number : undefined;
}

// ---- conversations, seen, search -----------------------------------------------------------------------------------

/** One conversation of a conversations reply. */
export type WireConversation = {
  /** Its name as `history` takes it: `bob`, `group:devs`, `carol@beta`, `group:devs@beta`. */
  conversation: string;
  kind: 'direct' | 'group';
  /** The newest message (no `file_content`); absent for a joined group with no message yet. */
  last?: WireMessage;
  /** Messages after the read marker not sent by the caller, counted up to 999 ("999 or more"). */
  unread: number;
  /** How many of those unread name the caller (0 for direct conversations). */
  mentions: number;
  /** The caller's read marker: a message id, 0 when none. */
  seen: number;
};

/** A read marker after a seen (the values after the move). */
export type WireSeen = {
  conversation: string;
  seen: number;
  unread: number;
  mentions: number;
};

/** One search result: a history entry with the conversation it belongs to. */
export type WireSearchResult = WireMessage & {conversation: string};

/** The highest unread or mention count the daemon reports: 999 means "999 or more". */
export const UNREAD_CAP = 999;

/** One conversation as the clients read it. */
export interface ConversationSummary {
  conversation: string;
  kind: 'direct' | 'group';
  last?: ChatMessage;
  unread: number;
  mentions: number;
  seen: number;
}

/** A read marker as the clients read it. */
export interface ReadMarker {
  conversation: string;
  seen: number;
  unread: number;
  mentions: number;
}

/** A search result as the clients read it. */
export type SearchHit = ChatMessage & {conversation: string};

/** The conversations of a conversations reply, in the daemon's order (newest first). */
export function conversationsOf(reply: Reply): ConversationSummary[] {
  const list = Array.isArray(reply.conversations) ? reply.conversations : [];
  return list.filter(isObject).map((entry) => {
    const summary: ConversationSummary = {
      conversation: str(entry.conversation) ?? '?',
      kind: entry.kind === 'group' ? 'group' : 'direct',
      unread: num(entry.unread) ?? 0,
      mentions: num(entry.mentions) ?? 0,
      seen: num(entry.seen) ?? 0,
    };
    const last = toMessage(entry.last);
    if (last !== undefined) summary.last = last;
    return summary;
  });
}

/** The read marker of an OK seen reply; undefined for any other reply. */
export function seenOf(reply: Reply): ReadMarker | undefined {
  if (reply.status !== 'OK' || typeof reply.conversation !== 'string') return undefined;
  return {conversation: reply.conversation, seen: num(reply.seen) ?? 0, unread: num(reply.unread) ?? 0, mentions: num(reply.mentions) ?? 0};
}

/** The results of a search reply, in the daemon's order (best match first; not re-sorted by time). */
export function searchResultsOf(reply: Reply): SearchHit[] {
  const list = Array.isArray(reply.results) ? reply.results : [];
  return list.filter(isObject).flatMap((entry) => {
    const message = toMessage(entry);
    return message === undefined ? [] : [{...message, conversation: str(entry.conversation) ?? '?'}];
  });
}

// ---- info --------------------------------------------------------------------------------------------------------

/** A user's public profile on the wire: never a password, verifier or token. */
export type WireUser = {
  username: string;
  nama: string;
  negara: string;
  realm: string;
  groups: string[];
  /** ISO 8601. */
  created_at: string;
};

/** Builds the wire profile of a user of realm `realm` who is in `groups`. */
export function toWireUser(user: {username: string; fullName: string; country: string; createdAt: number}, realm: string, groups: string[]): WireUser {
  return {
    username: user.username,
    nama: user.fullName,
    negara: user.country,
    realm,
    groups,
    created_at: new Date(user.createdAt).toISOString(),
  };
}

/** A user's public profile as the clients read it. */
export interface UserProfile {
  username: string;
  fullName: string;
  country: string;
  realm?: string;
  groups: string[];
  createdAt?: string;
}

/** The profile of an info reply. */
export function userOf(reply: Reply): UserProfile | undefined {
  const user = reply.user;
  if (!isObject(user)) return undefined;
  const profile: UserProfile = {
    username: str(user.username) ?? '?',
    fullName: str(user.nama) ?? '',
    country: str(user.negara) ?? '',
    groups: Array.isArray(user.groups) ? user.groups.filter((group): group is string => typeof group === 'string') : [],
  };
  const realm = str(user.realm);
  if (realm !== undefined) profile.realm = realm;
  const createdAt = str(user.created_at);
  if (createdAt !== undefined) profile.createdAt = createdAt;
  return profile;
}

// ---- groups ------------------------------------------------------------------------------------------------------

/** One group of the groups listing (the same on the wire and in the clients). */
export type GroupSummary = {
  name: string;
  members: number;
  /** Whether the caller is a member. */
  member: boolean;
};

/** The groups of a groups reply. */
export function groupsOf(reply: Reply): GroupSummary[] {
  const list = Array.isArray(reply.groups) ? reply.groups : [];
  return list.filter(isObject).map((group) => ({
    name: str(group.name) ?? '?',
    members: num(group.members) ?? 0,
    member: group.member === true,
  }));
}

// ---- realms ------------------------------------------------------------------------------------------------------

/**
 * The state of a realm link. connecting/handshaking: dialling it now; ready: up; backoff: down, and it comes back
 * by itself (this realm redials after a delay, or a realm that dials us redials); closed: the daemon is stopping.
 * `unknown` is only what a client makes of a state it does not know (from a newer daemon); a daemon never sends it.
 */
export type RealmLinkState = 'connecting' | 'handshaking' | 'ready' | 'backoff' | 'closed' | 'unknown';

/** One linked realm of the realms listing (the same on the wire and in the clients). */
export type RealmStatus = {
  name: string;
  host: string;
  port: number;
  state: RealmLinkState;
  /** Messages accepted for it and not yet acknowledged. */
  queued: number;
  /** outbound: this realm dials it (added here with addrealm); inbound: it dials this realm. */
  direction?: 'outbound' | 'inbound';
};

const LINK_STATES: readonly string[] = ['connecting', 'handshaking', 'ready', 'backoff', 'closed'];

/** This daemon's realm and its links, from a realms reply. */
export function realmsOf(reply: Reply): {realm: string | undefined; links: RealmStatus[]} {
  const list = Array.isArray(reply.realms) ? reply.realms : [];
  return {
    realm: str(reply.realm),
    links: list.filter(isObject).map((link) => {
      const state = str(link.state);
      const status: RealmStatus = {
        name: str(link.name) ?? '?',
        host: str(link.host) ?? '',
        port: num(link.port) ?? 0,
        state: state !== undefined && LINK_STATES.includes(state) ? (state as RealmLinkState) : 'unknown',
        queued: num(link.queued) ?? 0,
      };
      if (link.direction === 'outbound' || link.direction === 'inbound') status.direction = link.direction;
      return status;
    }),
  };
}
