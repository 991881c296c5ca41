/**
 * The wiring of ChatStore's parts. Every part gets this context and reaches the other parts through it, only inside
 * its methods (never in its constructor), so the parts may call one another whatever order they are created in.
 * Nothing here is exported beyond the store: components and hooks use ChatStore.
 */
import {formatServerAddress} from '../../../common/client/address.js';
import type {ChatStoreOptions} from './chat-store.js';
import {CommandRunner} from './command-runner.js';
import {Connections} from './connections.js';
import {HistoryLoader} from './history.js';
import {Messages} from './messages.js';
import {fileRecentStorage} from './recent-storage.js';
import {RecentList} from './recent-list.js';
import {ServerSync} from './server-sync.js';
import {Selection} from './selection.js';
import {Session} from './session.js';
import {initialChatState, StoreState} from './store-state.js';

/** One store's options, clock, state and parts. */
export class StoreContext {
  readonly options: ChatStoreOptions;
  /** The clock (epoch ms). */
  readonly now: () => number;
  /** The snapshot and its subscribers. */
  readonly state: StoreState;
  /** The `main` and `poll` connections. */
  readonly connections: Connections;
  /** Login, logout, the session generation, the poll loop. */
  readonly session: Session;
  /** recent.json. */
  readonly recent: RecentList;
  /** The catch-up, groups and realms. */
  readonly sync: ServerSync;
  /** Tabs, the selected conversations, the help overlay, list entries. */
  readonly selection: Selection;
  /** History pages. */
  readonly history: HistoryLoader;
  /** Receiving and sending messages. */
  readonly messages: Messages;
  /** The input line and slash commands. */
  readonly commands: CommandRunner;

  /** Creates the parts; the clients are created but not connected (ChatStore.start does that). */
  constructor(options: ChatStoreOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.state = new StoreState(initialChatState(formatServerAddress(options.server), options.config.username ?? '', options.bell ?? true));
    this.recent = new RecentList(this, options.recent === undefined ? fileRecentStorage(options.config.path) : options.recent);
    this.connections = new Connections(this, options.server);
    this.session = new Session(this, options.config);
    this.sync = new ServerSync(this);
    this.selection = new Selection(this);
    this.history = new HistoryLoader(this);
    this.messages = new Messages(this);
    this.commands = new CommandRunner(this);
  }
}
