/**
 * Issue 12, bug 1: a conversation on screen is exactly the daemon's history for it, with no gap, whatever order
 * history pages, live messages and our own sends arrive in.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {ChatStore} from '../../tui/app/store/chat-store.js';
import {registerUser, startDaemon, type LineClient, type TestDaemon} from '../helpers/daemon.js';
import {tempConfigDir, testStore} from './helpers.js';

describe('history without gaps', () => {
  let daemon: TestDaemon;
  let temp: ReturnType<typeof tempConfigDir>;
  let gina: LineClient;
  let frank: LineClient;
  let frankToken: string;
  const stores: ChatStore[] = [];

  beforeEach(async () => {
    daemon = await startDaemon();
    temp = tempConfigDir();
    const registered = await registerUser(daemon.port, 'frank');
    frank = registered.client;
    frankToken = registered.token;
    gina = (await registerUser(daemon.port, 'gina')).client;
    temp.config().saveSession({server: {host: '127.0.0.1', port: daemon.port}, username: 'frank', token: frankToken, realm: 'alpha'});
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    gina.close();
    frank.close();
    await daemon.cleanup();
    temp.cleanup();
  });

  function open(options: Parameters<typeof testStore>[2] = {}): ChatStore {
    const store = testStore(daemon.port, temp.config(), {bell: false, ...options});
    stores.push(store);
    store.start();
    return store;
  }

  /** The daemon's whole history of frank's conversation with gina, oldest first (ids). */
  async function daemonHistory(): Promise<number[]> {
    const reply = await frank.request(`history ${frankToken} gina 500`);
    return (reply.messages as Array<{id: number}>).map((message) => message.id);
  }

  /** Scrolls to the top: loads older pages until the daemon has none. */
  async function loadAll(store: ChatStore): Promise<void> {
    const conversation = () => store.getState().conversations.gina!;
    for (let guard = 0; guard < 20 && conversation().olderAvailable; guard++) {
      const before = conversation().messages.length;
      store.loadOlder('gina');
      await expect.poll(() => conversation().messages.length > before || !conversation().olderAvailable).toBe(true);
    }
  }

  const shownIds = (store: ChatStore) => store.getState().conversations.gina!.messages.filter((message) => message.id > 0).map((message) => message.id);

  it('the reported run: 10 unread from gina, 60 sent from the shell, then Alt+A and PgUp to the top', async () => {
    for (let i = 1; i <= 10; i++) await gina.request(`send frank gina ${i}`);
    for (let i = 1; i <= 60; i++) await frank.request(`send ${frankToken} gina frank ${i}`);
    const store = open();
    // The long poll brings gina's 10 before frank looks at the conversation.
    await expect.poll(() => store.getState().conversations.gina?.unread).toBe(10);
    store.jumpToUnread();
    await expect.poll(() => store.getState().conversations.gina?.history).toBe('loaded');
    await loadAll(store);
    expect(shownIds(store)).toEqual(await daemonHistory());
    expect(store.getState().conversations.gina!.messages.map((message) => message.text)).toContain('frank 1');
  });

  it('live messages while the conversation is on screen, with sends from another client in between', async () => {
    const store = open({historyPage: 5});
    await expect.poll(() => store.getState().connection.kind).toBe('connected');
    await store.submit('/msg gina');
    await expect.poll(() => store.getState().conversations.gina?.history).toBe('loaded');
    for (let round = 0; round < 4; round++) {
      // frank's other client (the shell) sends 7; gina answers; only gina's comes through the long poll.
      for (let i = 1; i <= 7; i++) await frank.request(`send ${frankToken} gina shell ${round}.${i}`);
      await gina.request(`send frank live ${round}`);
      await expect.poll(() => store.getState().conversations.gina!.messages.some((message) => message.text === `live ${round}`)).toBe(true);
      await store.submit(`typed ${round}`);
    }
    const expected = await daemonHistory();
    await expect.poll(() => shownIds(store).at(-1)).toBe(expected.at(-1));
    await loadAll(store);
    expect(shownIds(store)).toEqual(expected);
  });

  it('a live message that arrives before the first page, for a conversation not on screen', async () => {
    for (let i = 1; i <= 30; i++) await frank.request(`send ${frankToken} gina early ${i}`);
    const store = open({historyPage: 10});
    await expect.poll(() => store.getState().connection.kind).toBe('connected');
    await gina.request('send frank one');
    await expect.poll(() => store.getState().conversations.gina?.unread).toBe(1);
    for (let i = 1; i <= 12; i++) await frank.request(`send ${frankToken} gina later ${i}`);
    await gina.request('send frank two');
    await expect.poll(() => store.getState().conversations.gina?.unread).toBe(2);
    store.select('gina');
    await expect.poll(() => store.getState().conversations.gina?.history).toBe('loaded');
    await loadAll(store);
    expect(shownIds(store)).toEqual(await daemonHistory());
  });
});
