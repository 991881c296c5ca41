/**
 * Conversations as data: addresses (`bob`, `group:devs`, `carol@beta`, `group:ops@beta`), which tab each belongs
 * to, which conversation a message belongs to, merging message lists, and the order of the lists. Pure functions.
 */
import type {ChatMessage} from '../../../common/protocol/reply-shapes.js';
import {isValidName} from '../../../common/protocol/request.js';
import type {ChatState, ConversationView, ConversationKind, DisplayMessage, TabId} from './types.js';
import {TABS} from './types.js';

/** Who a conversation is with. */
export interface ConversationRef {
  readonly kind: ConversationKind;
  readonly name: string;
  readonly realm?: string;
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** The history command's address of a conversation. */
export function addressOf(ref: ConversationRef): string {
  switch (ref.kind) {
    case 'direct': return ref.name;
    case 'group': return `group:${ref.name}`;
    case 'remote-user': return `${ref.name}@${ref.realm}`;
    case 'remote-group': return `group:${ref.name}@${ref.realm}`;
  }
}

/** The key of a conversation in the state (names are case-insensitive). */
export function keyOf(ref: ConversationRef): string {
  return addressOf(ref).toLowerCase();
}

/** How a conversation is titled: `bob`, `#devs`, `carol@beta`, `#ops@beta`. */
export function titleOf(ref: ConversationRef): string {
  switch (ref.kind) {
    case 'direct': return ref.name;
    case 'group': return `#${ref.name}`;
    case 'remote-user': return `${ref.name}@${ref.realm}`;
    case 'remote-group': return `#${ref.name}@${ref.realm}`;
  }
}

/** The tab a conversation is listed in. */
export function tabOf(kind: ConversationKind): TabId {
  return kind === 'direct' ? 'inbox' : kind === 'group' ? 'groups' : 'realms';
}

/**
 * Reads what a user typed as a conversation: `bob`, `carol@beta`, `group:devs`, `#devs`, `group:ops@beta`,
 * `#ops@beta`. A realm equal to our own means the local user or group. Undefined when it is not a valid address.
 */
export function parseAddress(text: string, ownRealm: string | undefined): ConversationRef | undefined {
  const word = text.trim();
  const isGroup = word.startsWith('group:') || word.startsWith('#');
  const body = word.startsWith('group:') ? word.slice(6) : word.startsWith('#') ? word.slice(1) : word;
  const [name = '', realm, extra] = body.split('@');
  if (extra !== undefined || !isValidName(name) || (realm !== undefined && !isValidName(realm))) return undefined;
  if (realm === undefined || same(realm, ownRealm)) return {kind: isGroup ? 'group' : 'direct', name};
  return {kind: isGroup ? 'remote-group' : 'remote-user', name, realm};
}

/** Splits `user@realm` into its parts (no realm for a plain name). */
function splitUser(address: string): {name: string; realm: string | undefined} {
  const at = address.lastIndexOf('@');
  return at === -1 ? {name: address, realm: undefined} : {name: address.slice(0, at), realm: address.slice(at + 1)};
}

/** True when we sent the message (a local sender with our name). */
export function isOwnMessage(message: ChatMessage, me: string | undefined, ownRealm: string | undefined): boolean {
  const from = splitUser(message.from);
  const realm = from.realm ?? message.realmFrom;
  return same(from.name, me) && (realm === undefined || ownRealm === undefined || same(realm, ownRealm));
}

/**
 * The conversation a message belongs to, from our side. A group message belongs to its group, in the realm the
 * group lives in (`realm_to`); a private one to the other party.
 */
export function conversationOfMessage(message: ChatMessage, me: string | undefined, ownRealm: string | undefined): ConversationRef {
  const remote = (realm: string | undefined) => realm !== undefined && !(ownRealm !== undefined && same(realm, ownRealm));
  if (message.group !== undefined) {
    const groupRealm = message.realmTo;
    return remote(groupRealm) ? {kind: 'remote-group', name: message.group, realm: groupRealm!} : {kind: 'group', name: message.group};
  }
  const own = isOwnMessage(message, me, ownRealm);
  const peer = splitUser(own ? message.to : message.from);
  const realm = peer.realm ?? (own ? message.realmTo : message.realmFrom);
  return remote(realm) ? {kind: 'remote-user', name: peer.name, realm: realm!} : {kind: 'direct', name: peer.name};
}

/** A conversation with nothing loaded yet; `exists`: the daemon is known to have it. */
export function emptyConversation(ref: ConversationRef, exists = false): ConversationView {
  return {
    key: keyOf(ref), address: addressOf(ref), kind: ref.kind, name: ref.name,
    ...(ref.realm === undefined ? {} : {realm: ref.realm}),
    messages: [], unread: 0, lastTs: undefined, lastId: undefined, seen: undefined, history: 'none', olderAvailable: false, exists,
    closed: false, mentions: 0,
  };
}

/**
 * Merges messages into a conversation's list: one entry per id (the later copy wins, so the daemon's copy replaces
 * our optimistic one), daemon messages in id order, our not-yet-numbered ones (negative ids) after them. Ours that
 * were not sent stay where they were typed, among the daemon's messages by time, so later messages go below them.
 */
export function mergeMessages(existing: readonly DisplayMessage[], incoming: readonly DisplayMessage[]): DisplayMessage[] {
  const byId = new Map<number, DisplayMessage>();
  for (const message of existing) byId.set(message.id, message);
  for (const message of incoming) byId.set(message.id, message);
  const all = [...byId.values()];
  const merged = all.filter((message) => message.id > 0).sort((a, b) => a.id - b.id);
  const local = all.filter((message) => message.id <= 0).sort((a, b) => b.id - a.id);
  for (const message of local.filter((entry) => entry.failed)) {
    let at = merged.length;
    while (at > 0 && merged[at - 1]!.ts > message.ts) at--;
    merged.splice(at, 0, message);
  }
  return [...merged, ...local.filter((message) => !message.failed)];
}

/** The later of two ISO times. */
export function laterTs(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}

/** The larger of two message ids. */
export function laterId(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/**
 * The listed conversations of a tab (those the daemon knows), newest activity first: by the id of the last message,
 * as the daemon orders them, then by time (a message of ours not numbered yet), then by name.
 */
export function conversationsOfTab(state: Pick<ChatState, 'conversations'>, tab: TabId): ConversationView[] {
  return Object.values(state.conversations)
    .filter((conversation) => conversation.exists && !conversation.closed && tabOf(conversation.kind) === tab)
    .sort((a, b) => {
      if (a.lastId !== b.lastId) {
        if (a.lastId === undefined) return 1;
        if (b.lastId === undefined) return -1;
        return b.lastId - a.lastId;
      }
      if (a.lastTs !== b.lastTs) {
        if (a.lastTs === undefined) return 1;
        if (b.lastTs === undefined) return -1;
        return a.lastTs < b.lastTs ? 1 : -1;
      }
      return a.address.localeCompare(b.address);
    });
}

/** Unread messages per tab. */
export function unreadByTab(state: Pick<ChatState, 'conversations'>): Record<TabId, number> {
  const counts: Record<TabId, number> = {inbox: 0, groups: 0, realms: 0};
  for (const conversation of Object.values(state.conversations)) counts[tabOf(conversation.kind)] += conversation.unread;
  return counts;
}

/** Unread mentions per tab (counted apart from plain unread). */
export function mentionsByTab(state: Pick<ChatState, 'conversations'>): Record<TabId, number> {
  const counts: Record<TabId, number> = {inbox: 0, groups: 0, realms: 0};
  for (const conversation of Object.values(state.conversations)) counts[tabOf(conversation.kind)] += conversation.mentions;
  return counts;
}

/**
 * The next conversation with unread messages for Alt+A: the current tab first (from the top of its list), then
 * the following tabs; undefined when nothing is unread.
 */
export function nextUnread(state: Pick<ChatState, 'conversations' | 'tab'>): ConversationView | undefined {
  const start = TABS.indexOf(state.tab);
  for (let i = 0; i < TABS.length; i++) {
    const tab = TABS[(start + i) % TABS.length]!;
    const found = conversationsOfTab(state, tab).find((conversation) => conversation.unread > 0);
    if (found) return found;
  }
  return undefined;
}
