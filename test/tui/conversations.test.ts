import {describe, expect, it} from 'vitest';
import type {ChatMessage} from '../../common/protocol/reply-shapes.js';
import {
  addressOf, conversationOfMessage, conversationsOfTab, emptyConversation, keyOf, mergeMessages, nextUnread, parseAddress, tabOf,
  titleOf, unreadByTab,
} from '../../tui/app/store/conversations.js';
import type {ConversationView} from '../../tui/app/store/types.js';

const message = (fields: Partial<ChatMessage>): ChatMessage => ({id: 1, from: 'bob', to: 'alice', text: 'hi', ts: '2026-01-01T10:00:00.000Z', ...fields});

describe('conversations', () => {
  it('reads typed addresses, treating our own realm as local', () => {
    expect(parseAddress('bob', 'alpha')).toEqual({kind: 'direct', name: 'bob'});
    expect(parseAddress('bob@alpha', 'alpha')).toEqual({kind: 'direct', name: 'bob'});
    expect(parseAddress('carol@beta', 'alpha')).toEqual({kind: 'remote-user', name: 'carol', realm: 'beta'});
    expect(parseAddress('#devs', 'alpha')).toEqual({kind: 'group', name: 'devs'});
    expect(parseAddress('group:ops@beta', 'alpha')).toEqual({kind: 'remote-group', name: 'ops', realm: 'beta'});
    expect(parseAddress('bad name', 'alpha')).toBeUndefined();
    expect(parseAddress('a@b@c', 'alpha')).toBeUndefined();
  });

  it('gives each kind its history address, title and tab', () => {
    const refs = [{kind: 'direct', name: 'bob'}, {kind: 'group', name: 'devs'}, {kind: 'remote-user', name: 'carol', realm: 'beta'},
      {kind: 'remote-group', name: 'ops', realm: 'beta'}] as const;
    expect(refs.map(addressOf)).toEqual(['bob', 'group:devs', 'carol@beta', 'group:ops@beta']);
    expect(refs.map(titleOf)).toEqual(['bob', '#devs', 'carol@beta', '#ops@beta']);
    expect(refs.map((ref) => tabOf(ref.kind))).toEqual(['inbox', 'groups', 'realms', 'realms']);
    expect(keyOf({kind: 'direct', name: 'Bob'})).toBe('bob');
  });

  it('files messages under the right conversation', () => {
    expect(conversationOfMessage(message({}), 'alice', 'alpha')).toEqual({kind: 'direct', name: 'bob'});
    expect(conversationOfMessage(message({from: 'alice', to: 'bob'}), 'alice', 'alpha')).toEqual({kind: 'direct', name: 'bob'});
    expect(conversationOfMessage(message({group: 'devs'}), 'alice', 'alpha')).toEqual({kind: 'group', name: 'devs'});
    expect(conversationOfMessage(message({from: 'carol@beta', realmFrom: 'beta', realmTo: 'alpha'}), 'alice', 'alpha'))
      .toEqual({kind: 'remote-user', name: 'carol', realm: 'beta'});
    // A remote user writing to one of our groups: the group is ours.
    expect(conversationOfMessage(message({from: 'carol@beta', group: 'devs', realmFrom: 'beta', realmTo: 'alpha'}), 'alice', 'alpha'))
      .toEqual({kind: 'group', name: 'devs'});
    // Our message to a group of another realm, as history returns it.
    expect(conversationOfMessage(message({from: 'alice', to: 'ops@beta', group: 'ops', realmFrom: 'alpha', realmTo: 'beta'}), 'alice', 'alpha'))
      .toEqual({kind: 'remote-group', name: 'ops', realm: 'beta'});
  });

  it('merges by id: the daemon\'s copy wins, local (unnumbered) messages stay last', () => {
    const local = {...message({id: -1, from: 'alice', text: 'mine'}), pending: true};
    const merged = mergeMessages([message({id: 5}), local], [message({id: 3}), message({id: 5, text: 'again'})]);
    expect(merged.map((entry) => [entry.id, entry.text])).toEqual([[3, 'hi'], [5, 'again'], [-1, 'mine']]);
  });

  it('keeps a message that was not sent where it was typed: later messages, and the resent copy, go below it', () => {
    const at = (minute: number) => `2026-01-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
    const failed = {...message({id: -1, from: 'alice', text: 'lost', ts: at(2)}), failed: true};
    const inFlight = {...message({id: -2, from: 'alice', text: 'on its way', ts: at(5)}), pending: true};
    const merged = mergeMessages(
      [message({id: 1, ts: at(1)}), failed],
      [message({id: 2, text: 'resent', from: 'alice', ts: at(3)}), message({id: 3, text: 'reply', ts: at(4)}), inFlight],
    );
    expect(merged.map((entry) => entry.text)).toEqual(['hi', 'lost', 'resent', 'reply', 'on its way']);
  });

  it('orders a tab newest activity first, counts unread per tab and finds the next unread', () => {
    const conversation = (ref: Parameters<typeof emptyConversation>[0], lastTs: string | undefined, unread = 0): ConversationView =>
      ({...emptyConversation(ref, true), lastTs, unread});
    const list = [
      conversation({kind: 'direct', name: 'old'}, '2026-01-01T09:00:00Z'),
      conversation({kind: 'direct', name: 'new'}, '2026-01-01T11:00:00Z', 2),
      conversation({kind: 'direct', name: 'never'}, undefined),
      conversation({kind: 'group', name: 'devs'}, '2026-01-01T10:00:00Z', 1),
    ];
    const state = {conversations: Object.fromEntries(list.map((entry) => [entry.key, entry])), tab: 'groups' as const};
    expect(conversationsOfTab(state, 'inbox').map((entry) => entry.name)).toEqual(['new', 'old', 'never']);
    expect(unreadByTab(state)).toEqual({inbox: 2, groups: 1, realms: 0});
    expect(nextUnread(state)?.name).toBe('devs');
    expect(nextUnread({...state, tab: 'realms'})?.name).toBe('new');
  });
});
