/** The main screen logged in as alice against a fresh daemon (with bob registered), for the screen tests. */
import {render} from 'ink-testing-library';
import {App} from '../../tui/app/app.js';
import type {ChatStore, ChatStoreOptions} from '../../tui/app/store/chat-store.js';
import {registerUser, startDaemon, type LineClient, type TestDaemon} from '../helpers/daemon.js';
import {tempConfigDir, testStore, waitForFrame} from './helpers.js';

export interface MainScreenFixture {
  readonly daemon: TestDaemon;
  readonly temp: ReturnType<typeof tempConfigDir>;
  readonly store: ChatStore;
  /** bob's raw connection, logged in. */
  readonly bob: LineClient;
  readonly view: ReturnType<typeof render>;
  /** Unmounts, closes the store and bob, stops the daemon, removes the config folder. */
  close(): Promise<void>;
}

/** What happens on the daemon before alice's screen opens: `aliceToken` works inline on bob's connection. */
export type Seed = (context: {daemon: TestDaemon; bob: LineClient; aliceToken: string}) => Promise<void>;

/** Starts a daemon, registers alice and bob, runs `seed`, and shows alice's main screen (connected). */
export async function openMainScreen(
  options: Partial<ChatStoreOptions> = {}, daemonExtra: Parameters<typeof startDaemon>[1] = {}, seed?: Seed,
): Promise<MainScreenFixture> {
  const daemon = await startDaemon({}, daemonExtra);
  const temp = tempConfigDir();
  const alice = await registerUser(daemon.port, 'alice');
  alice.client.close();
  const bob = (await registerUser(daemon.port, 'bob')).client;
  await seed?.({daemon, bob, aliceToken: alice.token});
  const config = temp.config();
  config.saveSession({server: {host: '127.0.0.1', port: daemon.port}, username: 'alice', token: alice.token, realm: 'alpha'});
  const store = testStore(daemon.port, config, options);
  const view = render(<App store={store} color={false} />);
  store.start();
  await waitForFrame(view.lastFrame, '● connected');
  return {
    daemon, temp, store, bob, view,
    async close() {
      view.unmount();
      await store.close();
      bob.close();
      await daemon.cleanup();
      temp.cleanup();
    },
  };
}
