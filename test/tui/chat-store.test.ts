/** The chat store without a screen: history pages, the daemon's conversation list, the bell switch, de-duplication. */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {ChatStore} from '../../tui/app/store/chat-store.js';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {registerUser, startDaemon, type LineClient, type TestDaemon} from '../helpers/daemon.js';
import {tempConfigDir, testStore} from './helpers.js';

describe('chat store', () => {
  let daemon: TestDaemon;
  let temp: ReturnType<typeof tempConfigDir>;
  let bob: LineClient;
  let aliceToken: string;
  const stores: ChatStore[] = [];

  beforeEach(async () => {
    daemon = await startDaemon();
    temp = tempConfigDir();
    const alice = await registerUser(daemon.port, 'alice');
    alice.client.close();
    aliceToken = alice.token;
    bob = (await registerUser(daemon.port, 'bob')).client;
    temp.config().saveSession({server: {host: '127.0.0.1', port: daemon.port}, username: 'alice', token: aliceToken, realm: 'alpha'});
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    bob.close();
    await daemon.cleanup();
    temp.cleanup();
  });

  function open(options: Parameters<typeof testStore>[2] = {}): ChatStore {
    const store = testStore(daemon.port, temp.config(), options);
    stores.push(store);
    store.start();
    return store;
  }

  const connected = (store: ChatStore) => expect.poll(() => store.getState().connection.kind).toBe('connected');

  it('loads the newest history page on selection and older pages on request', async () => {
    for (let i = 1; i <= 25; i++) await bob.request(`send alice m${i}`);
    // Alice reads them elsewhere (inline token), so the long poll brings nothing: history is the only source.
    expect((await bob.request(`inbox ${aliceToken}`)).status).toBe('OK');
    const store = open({historyPage: 10});
    await connected(store);
    await store.submit('/msg bob');
    const conversation = () => store.getState().conversations.bob!;
    await expect.poll(() => conversation().history).toBe('loaded');
    expect(conversation().messages.map((message) => message.text)).toEqual(Array.from({length: 10}, (_, i) => `m${i + 16}`));
    expect(conversation().olderAvailable).toBe(true);
    store.loadOlder('bob');
    await expect.poll(() => conversation().messages.length).toBe(20);
    store.loadOlder('bob');
    await expect.poll(() => conversation().messages.length).toBe(25);
    expect(conversation().olderAvailable).toBe(false);
    expect(conversation().messages[0]!.text).toBe('m1');
  });

  it("shows the user's conversations from the daemon at once, with no local files (a leftover recent.json is ignored)", async () => {
    const carol = (await registerUser(daemon.port, 'carol')).client;
    await carol.request('addgroup devs');
    await carol.request('sendgroup devs nobody here yet');
    expect((await bob.request(`joingroup ${aliceToken} devs`)).status).toBe('OK');
    await carol.request('sendgroup devs welcome alice: the daemon counts this one');
    await carol.request('send alice from carol');
    await bob.request('send alice from bob');
    await bob.request('send alice again from bob');
    // What an older client left beside config.json: not read.
    writeFileSync(join(temp.dir, 'recent.json'), JSON.stringify({[`127.0.0.1:${daemon.port} alice`]: [{kind: 'direct', name: 'zed'}]}));
    const store = open();
    await expect.poll(() => Object.keys(store.getState().conversations).sort()).toEqual(['bob', 'carol', 'group:devs']);
    const state = store.getState();
    // Nothing comes on screen by itself (Alt+A or a choice does it); newest first, with the daemon's counts.
    expect(state.selected.inbox).toBeUndefined();
    expect(state.conversations.bob).toMatchObject({unread: 2, exists: true});
    expect(state.conversations.carol).toMatchObject({unread: 1, exists: true, lastId: expect.any(Number)});
    expect(state.conversations.bob!.lastId).toBeGreaterThan(state.conversations.carol!.lastId!);
    store.select('bob');
    expect(state.conversations['group:devs']).toMatchObject({unread: 1, mentions: 1});
    await expect.poll(() => store.getState().conversations.bob!.messages.map((message) => message.text)).toEqual(['from bob', 'again from bob']);
    carol.close();
  });

  it('rings for direct messages only, and not at all with the bell off', async () => {
    let bells = 0;
    const store = open({ringBell: () => bells++});
    await connected(store);
    await store.submit('/addgroup devs');
    await bob.request('joingroup devs');
    await bob.request('sendgroup devs group message');
    await expect.poll(() => store.getState().conversations['group:devs']?.messages.length).toBe(1);
    expect(bells).toBe(0);
    await bob.request('send alice direct');
    await expect.poll(() => bells).toBe(1);
    await store.submit('/bell off');
    expect(store.getState().bell).toBe(false);
    await bob.request('send alice again');
    await expect.poll(() => store.getState().conversations.bob?.unread).toBe(2);
    expect(bells).toBe(1);
  });

  it('counts a message once however often it arrives', async () => {
    const store = open({bell: false});
    await connected(store);
    const message = {id: 42, from: 'bob', to: 'alice', text: 'once', ts: new Date().toISOString()};
    store.ingest([message]);
    store.ingest([message]);
    expect(store.getState().conversations.bob!.unread).toBe(1);
    // Its text comes through the history when the conversation is shown (issue 12, bug 1).
    expect(store.getState().conversations.bob!.messages).toHaveLength(0);
  });

  it('forgets a /msg conversation with a user that does not exist', async () => {
    const store = open();
    await connected(store);
    await store.submit('/msg nosuchuser');
    await expect.poll(() => store.getState().status?.text).toBe('nosuchuser: no such user (User tidak ditemukan)');
    expect(store.getState().conversations.nosuchuser).toBeUndefined();
  });

  it('drops "Logged out." at the next login attempt, and a status line about a conversation when another is shown', async () => {
    const store = open();
    await connected(store);
    await store.submit('/msg bob hi');
    await expect.poll(() => store.getState().conversations.bob?.exists).toBe(true);
    await store.submit('/msg nobody hi');
    await expect.poll(() => store.getState().status?.text).toContain('User tidak ditemukan');
    store.select('bob');
    expect(store.getState().status).toBeUndefined();

    await store.logout();
    expect(store.getState().login.notice).toBe('Logged out.');
    expect(await store.login({server: `127.0.0.1:${daemon.port}`, username: 'alice', password: 'wrong'})).toBe(false);
    expect(store.getState().login).toMatchObject({notice: undefined, error: 'wrong password (Password Salah)', errorField: 'password'});
  });
});
