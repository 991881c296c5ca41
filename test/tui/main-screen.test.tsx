/**
 * The main screen against a real daemon on port 0: key handling, sending, live messages, unread counts, tabs,
 * commands and the help overlay, through ink-testing-library (keys paced, frames awaited).
 */
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import type {ChatStore} from '../../tui/app/store/chat-store.js';
import {registerUser, type LineClient, type TestDaemon} from '../helpers/daemon.js';
import {KEY, press, submit, waitForFrame} from './helpers.js';
import {openMainScreen, type MainScreenFixture} from './main-screen-fixture.js';

/** The input line of a frame (it starts with the prompt's `›`). */
const inputLine = (frame: string | undefined) => (frame ?? '').split('\n').find((line) => /^\S*› /.test(line)) ?? '';

describe('main screen', () => {
  let fixture: MainScreenFixture;
  let daemon: TestDaemon;
  let store: ChatStore;
  let bob: LineClient;
  let view: MainScreenFixture['view'];
  let bells: number;

  beforeEach(async () => {
    bells = 0;
    fixture = await openMainScreen({ringBell: () => bells++});
    ({daemon, store, bob, view} = fixture);
  });
  afterEach(() => fixture.close());

  it('starts with the stored session: user@realm, server and connection in the status bar', () => {
    const frame = view.lastFrame()!;
    expect(frame).toContain(`alice@alpha │ 127.0.0.1:${daemon.port} │ ● connected`);
    expect(frame).toMatch(/1 Inbox\s+2 Groups\s+3 Realms/);
  });

  it('opens the help with F1, ? on an empty line and /help; any other key closes it', async () => {
    await press(view.stdin, KEY.f1);
    await waitForFrame(view.lastFrame, 'Alt+1/2/3, Ctrl+N/Ctrl+P');
    await press(view.stdin, 'x');
    await waitForFrame(view.lastFrame, 'No conversation selected');
    expect(inputLine(view.lastFrame())).toContain('/msg USER TEXT starts a conversation');

    await press(view.stdin, '?');
    await waitForFrame(view.lastFrame, 'Keys');
    await press(view.stdin, KEY.pageDown);
    await waitForFrame(view.lastFrame, '/addrealm REALM [HOST PORT]');
    await press(view.stdin, KEY.esc);
    await waitForFrame(view.lastFrame, 'No conversation selected');

    // On a line with text, ? is just a character.
    await press(view.stdin, 'why?');
    await waitForFrame(view.lastFrame, 'why?');
    await press(view.stdin, KEY.esc);
    await submit(view.stdin, '/help');
    await waitForFrame(view.lastFrame, 'Keys');
  });

  it('sends with /msg: the message shows at once and reaches the other user', async () => {
    await submit(view.stdin, '/msg bob hello bob');
    const frame = await waitForFrame(view.lastFrame, /\d\d:\d\d alice hello bob/);
    expect(frame).toContain('bob · direct messages');
    expect(inputLine(frame)).toMatch(/^bob› /);
    const inbox = await bob.request('inbox');
    expect(JSON.stringify(inbox.messages)).toContain('hello bob');
    // Plain text now goes to bob.
    await submit(view.stdin, 'second line');
    await waitForFrame(view.lastFrame, 'alice second line');
    await expect.poll(async () => JSON.stringify((await bob.request('inbox')).messages), {timeout: 3000}).toContain('second line');
  });

  it('takes keys typed faster than they are read one by one, and a bracketed paste as text', async () => {
    await submit(view.stdin, '/msg bob');
    await waitForFrame(view.lastFrame, 'bob · direct messages');
    // Text and Enter in one read (a burst of typing): the text is sent, not left in the line.
    view.stdin.write('quick one\r');
    await waitForFrame(view.lastFrame, 'alice quick one');
    await expect.poll(async () => JSON.stringify((await bob.request('inbox')).messages), {timeout: 3000}).toContain('quick one');
    await waitForFrame(view.lastFrame, /bob› {2}message bob/);
    // Backspace in the same read deletes.
    view.stdin.write('typoo\u007f');
    await waitForFrame(view.lastFrame, /bob› typo\s/);
    await press(view.stdin, KEY.esc);
    // A pasted line break is not Enter: the pasted lines wait in the input as one line.
    view.stdin.write('\u001B[200~two\rlines\r\u001B[201~');
    await waitForFrame(view.lastFrame, /bob› two lines/);
    expect(view.lastFrame()).not.toContain('alice two');
  });

  it('shows incoming messages without a key press, counts unread ones and rings the bell', async () => {
    await bob.request('send alice hi from bob');
    await waitForFrame(view.lastFrame, /1 Inbox \(1\)/);
    expect(view.lastFrame()).toMatch(/bob\s+1 \d\d:\d\d/);
    expect(bells).toBe(1);
    // Selecting the conversation shows the message and clears the count.
    await press(view.stdin, KEY.down);
    await waitForFrame(view.lastFrame, /\d\d:\d\d bob hi from bob/);
    expect(view.lastFrame()).not.toMatch(/Inbox \(\d+\)/);
    // While it is on screen, new messages are not counted as unread.
    await bob.request('send alice are you there?');
    await waitForFrame(view.lastFrame, 'bob are you there?');
    expect(view.lastFrame()).not.toMatch(/Inbox \(\d+\)/);
  });

  it('switches tabs with Alt+1/2/3 and Ctrl+N/Ctrl+P, and Alt+A jumps to unread messages', async () => {
    await press(view.stdin, KEY.alt2);
    await waitForFrame(view.lastFrame, 'No groups yet');
    await press(view.stdin, KEY.ctrlN);
    await waitForFrame(view.lastFrame, 'Links of alpha');
    await press(view.stdin, KEY.ctrlN);
    await waitForFrame(view.lastFrame, 'No conversations yet');
    await press(view.stdin, KEY.ctrlP);
    await waitForFrame(view.lastFrame, 'Links of alpha');
    await press(view.stdin, KEY.alt1);
    await waitForFrame(view.lastFrame, 'No conversations yet');

    await press(view.stdin, KEY.alt3);
    await waitForFrame(view.lastFrame, 'Links of alpha');
    await bob.request('send alice psst');
    await waitForFrame(view.lastFrame, /1 Inbox \(1\)/);
    await press(view.stdin, KEY.altA);
    await waitForFrame(view.lastFrame, /\d\d:\d\d bob psst/);
    expect(view.lastFrame()).not.toMatch(/Inbox \(\d+\)/);
  });

  it('creates, joins and talks in groups; group messages arrive live', async () => {
    await submit(view.stdin, '/addgroup devs');
    await waitForFrame(view.lastFrame, 'Add group successful');
    await waitForFrame(view.lastFrame, '#devs · group, 1 member');
    await submit(view.stdin, 'hello devs');
    await waitForFrame(view.lastFrame, 'alice hello devs');

    expect((await bob.request('joingroup devs')).status).toBe('OK');
    await bob.request('sendgroup devs hi alice');
    await waitForFrame(view.lastFrame, 'bob hi alice');
    expect(JSON.stringify((await bob.request('history group:devs')).messages)).toContain('hello devs');

    await submit(view.stdin, '/join nothere');
    await waitForFrame(view.lastFrame, 'Group tidak ditemukan');
  });

  it('runs any protocol command with a leading slash and shows the reply in the status line', async () => {
    await submit(view.stdin, '/info bob');
    await waitForFrame(view.lastFrame, 'User info: bob');

    // A realm command to the own realm works like send (docs/PROTOCOL.md), through the generic path.
    await submit(view.stdin, '/sendprivaterealm alpha bob via the realm path');
    await waitForFrame(view.lastFrame, 'Message sent to user in realm');
    expect(JSON.stringify((await bob.request('inbox')).messages)).toContain('via the realm path');

    await submit(view.stdin, '/send bob');
    await waitForFrame(view.lastFrame, 'usage: /send <username> <message>');

    await submit(view.stdin, '/frobnicate');
    await waitForFrame(view.lastFrame, 'Unknown command /frobnicate');

    await submit(view.stdin, '/groups');
    await waitForFrame(view.lastFrame, 'No groups yet (/addgroup NAME creates one)');
  });

  it('completes commands and names with Tab, and Esc clears the line', async () => {
    // Completion knows the users it has seen.
    await bob.request('send alice hi');
    await waitForFrame(view.lastFrame, /Inbox \(1\)/);
    await press(view.stdin, '/ms', KEY.tab, 'b');
    await waitForFrame(view.lastFrame, '› /msg b');
    await press(view.stdin, KEY.tab, 'hi');
    await waitForFrame(view.lastFrame, '› /msg bob hi');
    await press(view.stdin, KEY.esc);
    await waitForFrame(view.lastFrame, '/msg USER TEXT starts a conversation');
  });

  // retry: under a fully loaded CI run, once in ~10 runs an ↑ right after the ↓ frame is not applied (suspected: a
  // keystroke handled between a render and its input effect); seen and left in the issue 12 note, not yet understood.
  it('chooses conversations with ↑/↓ and recalls earlier input with Ctrl+↑', {retry: 2}, async () => {
    await registerUser(daemon.port, 'carol').then(({client}) => client.close());
    await submit(view.stdin, '/msg carol one');
    await waitForFrame(view.lastFrame, 'alice one');
    await submit(view.stdin, '/msg bob two');
    await waitForFrame(view.lastFrame, 'alice two');
    // Newest first: bob, then carol.
    await press(view.stdin, KEY.down);
    await waitForFrame(view.lastFrame, 'carol · direct messages');
    await press(view.stdin, KEY.up);
    await waitForFrame(view.lastFrame, 'bob · direct messages');

    await press(view.stdin, KEY.ctrlUp);
    await waitForFrame(view.lastFrame, '› /msg bob two');
    await press(view.stdin, KEY.up);
    await waitForFrame(view.lastFrame, '› /msg carol one');
    await press(view.stdin, KEY.down, KEY.down);
    await waitForFrame(view.lastFrame, 'message bob · /help for commands');
    expect(view.lastFrame()).toContain('bob · direct messages');
  });

  it('scrolls the history with PgUp/PgDn', async () => {
    for (let i = 1; i <= 40; i++) await bob.request(`send alice line ${i}`);
    await waitForFrame(view.lastFrame, /Inbox \(40\)/);
    await press(view.stdin, KEY.down);
    await waitForFrame(view.lastFrame, 'bob line 40');
    expect(view.lastFrame()).not.toContain('bob line 1\n');
    await press(view.stdin, KEY.pageUp);
    const scrolled = await waitForFrame(view.lastFrame, /more lines? below/);
    expect(scrolled).not.toContain('bob line 40');
    // A message that arrives meanwhile does not move the lines being read: it adds to the lines below.
    const below = Number(/↓ (\d+) more lines? below/.exec(scrolled)![1]);
    await bob.request('send alice line 41');
    const after = await waitForFrame(view.lastFrame, `↓ ${below + 1} more lines below`);
    expect(after.match(/bob line \d+/g)).toEqual(scrolled.match(/bob line \d+/g));
    await press(view.stdin, KEY.pageUp, KEY.pageUp, KEY.pageUp);
    await waitForFrame(view.lastFrame, /bob line 1$/m);
    await press(view.stdin, KEY.pageDown, KEY.pageDown, KEY.pageDown, KEY.pageDown);
    await waitForFrame(view.lastFrame, 'bob line 41');
  });

  it('re-lays out on resize', async () => {
    Object.defineProperty(view.stdout, 'columns', {value: 60, configurable: true});
    Object.defineProperty(view.stdout, 'rows', {value: 14, configurable: true});
    view.stdout.emit('resize');
    await vi.waitFor(() => expect(view.lastFrame()!.split('\n').length).toBe(13));
    const lines = view.lastFrame()!.split('\n');
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(60);
    expect(lines.at(-1)).toMatch(/^alice@alpha │/);
  });

  it('keeps every tab on the tab bar at the smallest size, 40×12, whichever tab is on and however many unread', async () => {
    Object.defineProperty(view.stdout, 'columns', {value: 40, configurable: true});
    Object.defineProperty(view.stdout, 'rows', {value: 12, configurable: true});
    view.stdout.emit('resize');
    await vi.waitFor(() => expect(view.lastFrame()!.split('\n').length).toBe(11));
    for (const key of [KEY.alt1, KEY.alt2, KEY.alt3]) {
      await press(view.stdin, key);
      await vi.waitFor(() => expect(view.lastFrame()!.split('\n')[0]).toMatch(/1 Inbox\s+2 Groups\s+3 Realms\s*$/));
    }
    for (let i = 1; i <= 12; i++) await bob.request(`send alice unread ${i}`);
    await vi.waitFor(() => expect(view.lastFrame()!.split('\n')[0]).toMatch(/1 Inbox \(12\)\s+2 Groups\s+3 Realms\s*$/));
    const lines = view.lastFrame()!.split('\n');
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toMatch(/^alice@alpha │/);
  });

  it('quits with /quit', async () => {
    await submit(view.stdin, '/quit');
    await expect.poll(() => store.getState().quit).toBe(true);
  });
});
