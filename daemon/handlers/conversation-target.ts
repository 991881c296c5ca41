/** A conversation named in a request (history, seen, search), checked the way history checks it. */
import {error, type Reply} from '../../common/protocol/replies.js';
import type {Conversation} from '../../common/protocol/request.js';
import type {RequestContext} from '../context.js';
import type {ConversationTarget} from '../store/types.js';

/** The conversation in stored spellings, or the refusal. */
export type ResolvedConversation = {ok: true; target: ConversationTarget} | {ok: false; reply: Reply};

/**
 * Resolves a conversation for `username`: a local user must exist, a local group must exist and have them as a
 * member, another realm must be linked (its stored spelling: remote messages carry it, the user may type any case).
 * A user or group of another realm is not checked: only that realm knows them. Synchronous, like history: a
 * connection answers a pipeline of synchronous replies in one commit and one write (test/daemon/robustness.test.ts).
 */
export function resolveConversation(context: RequestContext, username: string, named: Conversation): ResolvedConversation {
  const {store, options, federation} = context;
  const realm = named.realm === undefined || named.realm.toLowerCase() === options.realm.toLowerCase()
    ? undefined
    : federation.realmName(named.realm) ?? named.realm;
  if (realm !== undefined) {
    if (!federation.has(realm)) return {ok: false, reply: error('REALM_NOT_FOUND')};
    return {ok: true, target: {kind: named.kind, name: named.name, realm}};
  }
  if (named.kind === 'group') {
    const group = store.groupName(named.name);
    if (group === undefined) return {ok: false, reply: error('GROUP_NOT_FOUND')};
    if (!store.isMember(group, username)) return {ok: false, reply: error('NOT_A_MEMBER')};
    return {ok: true, target: {kind: 'group', name: group}};
  }
  const user = store.getUser(named.name);
  if (!user) return {ok: false, reply: error('USER_NOT_FOUND')};
  return {ok: true, target: {kind: 'user', name: user.username}};
}
