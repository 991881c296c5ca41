/** The login screen against a real daemon: log in, register, the daemon's refusals, a stored session that ended. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {render} from 'ink-testing-library';
import {App} from '../../tui/app/app.js';
import type {ChatStore} from '../../tui/app/store/chat-store.js';
import {registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {KEY, press, tempConfigDir, testStore, waitForFrame} from './helpers.js';

/** A frame without its colour and style codes. */
// eslint-disable-next-line no-control-regex -- removing escape sequences is the point
const plain = (frame: string | undefined) => (frame ?? '').replace(/\u001B\[[0-9;]*m/g, '');

describe('login screen', () => {
  let daemon: TestDaemon;
  let temp: ReturnType<typeof tempConfigDir>;
  let store: ChatStore | undefined;
  let view: ReturnType<typeof render> | undefined;

  beforeEach(async () => {
    daemon = await startDaemon();
    temp = tempConfigDir();
  });
  afterEach(async () => {
    view?.unmount();
    view = undefined;
    await store?.close();
    store = undefined;
    await daemon.cleanup();
    temp.cleanup();
  });

  function open(): ReturnType<typeof render> {
    store = testStore(daemon.port, temp.config());
    view = render(<App store={store} color={false} />);
    store.start();
    return view;
  }

  it('shows the server, username and a masked password; logs in and stores the session like `realmchat auth`', async () => {
    await registerUser(daemon.port, 'alice', 's3cret').then(({client}) => client.close());
    const {lastFrame, stdin} = open();
    await waitForFrame(lastFrame, 'realmchat · log in');
    expect(lastFrame()).toMatch(new RegExp(`Server +127\\.0\\.0\\.1:${daemon.port}`));
    await press(stdin, 'alice', KEY.enter, 's3cret');
    await waitForFrame(lastFrame, '••••••');
    expect(lastFrame()).not.toContain('s3cret');
    await press(stdin, KEY.enter);
    await waitForFrame(lastFrame, 'alice@alpha');
    const config = temp.config();
    expect(config.username).toBe('alice');
    expect(config.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(config.realm).toBe('alpha');
    expect(config.server).toEqual({host: '127.0.0.1', port: daemon.port});
  });

  it('logs in when each field and its Enter arrive in one read (a password manager typing)', async () => {
    await registerUser(daemon.port, 'alice', 's3cret').then(({client}) => client.close());
    const {lastFrame, stdin} = open();
    await waitForFrame(lastFrame, 'realmchat · log in');
    stdin.write('alice\r');
    await waitForFrame(lastFrame, '› Password');
    stdin.write('s3cret\r');
    await waitForFrame(lastFrame, 'alice@alpha');
    expect(temp.config().username).toBe('alice');
  });

  it('shows the daemon\'s refusal inline: Password Salah, User Tidak Ada', async () => {
    await registerUser(daemon.port, 'alice', 's3cret').then(({client}) => client.close());
    const {lastFrame, stdin} = open();
    await waitForFrame(lastFrame, 'realmchat · log in');
    await press(stdin, 'alice', KEY.enter, 'wrong', KEY.enter);
    await waitForFrame(lastFrame, '✗ wrong password (Password Salah)');
    // The password field is emptied and focused for the next try.
    await press(stdin, KEY.up, KEY.ctrlU, 'nobody', KEY.enter, 'pw', KEY.enter);
    await waitForFrame(lastFrame, '✗ no such user — register with Ctrl+R (User Tidak Ada)');
    // A refusal about the username takes the focus there.
    await waitForFrame(lastFrame, /› Username +nobody/);
    expect(temp.config().token).toBeUndefined();
  });

  it('registers with Ctrl+R (name and country), and says User sudah ada for a taken name', async () => {
    await registerUser(daemon.port, 'bob').then(({client}) => client.close());
    const {lastFrame, stdin} = open();
    await waitForFrame(lastFrame, 'realmchat · log in');
    await press(stdin, KEY.ctrlR);
    await waitForFrame(lastFrame, 'realmchat · create an account');
    // Every label keeps a space before its field, the longest ("Full name") too.
    expect(plain(lastFrame())).toMatch(/ {3}Full name +e\.g\. Alice Liddell/);
    await press(stdin, 'bob', KEY.tab, 'pw', KEY.tab, 'Bob Marley', KEY.tab, 'jamaica');
    await waitForFrame(lastFrame, 'jamaica');
    await press(stdin, KEY.enter);
    await waitForFrame(lastFrame, '✗ that username is taken (User sudah ada)');

    // The focus goes back to Username (issue 12, point 5); the password is emptied, the other fields keep their text.
    await waitForFrame(lastFrame, /› Username +bob/);
    await press(stdin, KEY.ctrlU, 'alice', KEY.tab, 'pw', KEY.enter);
    await waitForFrame(lastFrame, /› Full name +Bob Marley/);
    await press(stdin, KEY.enter, KEY.enter);
    await waitForFrame(lastFrame, 'alice@alpha');
    expect(temp.config().username).toBe('alice');
  });

  it('asks for the full name and the country before registering, instead of the protocol\'s "missing parameter"', async () => {
    const {lastFrame, stdin} = open();
    await waitForFrame(lastFrame, 'realmchat · log in');
    await press(stdin, KEY.ctrlR, 'bob', KEY.tab, 'pw', KEY.enter, KEY.enter, KEY.enter);
    await waitForFrame(lastFrame, '✗ type a full name and a country');
    expect(lastFrame()).not.toContain('missing parameter');
  });

  it('fits the register form into the smallest terminal, 40×12, with nothing drawn over anything else', async () => {
    const {lastFrame, stdin, stdout} = open();
    Object.defineProperty(stdout, 'columns', {value: 40, configurable: true});
    Object.defineProperty(stdout, 'rows', {value: 12, configurable: true});
    stdout.emit('resize');
    await waitForFrame(lastFrame, 'realmchat · log in');
    await press(stdin, KEY.ctrlR);
    await waitForFrame(lastFrame, 'realmchat · create an account');
    await press(stdin, 'bob');
    await waitForFrame(lastFrame, /› Username +bob/);
    const lines = plain(lastFrame()).split('\n');
    expect(lines).toHaveLength(11);
    for (const row of [/│ realmchat · create an account +│/, new RegExp(`│ {3}Server +127\\.0\\.0\\.1:${daemon.port} +│`), /│ › Username +bob +│/,
      /│ {3}Password +│/, /│ {3}Full name +e\.g\. Alice Liddell +│/, /│ {3}Country +e\.g\. indonesia +│/, /Ctrl\+C quit/]) {
      expect(lines.filter((line) => row.test(line)), String(row)).toHaveLength(1);
    }
  });

  it('explains a stored token the daemon no longer knows, and goes back to the login screen', async () => {
    const {client, token} = await registerUser(daemon.port, 'alice');
    expect((await client.request(`logout ${token}`)).status).toBe('OK');
    client.close();
    temp.config().saveSession({server: {host: '127.0.0.1', port: daemon.port}, username: 'alice', token, realm: 'alpha'});
    const {lastFrame} = open();
    await waitForFrame(lastFrame, 'no longer knows the session of');
    expect(lastFrame()).toContain('realmchat · log in');
    expect(lastFrame()).toMatch(/Username +alice/);
    expect(temp.config().token).toBeUndefined();
  });

  it('says plainly when the daemon cannot be reached', async () => {
    await daemon.stop();
    const {lastFrame, stdin} = open();
    await waitForFrame(lastFrame, 'realmchat · log in');
    await press(stdin, 'alice', KEY.enter, 'pw', KEY.enter);
    await waitForFrame(lastFrame, `cannot reach realmchatd at 127.0.0.1:${daemon.port}`);
  });

  it('quits with Ctrl+C', async () => {
    const {lastFrame, stdin} = open();
    await waitForFrame(lastFrame, 'realmchat · log in');
    await press(stdin, KEY.ctrlC);
    await expect.poll(() => store!.getState().quit).toBe(true);
  });
});
