/**
 * ChatStore: the full-screen client's state and network, outside React. Components read immutable snapshots through
 * `useStore` (useSyncExternalStore) and call the actions below; nothing here knows about Ink.
 *
 * Two ChatClients talk to the daemon: `main` for everything the user does, `poll` for the long-poll inbox loop.
 * Both reconnect by themselves with capped backoff; after a reconnect the store catches up (groups, realms, the
 * conversation on screen), and the poll loop collects what arrived meanwhile.
 *
 * This class is the store's only entry point and the one place its parts are wired. Each part gets the few parts
 * it uses in its constructor, so they form a one-way stack (each line uses only the lines below it):
 *
 *   command-runner.ts        the input line and slash commands
 *   session-lifecycle.ts     start, login/register, logout, the session ending, quit, close; the poll loop
 *   server-sync.ts           the catch-up after login and reconnects; groups and realms; the Realms tab refresh
 *   search.ts                /search: results, jumping to one
 *   selection.ts             tabs, the selected conversation, Alt+A, the help overlay
 *   messages.ts              incoming messages (unread, mentions, bell) and sending
 *   read-markers.ts          `seen` when the bottom of a conversation is on screen
 *   history.ts               history pages: the one way messages reach a conversation
 *   conversation-pages.ts    the daemon's conversation list (`conversations`), its counts and read markers
 *   conversation-entries.ts  adding, hiding and dropping conversations of the list
 *   connections.ts, session-epoch.ts, store-state.ts
 *                            the two clients; the session's number; the snapshot
 *
 * What must travel upwards travels as events, wired below in the constructor: the session entered or left, the
 * connection came up, the long poll brought messages, a tab came on screen, a reply said the session is gone.
 */
import {formatServerAddress, type ServerAddress} from '../../../common/client/address.js';
import type {ChatMessage} from '../../../common/protocol/reply-shapes.js';
import type {BackoffOptions} from '../../../common/util/backoff.js';
import {homedir} from 'node:os';
import type {SessionConfig} from '../../shared/config.js';
import {listDirectory} from '../../shared/files.js';
import type {LocalPaths} from '../commands/completion.js';
import {CommandRunner} from './command-runner.js';
import {Connections} from './connections.js';
import {ConversationEntries} from './conversation-entries.js';
import {ConversationPages} from './conversation-pages.js';
import {FileTransfers} from './file-transfers.js';
import {HistoryLoader} from './history.js';
import type {Notification} from './mentions.js';
import {Messages} from './messages.js';
import {ReadMarkers} from './read-markers.js';
import {Search} from './search.js';
import {Selection} from './selection.js';
import {ServerSync} from './server-sync.js';
import {SessionEpoch} from './session-epoch.js';
import {SessionLifecycle} from './session-lifecycle.js';
import {UserSettings} from './settings.js';
import {initialChatState, StoreState} from './store-state.js';
import type {ChatState, LoginForm, LoginView, RegisterForm, TabId} from './types.js';

/** How a ChatStore is set up: the daemon and session, and knobs the tests turn. */
export interface ChatStoreOptions {
  /** The daemon to start with (the login screen can change it). */
  readonly server: ServerAddress;
  /** The stored session, shared with the one-shot commands. */
  readonly config: SessionConfig;
  /** Ring the bell for direct messages and mentions. @default the bell setting (on) */
  readonly bell?: boolean;
  /** Mouse reporting. @default the mouse setting (on) */
  readonly mouse?: boolean;
  /** Rings the terminal bell. @default nothing */
  readonly ringBell?: () => void;
  /** Desktop notifications for direct messages and mentions. @default the notify setting (off) */
  readonly notifications?: boolean;
  /** Shows a desktop notification (OSC 777 / OSC 9). @default nothing */
  readonly notify?: (notification: Notification) => void;
  /** Seconds each long-poll inbox waits. @default 25 */
  readonly pollSeconds?: number;
  /** Reconnect spacing of both connections. @default 0.5 s doubling up to 15 s */
  readonly backoff?: BackoffOptions;
  /** Give up a TCP connect after this long, in ms. @default 5000 (ChatClient's) */
  readonly connectTimeoutMs?: number;
  /** Give up waiting for a reply after this long, in ms. @default 10000 (ChatClient's) */
  readonly requestTimeoutMs?: number;
  /** Conversations per page of the daemon's list. @default 50 */
  readonly conversationPage?: number;
  /** Messages per history page. @default 50 */
  readonly historyPage?: number;
  /** How often the Realms tab refreshes link states while shown, in ms. @default 15000 */
  readonly realmsRefreshMs?: number;
  /** The clock (epoch ms). */
  readonly now?: () => number;
  /** HOME (for `~` in /file and /save) and the download folder of /save. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The full-screen client's store: one per app, driven by the components, hooks and tests. */
export class ChatStore {
  /** The local disk as Tab completion sees it after `/file` and `/save` (`~` is the env's HOME). */
  readonly localPaths: LocalPaths;
  readonly #state: StoreState;
  readonly #session: SessionLifecycle;
  readonly #selection: Selection;
  readonly #history: HistoryLoader;
  readonly #messages: Messages;
  readonly #commands: CommandRunner;
  readonly #markers: ReadMarkers;
  readonly #search: Search;

  /** Creates the store on the login screen and wires its parts; nothing connects until `start()`. */
  constructor(options: ChatStoreOptions) {
    const now = options.now ?? Date.now;
    const state = new StoreState(initialChatState(formatServerAddress(options.server), options.config.username ?? '', {
      ...options.config.settings,
      ...(options.bell === undefined ? {} : {bell: options.bell}),
      ...(options.notifications === undefined ? {} : {notify: options.notifications}),
      ...(options.mouse === undefined ? {} : {mouse: options.mouse}),
    }));
    const epoch = new SessionEpoch();
    const connections = new Connections(state, options.server, {
      backoff: options.backoff, connectTimeoutMs: options.connectTimeoutMs, requestTimeoutMs: options.requestTimeoutMs, now,
    });
    const entries = new ConversationEntries(state);
    const pages = new ConversationPages(state, connections, epoch, options.conversationPage ?? 50);
    const history = new HistoryLoader(state, connections, epoch, entries, options.historyPage ?? 50);
    const markers = new ReadMarkers(state, connections, epoch);
    const messages = new Messages(state, connections, epoch, entries, history, {now, ringBell: options.ringBell, notify: options.notify});
    const selection = new Selection(state, history, entries, pages);
    const search = new Search(state, connections, epoch, entries, selection);
    const sync = new ServerSync(state, connections, epoch, history, selection, pages, options.realmsRefreshMs ?? 15_000);
    const session = new SessionLifecycle(state, connections, epoch, selection, options.config, options.pollSeconds ?? 25);
    const settings = new UserSettings(state, options.config);
    const env = options.env ?? process.env;
    this.localPaths = {list: listDirectory, home: env.HOME ?? homedir()};
    const files = new FileTransfers(state, connections, epoch, messages, {env, now});
    const commands = new CommandRunner({state, connections, epoch, session, selection, entries, messages, sync, settings, files, search});

    // What travels upwards, as events.
    const catchUp = () => void sync.refresh();
    connections.on('up', () => {
      if (state.current.screen === 'main') catchUp();
    });
    session.on('entered', () => {
      if (connections.main.state.state === 'connected') catchUp();
    });
    session.on('left', () => {
      sync.stopRealmsTimer();
      messages.reset();
      pages.reset();
      markers.reset();
    });
    session.on('messages', (received) => messages.ingest(received));
    selection.on('tab-changed', (tab) => sync.tabChanged(tab));
    for (const part of [history, messages, sync, files, pages, markers, search]) part.on('session-gone', () => void session.ended());

    this.#state = state;
    this.#session = session;
    this.#selection = selection;
    this.#history = history;
    this.#messages = messages;
    this.#commands = commands;
    this.#markers = markers;
    this.#search = search;
  }

  // ---- the React side ------------------------------------------------------------------------------------------

  /** Subscribes to changes; returns the unsubscribe function (useSyncExternalStore's contract). */
  readonly subscribe = (listener: () => void): (() => void) => this.#state.subscribe(listener);

  /** The current snapshot (a new object after every change). */
  readonly getState = (): ChatState => this.#state.current;

  // ---- start, login, logout ------------------------------------------------------------------------------------

  /** Goes straight in with a stored session for this daemon, else shows the login screen. */
  start(): void {
    this.#session.start();
  }

  /** Switches the login screen between logging in and registering. */
  setLoginMode(mode: LoginView['mode']): void {
    this.#session.setLoginMode(mode);
  }

  /** Logs in from the login screen (or `/auth`); resolves true once on the main screen. */
  login(form: LoginForm): Promise<boolean> {
    return this.#session.login(form);
  }

  /** Creates an account and logs in (or `/register`); resolves true once on the main screen. */
  register(form: RegisterForm): Promise<boolean> {
    return this.#session.register(form);
  }

  /** Ends the session on the daemon and shows the login screen. */
  logout(): Promise<void> {
    return this.#session.logout();
  }

  /** Asks the app to quit. */
  quit(): void {
    this.#session.quit();
  }

  /** Stops everything: poll loop, timers, connections. */
  close(): Promise<void> {
    return this.#session.close();
  }

  // ---- messages and the input line -----------------------------------------------------------------------------

  /** Adds messages (from the long poll, `/inbox`, `/getrealminbox`): unread counts, bell, list order. */
  ingest(messages: readonly ChatMessage[]): void {
    this.#messages.ingest(messages);
  }

  /** Runs one line of the input: text for the conversation on screen, or a command. */
  submit(line: string): Promise<void> {
    return this.#commands.submit(line);
  }

  /** PgUp past the oldest line: fetches the page before it, when the daemon has one. */
  loadOlder(key: string): void {
    this.#history.loadOlder(key);
  }

  // ---- selection and help --------------------------------------------------------------------------------------

  /** Shows a tab with its selected conversation (or its first one). */
  selectTab(tab: TabId): void {
    this.#selection.selectTab(tab);
  }

  /** Ctrl+N / Ctrl+P: the next or previous tab. */
  cycleTab(delta: 1 | -1): void {
    this.#selection.cycleTab(delta);
  }

  /** ↑/↓ in the conversation list of the current tab. */
  moveSelection(delta: 1 | -1): void {
    this.#selection.moveSelection(delta);
  }

  /** Shows a conversation: switches to its tab, selects it, clears its unread count, loads its history. */
  select(key: string): void {
    this.#selection.select(key);
  }

  /** Alt+A: the next conversation with unread messages, shown from its `── new ──` line. */
  jumpToUnread(): void {
    this.#selection.jumpToUnread();
  }

  /**
   * The history pane shows the bottom of conversation `key`: the daemon's read marker moves to its newest message
   * (once per new message, however often this is called). Resolves when the daemon answered.
   */
  bottomShown(key: string): Promise<void> {
    return this.#markers.bottomShown(key);
  }

  /** `/search`: searches `words` in conversation `target` as typed (`bob`, `#devs`), or everywhere. */
  search(words: string, target?: string): Promise<void> {
    return this.#search.run(words, target);
  }

  /** ↑/↓ in the search results. */
  moveSearch(delta: 1 | -1): void {
    this.#search.move(delta);
  }

  /** Enter in the search results: the chosen message in its conversation. */
  openSearchResult(): void {
    this.#search.jump();
  }

  /** Esc: the search results go. */
  closeSearch(): void {
    this.#search.close();
  }

  /** Opens the help overlay. */
  openHelp(): void {
    this.#selection.openHelp();
  }

  /** Closes the help overlay. */
  closeHelp(): void {
    this.#selection.closeHelp();
  }
}
