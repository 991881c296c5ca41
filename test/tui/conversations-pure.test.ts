/** The pure parts of issue 12, points 7–10 in the full-screen client: the daemon's list merged in, /search, keys. */
import type {Key} from 'ink';
import {describe, expect, it} from 'vitest';
import type {ConversationSummary} from '../../common/protocol/reply-shapes.js';
import {parseInput} from '../../tui/app/commands/slash-commands.js';
import {keyToCommand} from '../../tui/app/input/keymap.js';
import {applyConversations} from '../../tui/app/store/conversation-pages.js';
import {conversationsOfTab, emptyConversation} from '../../tui/app/store/conversations.js';
import {initialChatState} from '../../tui/app/store/store-state.js';
import type {ChatState} from '../../tui/app/store/types.js';
import {highlightWords} from '../../tui/shared/search-highlight.js';

const key = (flags: Partial<Key> = {}): Key => ({
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false, ...flags,
} as Key);

const last = (id: number, from = 'bob') => ({id, from, to: 'alice', text: `m${id}`, ts: new Date(2026, 10, 26, 9, id % 60).toISOString()});
const summary = (conversation: string, lastId: number | undefined, unread = 0, mentions = 0, seen = 0): ConversationSummary => ({
  conversation, kind: conversation.startsWith('group:') ? 'group' : 'direct', unread, mentions, seen,
  ...(lastId === undefined ? {} : {last: last(lastId)}),
});

function mainState(patch: Partial<ChatState> = {}): ChatState {
  return {...initialChatState('127.0.0.1:8889', 'alice'), screen: 'main', me: 'alice', realm: 'alpha', ...patch};
}

describe("the daemon's conversation list in the state", () => {
  it('adds every conversation (direct, group, remote) with its counts, newest first by the last message id', () => {
    const state = mainState();
    const next = {...state, ...applyConversations(state, [
      summary('group:devs', 30, 4, 1, 20), summary('carol@beta', 25, 1), summary('bob', 10, 2, 0, 8), summary('group:ops@beta', 5),
      summary('group:quiet', undefined),
    ], true, undefined)};
    expect(next.moreConversations).toBe(true);
    expect(conversationsOfTab(next, 'groups').map((entry) => [entry.address, entry.unread, entry.mentions, entry.seen])).toEqual([
      ['group:devs', 4, 1, 20], ['group:quiet', 0, 0, 0],
    ]);
    expect(conversationsOfTab(next, 'realms').map((entry) => entry.address)).toEqual(['carol@beta', 'group:ops@beta']);
    expect(conversationsOfTab(next, 'inbox').map((entry) => entry.key)).toEqual(['bob']);
    expect(next.knownUsers).toContain('bob');
  });

  it('keeps the one on screen read, counts the long poll brought after the daemon counted, and reopens a closed one with news', () => {
    const bob = {...emptyConversation({kind: 'direct', name: 'bob'}, true), lastId: 12, unread: 3};
    const carol = {...emptyConversation({kind: 'direct', name: 'carol'}, true), lastId: 5, closed: true};
    const dave = {...emptyConversation({kind: 'direct', name: 'dave'}, true), lastId: 7, closed: true};
    const state = mainState({conversations: {bob, carol, dave, erin: emptyConversation({kind: 'direct', name: 'erin'}, true)}});
    const {conversations} = applyConversations(state, [summary('bob', 10, 1), summary('carol', 9, 2), summary('dave', 7, 1), summary('erin', 3, 5)], false, 'erin');
    expect(conversations.bob).toMatchObject({unread: 3, lastId: 12});
    expect(conversations.carol).toMatchObject({closed: false, unread: 2, lastId: 9});
    expect(conversations.dave).toMatchObject({closed: true, unread: 0});
    expect(conversations.erin).toMatchObject({unread: 0, lastId: 3});
  });
});

describe('/search', () => {
  it('reads the words and an optional "in CONVERSATION" at the end', () => {
    expect(parseInput('/search hello world')).toEqual({kind: 'search', words: 'hello world', target: undefined});
    expect(parseInput('/search deploy logs in #devs')).toEqual({kind: 'search', words: 'deploy logs', target: '#devs'});
    expect(parseInput('/search log in')).toEqual({kind: 'search', words: 'log in', target: undefined});
    expect(parseInput('/search')).toMatchObject({kind: 'usage', message: 'usage: /search WORDS [in CONVERSATION]'});
    expect(parseInput('/search in bob')).toMatchObject({kind: 'search', words: 'in bob'});
  });

  it('highlights whole words in any case, the last one also as a prefix', () => {
    expect(highlightWords('Deploy the deployment, redeploy', ['deploy'])).toEqual([
      {text: 'Deploy', hit: true}, {text: ' the ', hit: false}, {text: 'deployment', hit: true}, {text: ', redeploy', hit: false},
    ]);
    expect(highlightWords('hello helloworld world', ['hello', 'wor']).filter((piece) => piece.hit).map((piece) => piece.text)).toEqual(['hello', 'world']);
    expect(highlightWords('nothing', [])).toEqual([{text: 'nothing', hit: false}]);
    // A last word of one or two letters matches whole words only, as the daemon's search does.
    expect(highlightWords('go gone', ['go']).filter((piece) => piece.hit).map((piece) => piece.text)).toEqual(['go']);
  });

  it('takes ↑/↓, Enter on an empty line and Esc while the results are shown', () => {
    const open = {inputEmpty: true, recalling: false, helpOpen: false, searchOpen: true};
    expect(keyToCommand('', key({downArrow: true}), open)).toEqual({type: 'searchMove', delta: 1});
    expect(keyToCommand('', key({upArrow: true}), open)).toEqual({type: 'searchMove', delta: -1});
    expect(keyToCommand('\r', key({return: true}), open)).toEqual({type: 'searchOpen'});
    expect(keyToCommand('', key({escape: true, meta: true}), open)).toEqual({type: 'closeSearch'});
    // A typed line still runs on Enter (another /search), and without results ↑/↓ choose conversations.
    expect(keyToCommand('\r', key({return: true}), {...open, inputEmpty: false})).toEqual({type: 'submit'});
    expect(keyToCommand('', key({downArrow: true}), {...open, searchOpen: false})).toEqual({type: 'select', delta: 1});
  });
});
