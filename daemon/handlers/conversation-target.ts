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
 * A user or group of another realm is not checked: only that realm knows them.
 */
export async function resolveConversation(
  context: RequestContext, username: string, named: Conversation,
): Promise<ResolvedConversation> {
  const {store, options, federation} = context;
  if (named.realm !== undefined && named.realm.toLowerCase() !== options.realm.toLowerCase()) {
    const realm = await federation.realmName(named.realm);
    if (realm === undefined) return {ok: false, reply: error('REALM_NOT_FOUND')};
    return {ok: true, target: {kind: named.kind, name: named.name, realm}};
  }
  if (named.kind === 'group') {
    const group = await store.groupName(named.name);
    if (group === undefined) return {ok: false, reply: error('GROUP_NOT_FOUND')};
    if (!await store.isMember(group, username)) return {ok: false, reply: error('NOT_A_MEMBER')};
    return {ok: true, target: {kind: 'group', name: group}};
  }
  const user = await store.getUser(named.name);
  if (!user) return {ok: false, reply: error('USER_NOT_FOUND')};
  return {ok: true, target: {kind: 'user', name: user.username}};
}
