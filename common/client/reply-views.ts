/**
 * Typed views of the daemon's OK replies, read defensively (a reply is JSON from the network). The wire names
 * (`msg_from`, `nama`, …) are the course protocol's; these views give them plain names for the shell and the TUI.
 */
import type {Json, Reply} from '../protocol/replies.js';

/** One chat message as inbox, getrealminbox and history return it. */
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
}

/** A user's public profile (info). */
export interface UserProfile {
  username: string;
  fullName: string;
  country: string;
  realm?: string;
  groups: string[];
  createdAt?: string;
}

/** One group of the groups listing. */
export interface GroupSummary {
  name: string;
  members: number;
  /** Whether the caller is a member. */
  member: boolean;
}

/** One linked realm of the realms listing. */
export interface RealmLink {
  name: string;
  host: string;
  port: number;
  state: string;
  queued: number;
}

type JsonObject = {[key: string]: Json | undefined};

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: Json | undefined): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: Json | undefined): number | undefined => (typeof value === 'number' ? value : undefined);

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

/** True when the daemon held back further unread messages (the reply was full): ask again. */
export function hasMore(reply: Reply): boolean {
  return reply.more === true;
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

/** The groups of a groups reply. */
export function groupsOf(reply: Reply): GroupSummary[] {
  const list = Array.isArray(reply.groups) ? reply.groups : [];
  return list.filter(isObject).map((group) => ({
    name: str(group.name) ?? '?',
    members: num(group.members) ?? 0,
    member: group.member === true,
  }));
}

/** This daemon's realm and its links, from a realms reply. */
export function realmsOf(reply: Reply): {realm: string | undefined; links: RealmLink[]} {
  const list = Array.isArray(reply.realms) ? reply.realms : [];
  return {
    realm: str(reply.realm),
    links: list.filter(isObject).map((link) => ({
      name: str(link.name) ?? '?',
      host: str(link.host) ?? '',
      port: num(link.port) ?? 0,
      state: str(link.state) ?? 'unknown',
      queued: num(link.queued) ?? 0,
    })),
  };
}
