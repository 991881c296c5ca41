/**
 * Issue 12 on the main screen (ink-testing-library against a real daemon): #group input, only conversations that
 * exist are listed and /close hides one, status lines that go with their conversation, mentions highlighted and
 * counted apart, /set, and the mouse.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {ChatStore} from '../../tui/app/store/chat-store.js';
import type {Notification} from '../../tui/app/store/mentions.js';
import {registerUser, type LineClient, type TestDaemon} from '../helpers/daemon.js';
import {KEY, press, submit, waitForFrame} from './helpers.js';
import {openMainScreen, type MainScreenFixture} from './main-screen-fixture.js';

/** The sidebar column of a frame (the part before the history pane's border). */
const sidebar = (frame: string | undefined) => (frame ?? '').split('\n').slice(1, -3).map((line) => line.split('│')[0] ?? '').join('\n');

describe('main screen, issue 12', () => {
  let fixture: MainScreenFixture;
  let store: ChatStore;
  let bob: LineClient;
  let view: MainScreenFixture['view'];
  let daemon: TestDaemon;
  let temp: MainScreenFixture['temp'];
  let bells: number;
  let notifications: Notification[];

  beforeEach(async () => {
    bells = 0;
    notifications = [];
    fixture = await openMainScreen({ringBell: () => bells++, notifications: true, notify: (notification) => notifications.push(notification)});
    ({store, bob, view, daemon, temp} = fixture);
  });
  afterEach(() => fixture.close());

  it('takes #devs where a group is expected, and names /join in its usage', async () => {
    expect((await bob.request('addgroup devs')).status).toBe('OK');
    await submit(view.stdin, '/join #devs');
    await waitForFrame(view.lastFrame, '#devs · group');
    await waitForFrame(view.lastFrame, 'Join group successful');
    await submit(view.stdin, '/sendgroup #devs hello devs');
    await waitForFrame(view.lastFrame, 'alice hello devs');
    // The line shows (dimmed) before the daemon's OK; the OK's status would overwrite an error shown before it.
    await waitForFrame(view.lastFrame, 'Message sent to group (#devs)');
    await submit(view.stdin, '/join no/such');
    await waitForFrame(view.lastFrame, 'bad parameter group: "no/such" is not a name');
    expect(store.getState().status?.text).toContain('usage: /join GROUP');
  });

  it('lists only conversations the daemon knows; /close hides one until its next message', async () => {
    await submit(view.stdin, '/msg bob hi bob');
    await waitForFrame(view.lastFrame, 'alice hi bob');
    await submit(view.stdin, '/msg nobody hi');
    await waitForFrame(view.lastFrame, 'no such user (User tidak ditemukan)');
    expect(sidebar(view.lastFrame())).not.toContain('nobody');
    expect(sidebar(view.lastFrame())).toContain('bob');

    await submit(view.stdin, '/msg bob');
    await waitForFrame(view.lastFrame, 'bob · direct messages');
    // The error was about nobody: it goes with it.
    expect(view.lastFrame()).not.toContain('User tidak ditemukan');
    expect(store.getState().conversations.nobody).toBeUndefined();

    await submit(view.stdin, '/close');
    await waitForFrame(view.lastFrame, 'Closed bob');
    expect(sidebar(view.lastFrame())).not.toContain('bob');
    await bob.request('send alice back again');
    await waitForFrame(view.lastFrame, /1 Inbox \(1\)/);
    expect(sidebar(view.lastFrame())).toContain('bob');
  });

  it('highlights and counts mentions in groups apart from unread, with the bell and a notification', async () => {
    await submit(view.stdin, '/addgroup devs');
    await waitForFrame(view.lastFrame, '#devs · group');
    await bob.request('joingroup devs');
    await submit(view.stdin, '/msg bob');
    await waitForFrame(view.lastFrame, 'bob · direct messages');
    await bob.request('sendgroup devs plain message');
    await bob.request('sendgroup devs @alice can you look?');
    await bob.request('sendgroup devs malice is not a mention');
    await waitForFrame(view.lastFrame, /2 Groups \(3 @1\)/);
    expect(bells).toBe(1);
    expect(notifications).toEqual([{title: 'bob in #devs', body: '@alice can you look?'}]);
    await press(view.stdin, KEY.alt2);
    await waitForFrame(view.lastFrame, 'bob @alice can you look?');
    expect(view.lastFrame()).toMatch(/2 Groups(?! \()/);
  });

  it('/set changes a setting on screen and in the config file', async () => {
    await bob.request('send alice a message');
    await waitForFrame(view.lastFrame, /1 Inbox \(1\)/);
    await submit(view.stdin, '/set time 12h');
    await waitForFrame(view.lastFrame, 'time 12h (kept in');
    expect(temp.config().settings.time).toBe('12h');
    await press(view.stdin, KEY.altA);
    await waitForFrame(view.lastFrame, /\d{1,2}:\d\d[ap] bob a message/);
    await submit(view.stdin, '/set bell maybe');
    await waitForFrame(view.lastFrame, 'bell is on or off');
  });

  it('follows the mouse: a click picks a tab or a conversation, the wheel scrolls', async () => {
    for (const name of ['carol', 'dave']) await registerUser(daemon.port, name).then(({client}) => client.close());
    await submit(view.stdin, '/msg carol one');
    await waitForFrame(view.lastFrame, 'alice one');
    await submit(view.stdin, '/msg dave two');
    await waitForFrame(view.lastFrame, 'alice two');
    await expect.poll(() => store.getState().conversations.dave?.exists).toBe(true);
    // The list: dave (newest) on row 2, carol on row 3. A click on carol's row selects her.
    await press(view.stdin, '\u001B[<0;3;3M');
    await waitForFrame(view.lastFrame, 'carol · direct messages');
    // A click on "2 Groups" in the tab bar (row 1).
    const tabRow = view.lastFrame()!.split('\n')[0]!;
    await press(view.stdin, `\u001B[<0;${tabRow.indexOf('2 Groups') + 2};1M`);
    await waitForFrame(view.lastFrame, 'No groups yet');
    // Mouse reports are never typed into the input line.
    expect(view.lastFrame()).not.toContain('[<');
  });

  it('scrolls the history with the mouse wheel', async () => {
    for (let i = 1; i <= 40; i++) await bob.request(`send alice line ${i}`);
    // Alt+A lands on the ── new ── line; PgDn goes on to the newest.
    await press(view.stdin, KEY.altA);
    await waitForFrame(view.lastFrame, '── new ──');
    await press(view.stdin, KEY.pageDown, KEY.pageDown, KEY.pageDown);
    await waitForFrame(view.lastFrame, 'bob line 40');
    expect(view.lastFrame()).not.toContain('bob line 15 ');
    for (let i = 0; i < 6; i++) await press(view.stdin, '\u001B[<64;40;5M');
    await waitForFrame(view.lastFrame, /bob line 15$/m);
    expect(view.lastFrame()).not.toContain('bob line 40');
    for (let i = 0; i < 6; i++) await press(view.stdin, '\u001B[<65;40;5M');
    await waitForFrame(view.lastFrame, 'bob line 40');
    expect(view.lastFrame()).not.toContain('[<');
  });
});
