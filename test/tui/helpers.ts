/** Helpers for the full-screen client's tests: key bytes, paced typing, a store on a temp config, frame waits. */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {vi} from 'vitest';
import {SessionConfig} from '../../tui/shared/config.js';
import {ChatStore, type ChatStoreOptions} from '../../tui/app/store/chat-store.js';
import {registerUser, startDaemon, type LineClient, type TestDaemon} from '../helpers/daemon.js';

/** The bytes a terminal sends for each key. */
export const KEY = {
  enter: '\r', tab: '\t', backTab: '\u001B[Z', up: '\u001B[A', down: '\u001B[B', left: '\u001B[D', right: '\u001B[C',
  ctrlUp: '\u001B[1;5A', ctrlDown: '\u001B[1;5B', pageUp: '\u001B[5~', pageDown: '\u001B[6~', esc: '\u001B',
  backspace: '\u007F', f1: '\u001BOP', ctrlC: '\u0003', ctrlN: '\u000E', ctrlP: '\u0010', ctrlR: '\u0012',
  ctrlU: '\u0015', ctrlW: '\u0017', alt1: '\u001B1', alt2: '\u001B2', alt3: '\u001B3', altA: '\u001Ba',
} as const;

export const pause = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes keys one at a time with a pause after each, so each arrives as a read of its own, as typed keys usually do
 * (reads holding several keys are covered by key-chunks.test.ts and the tests that write them on purpose).
 */
export async function press(stdin: {write(data: string): void}, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    stdin.write(key);
    await pause(15);
  }
}

/** Waits until the last frame contains `text` (or matches it). */
/** Types a line, then Enter as a key of its own (Ink must see them as separate reads). */
export async function submit(stdin: {write(data: string): void}, line: string): Promise<void> {
  await press(stdin, line);
  await press(stdin, KEY.enter);
}

export async function waitForFrame(lastFrame: () => string | undefined, text: string | RegExp, timeout = 5000): Promise<string> {
  let frame = '';
  await vi.waitFor(() => {
    frame = lastFrame() ?? '';
    if (typeof text === 'string' ? !frame.includes(text) : !text.test(frame)) {
      throw new Error(`frame does not show ${String(text)}:\n${frame}`);
    }
  }, {timeout, interval: 20});
  return frame;
}

/** A temp folder for config.json (never the real home). */
export function tempConfigDir(): {dir: string; config: () => SessionConfig; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), 'realmchat-tui-'));
  return {dir, config: () => new SessionConfig({configDir: dir}), cleanup: () => rmSync(dir, {recursive: true, force: true})};
}

/** A store for a test daemon on `port`, with quick reconnects and no bell unless asked. */
export function testStore(port: number, config: SessionConfig, options: Partial<ChatStoreOptions> = {}): ChatStore {
  return new ChatStore({
    server: {host: '127.0.0.1', port}, config, backoff: {initialDelayMs: 50, maxDelayMs: 200, jitter: 0},
    connectTimeoutMs: 2000, ...options,
  });
}

/** A daemon with the user `me` (its session stored in a temp config) and `others` registered, for store tests. */
export interface StoreWorld {
  readonly daemon: TestDaemon;
  readonly temp: ReturnType<typeof tempConfigDir>;
  /** `me`'s session token (it works inline on the others' connections). */
  readonly token: string;
  /** The others' connections, logged in. */
  readonly clients: Readonly<Record<string, LineClient>>;
  /** A started store logged in as `me` (bell off unless asked); closed by `close()`. */
  open(options?: Partial<ChatStoreOptions>): ChatStore;
  /** Closes the stores and connections, stops the daemon, removes the config folder. */
  close(): Promise<void>;
}

/** Starts a daemon and registers `me` and `others` (see StoreWorld). */
export async function storeWorld(me: string, others: readonly string[], extra: Parameters<typeof startDaemon>[1] = {}): Promise<StoreWorld> {
  const daemon = await startDaemon({}, extra);
  const temp = tempConfigDir();
  const own = await registerUser(daemon.port, me);
  own.client.close();
  const clients: Record<string, LineClient> = {};
  for (const name of others) clients[name] = (await registerUser(daemon.port, name)).client;
  temp.config().saveSession({server: {host: '127.0.0.1', port: daemon.port}, username: me, token: own.token, realm: 'alpha'});
  const stores: ChatStore[] = [];
  return {
    daemon, temp, token: own.token, clients,
    open(options = {}) {
      const store = testStore(daemon.port, temp.config(), {bell: false, ...options});
      stores.push(store);
      store.start();
      return store;
    },
    async close() {
      for (const store of stores.splice(0)) await store.close();
      for (const client of Object.values(clients)) client.close();
      await daemon.cleanup();
      temp.cleanup();
    },
  };
}
