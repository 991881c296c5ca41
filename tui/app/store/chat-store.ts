/**
 * ChatStore: the full-screen client's state and network, outside React. Components read immutable snapshots through
 * `useStore` (useSyncExternalStore) and call the actions below; nothing here knows about Ink.
 *
 * Two ChatClients talk to the daemon: `main` for everything the user does, `poll` for the long-poll inbox loop.
 * Both reconnect by themselves with capped backoff; after a reconnect the store catches up (groups, realms, the
 * conversation on screen), and the poll loop collects what arrived meanwhile.
 *
 * This class is the store's only entry point; the work is done by its parts (see StoreContext):
 * - store-state.ts      the snapshot, its subscribers and small updates
 * - connections.ts      the two clients, their states in the status bar, reconnects
 * - session.ts          start, login/register, logout, the session ending, quit, close; the poll loop
 * - server-sync.ts      the catch-up after login and reconnects; groups and realms; the Realms tab refresh
 * - selection.ts        tabs, the selected conversation, help overlay, list entries
 * - history.ts          history pages
 * - messages.ts         incoming messages (unread, bell) and sending
 * - command-runner.ts   the input line and slash commands
 * - recent-list.ts      restoring and saving recent.json
 */
import type {ServerAddress} from '../../../common/client/address.js';
import type {BackoffOptions} from '../../../common/util/backoff.js';
import type {ChatMessage} from '../../../common/protocol/reply-shapes.js';
import type {SessionConfig} from '../../shared/config.js';
import type {RecentStorage} from './recent-storage.js';
import {StoreContext} from './store-context.js';
import type {ChatState, LoginView, TabId} from './types.js';

/** How a ChatStore is set up: the daemon and session, and knobs the tests turn. */
export interface ChatStoreOptions {
  /** The daemon to start with (the login screen can change it). */
  readonly server: ServerAddress;
  /** The stored session, shared with the one-shot commands. */
  readonly config: SessionConfig;
  /** Ring the bell for direct messages. @default true */
  readonly bell?: boolean;
  /** Rings the terminal bell. @default nothing */
  readonly ringBell?: () => void;
  /** Seconds each long-poll inbox waits. @default 25 */
  readonly pollSeconds?: number;
  /** Reconnect spacing of both connections. @default 0.5 s doubling up to 15 s */
  readonly backoff?: BackoffOptions;
  /** Give up a TCP connect after this long, in ms. @default 5000 (ChatClient's) */
  readonly connectTimeoutMs?: number;
  /** Give up waiting for a reply after this long, in ms. @default 10000 (ChatClient's) */
  readonly requestTimeoutMs?: number;
  /** Where the conversation list is remembered; null: nowhere. @default recent.json beside config.json */
  readonly recent?: RecentStorage | null;
  /** Messages per history page. @default 50 */
  readonly historyPage?: number;
  /** How often the Realms tab refreshes link states while shown, in ms. @default 15000 */
  readonly realmsRefreshMs?: number;
  /** The clock (epoch ms). */
  readonly now?: () => number;
}

/** The fields of the login screen's form. */
export interface LoginForm {
  readonly server: string;
  readonly username: string;
  readonly password: string;
}

/** The fields of the register form: the login fields, the full name and the country. */
export interface RegisterForm extends LoginForm {
  readonly fullName: string;
  readonly country: string;
}

/** The full-screen client's store: one per app, driven by the components, hooks and tests. */
export class ChatStore {
  readonly #ctx: StoreContext;

  /** Creates the store on the login screen; nothing connects until `start()`. */
  constructor(options: ChatStoreOptions) {
    this.#ctx = new StoreContext(options);
  }

  // ---- the React side ------------------------------------------------------------------------------------------

  /** Subscribes to changes; returns the unsubscribe function (useSyncExternalStore's contract). */
  readonly subscribe = (listener: () => void): (() => void) => this.#ctx.state.subscribe(listener);

  /** The current snapshot (a new object after every change). */
  readonly getState = (): ChatState => this.#ctx.state.current;

  // ---- start, login, logout ------------------------------------------------------------------------------------

  /** Goes straight in with a stored session for this daemon, else shows the login screen. */
  start(): void {
    this.#ctx.session.start();
  }

  /** Switches the login screen between logging in and registering. */
  setLoginMode(mode: LoginView['mode']): void {
    this.#ctx.session.setLoginMode(mode);
  }

  /** Logs in from the login screen (or `/auth`); resolves true once on the main screen. */
  login(form: LoginForm): Promise<boolean> {
    return this.#ctx.session.login(form);
  }

  /** Creates an account and logs in (or `/register`); resolves true once on the main screen. */
  register(form: RegisterForm): Promise<boolean> {
    return this.#ctx.session.register(form);
  }

  /** Ends the session on the daemon and shows the login screen. */
  logout(): Promise<void> {
    return this.#ctx.session.logout();
  }

  /** Asks the app to quit. */
  quit(): void {
    this.#ctx.session.quit();
  }

  /** Stops everything: poll loop, timers, connections. */
  close(): Promise<void> {
    return this.#ctx.session.close();
  }

  // ---- messages and the input line -----------------------------------------------------------------------------

  /** Adds messages (from the long poll, `/inbox`, `/getrealminbox`): unread counts, bell, list order. */
  ingest(messages: readonly ChatMessage[]): void {
    this.#ctx.messages.ingest(messages);
  }

  /** Runs one line of the input: text for the conversation on screen, or a command. */
  submit(line: string): Promise<void> {
    return this.#ctx.commands.submit(line);
  }

  /** PgUp past the oldest line: fetches the page before it, when the daemon has one. */
  loadOlder(key: string): void {
    this.#ctx.history.loadOlder(key);
  }

  // ---- selection and help --------------------------------------------------------------------------------------

  /** Shows a tab with its selected conversation (or its first one). */
  selectTab(tab: TabId): void {
    this.#ctx.selection.selectTab(tab);
  }

  /** Ctrl+N / Ctrl+P: the next or previous tab. */
  cycleTab(delta: 1 | -1): void {
    this.#ctx.selection.cycleTab(delta);
  }

  /** ↑/↓ in the conversation list of the current tab. */
  moveSelection(delta: 1 | -1): void {
    this.#ctx.selection.moveSelection(delta);
  }

  /** Shows a conversation: switches to its tab, selects it, clears its unread count, loads its history. */
  select(key: string): void {
    this.#ctx.selection.select(key);
  }

  /** Alt+A: the next conversation with unread messages. */
  jumpToUnread(): void {
    this.#ctx.selection.jumpToUnread();
  }

  /** Opens the help overlay. */
  openHelp(): void {
    this.#ctx.selection.openHelp();
  }

  /** Closes the help overlay. */
  closeHelp(): void {
    this.#ctx.selection.closeHelp();
  }
}
