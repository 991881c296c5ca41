/**
 * Issue 12, points 7–10 on screen (ink-testing-library): the list and tab bar with unread and mention counts, the
 * `── new ──` line, the search results, and against a real daemon Alt+A landing on the marker line and a search
 * jumping to its message.
 */
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it} from 'vitest';
import {ConversationList} from '../../tui/app/components/conversation-list.js';
import {HistoryPane} from '../../tui/app/components/history-pane.js';
import {SearchResults} from '../../tui/app/components/search-results.js';
import {TabBar} from '../../tui/app/components/tab-bar.js';
import {historyLines} from '../../tui/app/format/history-lines.js';
import {emptyConversation} from '../../tui/app/store/conversations.js';
import type {SearchView} from '../../tui/app/store/types.js';
import {registerUser} from '../helpers/daemon.js';
import {KEY, press, submit, waitForFrame} from './helpers.js';
import {openMainScreen, type MainScreenFixture} from './main-screen-fixture.js';

const ts = (minute: number) => new Date(2026, 10, 26, 9, minute).toISOString();
const message = (id: number, from: string, text: string) => ({id, from, to: 'alice', text, ts: ts(id)});

describe('conversation components', () => {
  it('lists unread and mention counts apart, in the list and the tab bar', () => {
    const devs = {...emptyConversation({kind: 'group', name: 'devs'}, true), unread: 4, mentions: 1, lastTs: ts(41), lastId: 9};
    const bob = {...emptyConversation({kind: 'direct', name: 'bob'}, true), unread: 2, lastTs: ts(40), lastId: 8};
    const list = render(<ConversationList conversations={[devs, bob]} selectedKey={undefined} width={28} height={4} emptyHint="" now={new Date(2026, 10, 26, 10)} />);
    expect(list.lastFrame()).toMatch(/#devs\s+@1 4 09:41/);
    expect(list.lastFrame()).toMatch(/bob\s+2 09:40/);
    expect(list.lastFrame()).not.toMatch(/bob.*@/);
    const tabs = render(<TabBar tab="inbox" unread={{inbox: 2, groups: 4, realms: 0}} mentions={{inbox: 0, groups: 1, realms: 0}} width={80} />);
    expect(tabs.lastFrame()).toContain('1 Inbox (2)');
    expect(tabs.lastFrame()).toContain('2 Groups (4 @1)');
  });

  it('draws the ── new ── line before the first message after the read marker, and none without one', () => {
    const messages = [message(1, 'bob', 'read already'), message(2, 'bob', 'first new'), message(3, 'bob', 'second new')];
    const lines = historyLines(messages, {width: 60, me: 'alice', realm: 'alpha', markerAfter: 1});
    const pane = render(<HistoryPane title="bob" lines={lines} width={60} height={8} scroll={0} loading={false} olderAvailable={false} />);
    expect(pane.lastFrame()).toMatch(/read already\n.*── new ──\n.*first new/);
    const none = historyLines(messages, {width: 60, me: 'alice', realm: 'alpha'});
    expect(none.some((line) => line.kind === 'marker')).toBe(false);
  });

  it('shows search results: conversation, sender, time and text, the chosen one marked', () => {
    const search: SearchView = {
      words: 'needle', conversation: undefined, state: 'done', more: false, selected: 1,
      results: [{...message(7, 'bob', 'a needle here'), conversation: 'bob'}, {...message(9, 'carol', 'needles in #devs'), to: 'devs', group: 'devs', conversation: 'group:devs'}],
    };
    const frame = render(<SearchResults search={search} realm="alpha" width={70} height={8} now={new Date(2026, 10, 26, 10)} />).lastFrame()!;
    expect(frame).toContain('Search needle in all conversations · 2 results');
    expect(frame).toMatch(/ bob\s+bob\s+09:07 a needle here/);
    expect(frame).toMatch(/›#devs\s+carol\s+09:09 needles in #devs/);
    expect(frame).toContain('Enter jumps to the message');
    const empty = render(<SearchResults search={{...search, results: [], selected: 0, conversation: 'group:devs'}} realm="alpha" width={70} height={8} />);
    expect(empty.lastFrame()).toContain('in #devs · 0 results');
    expect(empty.lastFrame()).toContain('No messages match.');
  });
});

describe('conversations on the main screen', () => {
  let fixture: MainScreenFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('Alt+A lands on the ── new ── line, not at the bottom; the bottom then moves the read marker', async () => {
    let seenAt = 0;
    let token = '';
    fixture = await openMainScreen({}, {}, async ({daemon, bob, aliceToken}) => {
      token = aliceToken;
      for (let i = 1; i <= 40; i++) {
        const reply = await bob.request(`send alice line ${i}`);
        if (i === 12) seenAt = Number(reply.id);
      }
      expect((await bob.request(`seen ${aliceToken} bob ${seenAt}`)).status).toBe('OK');
      // carol's message is the newest, and read already (elsewhere): Alt+A passes it; bob's 28 stay unread.
      const carol = await registerUser(daemon.port, 'carol');
      const hello = await carol.client.request('send alice hello from carol');
      await bob.request(`seen ${aliceToken} carol ${Number(hello.id)}`);
      carol.client.close();
    });
    const {view, store, bob} = fixture;
    await waitForFrame(view.lastFrame, /1 Inbox \(28\)/);
    await press(view.stdin, KEY.altA);
    const landed = await waitForFrame(view.lastFrame, '── new ──');
    // The marker is the pane's first line after the title, with the first unread message under it.
    const pane = landed.split('\n').map((line) => line.split('│')[1] ?? '');
    expect(pane[2]).toContain('── new ──');
    expect(pane[3]).toContain('bob line 13');
    expect(landed).not.toContain('bob line 40');
    expect(landed).toMatch(/more lines? below/);
    // Not read on the daemon until the bottom was on screen.
    const daemonUnread = async () => {
      const reply = await bob.request(`conversations ${token}`) as unknown as {conversations: {conversation: string; unread: number}[]};
      return reply.conversations.find((entry) => entry.conversation === 'bob')?.unread;
    };
    expect(await daemonUnread()).toBe(28);
    for (let i = 0; i < 6; i++) await press(view.stdin, KEY.pageDown);
    await waitForFrame(view.lastFrame, 'bob line 40');
    await expect.poll(daemonUnread).toBe(0);
    expect(store.getState().conversations.bob!.seen).toBeGreaterThan(seenAt);
  });

  it('/search shows the results; Enter jumps to the message in its conversation', async () => {
    fixture = await openMainScreen({historyPage: 20}, {}, async ({bob, aliceToken}) => {
      let last = 0;
      for (let i = 1; i <= 60; i++) last = Number((await bob.request(`send alice ${i === 5 ? 'where is the haystack' : `filler ${i}`}`)).id);
      // Read already (elsewhere).
      await bob.request(`seen ${aliceToken} bob ${last}`);
    });
    const {view} = fixture;
    await waitForFrame(view.lastFrame, /^ bob\s/m);
    await submit(view.stdin, '/search haystack');
    await waitForFrame(view.lastFrame, 'Search haystack in all conversations · 1 result');
    await waitForFrame(view.lastFrame, /› ?bob\s+bob\s+\S+ where is the haystack/);
    await press(view.stdin, KEY.enter);
    const jumped = await waitForFrame(view.lastFrame, 'bob where is the haystack');
    expect(jumped).toContain('bob · direct messages');
    expect(jumped).not.toContain('bob filler 60');
    expect(jumped).toMatch(/more lines? below/);
    // Esc closes a search without jumping.
    await submit(view.stdin, '/search filler in bob');
    await waitForFrame(view.lastFrame, 'Search filler in bob');
    await press(view.stdin, KEY.esc);
    await waitForFrame(view.lastFrame, 'bob · direct messages');
  });
});
