/**
 * ChatStore: the full-screen client's state and network, outside React. Components read immutable snapshots through
 * `useStore` (useSyncExternalStore) and call the actions below; nothing here knows about Ink.
 *
 * Two ChatClients talk to the daemon: `main` for everything the user does, `poll` for the long-poll inbox loop.
 * Both reconnect by themselves with capped backoff; after a reconnect the store catches up (groups, realms, the
 * conversation on screen), and the poll loop collects what arrived meanwhile.
 */
import {ChatClient, type ChatClientOptions, type ClientState} from '../../../common/client/chat-client.js';
import {formatServerAddress, parseServerAddress, type ServerAddress} from '../../../common/client/address.js';
import type {BackoffOptions} from '../../../common/client/backoff.js';
import {buildCommandLine} from '../../../common/client/command-line.js';
import {ConnectionError, RequestTimeoutError} from '../../../common/client/errors.js';
import {groupsOf, hasMore, messagesOf, realmsOf, userOf, type ChatMessage} from '../../../common/client/reply-views.js';
import {errorCodeOf, type Reply} from '../../../common/protocol/replies.js';
import {RequestUsageError} from '../../../common/protocol/request.js';
import type {SessionConfig} from '../../config.js';
import {parseInput, slashUsage} from '../commands/slash-commands.js';
import {
  conversationOfMessage, conversationsOfTab, emptyConversation, isOwnMessage, keyOf, laterTs, mergeMessages,
  nextUnread, parseAddress, tabOf, titleOf, type ConversationRef,
} from './conversations.js';
import {InboxPoller} from './inbox-poller.js';
import {fileRecentStorage, type RecentEntry, type RecentStorage} from './recent-conversations.js';
import {groupsSummary, newMessagesSummary, realmsSummary} from './summaries.js';
import type {ChatState, ConnectionView, Conversation, DisplayMessage, LoginView, StatusMessage, TabId} from './types.js';
import {TABS} from './types.js';

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
  readonly connectTimeoutMs?: number;
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

export interface RegisterForm extends LoginForm {
  readonly fullName: string;
  readonly country: string;
}

const DEFAULT_BACKOFF: BackoffOptions = {initialDelayMs: 500, maxDelayMs: 15_000};

const emptySelection: Readonly<Record<TabId, string | undefined>> = {inbox: undefined, groups: undefined, realms: undefined};

/** Plain words for a connection problem. */
function describeConnectionError(error: ConnectionError | RequestTimeoutError, address: string): string {
  if (error instanceof RequestTimeoutError) return `realmchatd at ${address} did not answer in time`;
  if (error.failure === 'connect' || error.failure === 'connect-timeout') {
    return `cannot reach realmchatd at ${address}: ${error.message.replace(/^cannot connect to \S+: /, '')}`;
  }
  return error.message;
}

export class ChatStore {
  readonly #options: ChatStoreOptions;
  readonly #config: SessionConfig;
  readonly #recent: RecentStorage | null;
  readonly #now: () => number;
  #state: ChatState;
  readonly #listeners = new Set<() => void>();
  #server: ServerAddress;
  #main!: ChatClient;
  #poll!: ChatClient;
  readonly #retryAt = new Map<ChatClient, number>();
  #poller: InboxPoller | undefined;
  /** Bumped whenever the session changes, so late replies of an old session are dropped. */
  #session = 0;
  #nextLocalId = 0;
  #recentTimer: NodeJS.Timeout | undefined;
  #realmsTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: ChatStoreOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#recent = options.recent === undefined ? fileRecentStorage(options.config.path) : options.recent;
    this.#now = options.now ?? Date.now;
    this.#server = options.server;
    const server = formatServerAddress(options.server);
    this.#state = {
      screen: 'login', server,
      login: {mode: 'login', server, username: options.config.username ?? '', notice: undefined, error: undefined, busy: false},
      me: undefined, realm: undefined, connection: {kind: 'connecting'}, tab: 'inbox', conversations: {},
      selected: emptySelection, groups: [], realmLinks: [], knownUsers: [], status: undefined, helpOpen: false,
      bell: options.bell ?? true, quit: false,
    };
    this.#createClients(options.server, undefined);
  }

  // ---- the React side ------------------------------------------------------------------------------------------

  /** Subscribes to changes; returns the unsubscribe function (useSyncExternalStore's contract). */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** The current snapshot (a new object after every change). */
  readonly getState = (): ChatState => this.#state;

  #set(patch: Partial<ChatState> | ((state: ChatState) => Partial<ChatState>)): void {
    const next = typeof patch === 'function' ? patch(this.#state) : patch;
    this.#state = {...this.#state, ...next};
    for (const listener of [...this.#listeners]) listener();
  }

  #setLogin(patch: Partial<LoginView>): void {
    this.#set((state) => ({login: {...state.login, ...patch}}));
  }

  #setStatus(text: string, tone: StatusMessage['tone'] = 'info'): void {
    this.#set({status: {text, tone}});
  }

  // ---- connections ---------------------------------------------------------------------------------------------

  #clientOptions(server: ServerAddress, session: {token: string; username: string} | undefined): ChatClientOptions {
    return {
      ...server,
      reconnect: this.#options.backoff ?? DEFAULT_BACKOFF,
      ...(this.#options.connectTimeoutMs === undefined ? {} : {connectTimeoutMs: this.#options.connectTimeoutMs}),
      ...(this.#options.requestTimeoutMs === undefined ? {} : {requestTimeoutMs: this.#options.requestTimeoutMs}),
      ...(session ? {token: session.token, username: session.username} : {}),
    };
  }

  #createClients(server: ServerAddress, session: {token: string; username: string} | undefined): void {
    this.#server = server;
    this.#main = this.#watch(new ChatClient(this.#clientOptions(server, session)));
    this.#poll = this.#watch(new ChatClient(this.#clientOptions(server, session)));
  }

  /** Follows a client's connection state (events of clients no longer in use are ignored). */
  #watch(client: ChatClient): ChatClient {
    client.on('state', (state) => this.#onClientState(client, state));
    return client;
  }

  /** Switches to another daemon: new connections, no session. */
  async #useServer(server: ServerAddress): Promise<void> {
    if (formatServerAddress(server) === formatServerAddress(this.#server)) return;
    const old = [this.#main, this.#poll];
    this.#createClients(server, undefined);
    this.#set({server: formatServerAddress(server), connection: {kind: 'connecting'}});
    await Promise.all(old.map((client) => client.close()));
  }

  #onClientState(client: ChatClient, state: ClientState): void {
    if (client !== this.#main && client !== this.#poll) return;
    if (state.state === 'reconnecting') this.#retryAt.set(client, this.#now() + state.inMs);
    this.#set({connection: this.#connectionView()});
    if (client === this.#main && state.state === 'connected' && this.#state.screen === 'main') void this.#refresh();
  }

  #connectionView(): ConnectionView {
    const views = [this.#main, this.#poll].map((client): ConnectionView => {
      const state = client.state;
      switch (state.state) {
        case 'connected': return {kind: 'connected'};
        case 'connecting': case 'idle': return {kind: 'connecting'};
        case 'reconnecting': return {kind: 'reconnecting', retryAt: this.#retryAt.get(client) ?? this.#now() + state.inMs, reason: state.error.message};
        case 'closed': return state.error ? {kind: 'offline', reason: state.error.message} : {kind: 'offline'};
      }
    });
    // The poll connection is opened only once logged in; before that the main one tells.
    const [main, poll] = views as [ConnectionView, ConnectionView];
    if (main.kind !== 'connected') return main;
    if (this.#state.screen === 'main' && this.#poll.state.state !== 'idle' && poll.kind !== 'connected') return poll;
    return main;
  }

  // ---- start, login, logout ------------------------------------------------------------------------------------

  /** Goes straight in with a stored session for this daemon, else shows the login screen. */
  start(): void {
    const config = this.#config;
    const sameServer = config.server !== undefined && formatServerAddress(config.server) === formatServerAddress(this.#server);
    if (sameServer && config.token !== undefined && config.username !== undefined) {
      const session = {token: config.token, username: config.username};
      this.#main.setSession(session);
      this.#poll.setSession(session);
      this.#enterMain(config.username, config.realm);
    } else {
      this.#connectInBackground();
    }
  }

  #connectInBackground(): void {
    this.#main.connect().catch(() => {});
  }

  setLoginMode(mode: LoginView['mode']): void {
    this.#setLogin({mode, error: undefined});
  }

  /** Logs in from the login screen (or `/auth`). */
  login(form: LoginForm): Promise<boolean> {
    return this.#authenticate(form, (client) => client.auth(form.username.trim(), form.password));
  }

  /** Creates an account and logs in (or `/register`). */
  register(form: RegisterForm): Promise<boolean> {
    return this.#authenticate(form, (client) => client.register(form.username.trim(), form.password, form.fullName, form.country));
  }

  async #authenticate(form: LoginForm, send: (client: ChatClient) => Promise<Reply>): Promise<boolean> {
    if (this.#state.login.busy) return false;
    const fromMain = this.#state.screen === 'main';
    const fail = (text: string) => {
      if (this.#state.screen === 'main') this.#setStatus(text, 'error');
      else this.#setLogin({error: text, busy: false});
      return false;
    };
    const server = parseServerAddress(form.server);
    if (!server) return fail(`the server must be HOST:PORT (e.g. 127.0.0.1:8889), not "${form.server.trim()}"`);
    if (form.username.trim() === '' || form.password === '') return fail('type a username and a password');
    if (fromMain) await this.#leaveMain(undefined);
    this.#setLogin({busy: true, error: undefined, server: formatServerAddress(server), username: form.username.trim()});
    await this.#useServer(server);
    let reply: Reply;
    try {
      await this.#main.connect();
      reply = await send(this.#main);
    } catch (error) {
      this.#setLogin({busy: false});
      if (error instanceof ConnectionError || error instanceof RequestTimeoutError) return fail(describeConnectionError(error, formatServerAddress(server)));
      if (error instanceof RequestUsageError) return fail(error.message.replace(/; usage: .*/, ''));
      throw error;
    }
    if (reply.status !== 'OK' || typeof reply.tokenid !== 'string') {
      this.#setLogin({busy: false});
      return fail(reply.message);
    }
    const username = typeof reply.username === 'string' ? reply.username : form.username.trim();
    const realm = typeof reply.realm === 'string' ? reply.realm : undefined;
    // Stored exactly as the one-shot `realmchat auth` stores it.
    this.#config.saveSession({server, username, token: reply.tokenid, ...(realm === undefined ? {} : {realm})});
    this.#poll.setSession({token: reply.tokenid, username});
    this.#setLogin({busy: false, error: undefined, notice: undefined});
    this.#enterMain(username, realm);
    return true;
  }

  #enterMain(me: string, realm: string | undefined): void {
    this.#session++;
    const conversations: Record<string, Conversation> = {};
    const knownUsers = new Set<string>([me]);
    for (const entry of this.#recent?.load(this.#account(me)) ?? []) {
      const ref = entry.kind === 'direct' || entry.kind === 'group' ? {kind: entry.kind, name: entry.name}
        : {kind: entry.kind, name: entry.name, realm: entry.realm ?? '?'};
      conversations[keyOf(ref)] = {...emptyConversation(ref), lastTs: entry.lastTs};
      if (entry.kind === 'direct') knownUsers.add(entry.name);
    }
    this.#set({
      screen: 'main', me, realm, tab: 'inbox', conversations, selected: emptySelection, knownUsers: [...knownUsers],
      groups: [], realmLinks: [], helpOpen: false, status: {text: 'Press F1 or ? for help', tone: 'info'},
    });
    this.#selectFirstIfNone('inbox');
    this.#poller = new InboxPoller(this.#poll, {
      waitSeconds: this.#options.pollSeconds ?? 25,
      onMessages: (messages) => this.ingest(messages),
      onSessionEnded: () => void this.#sessionEnded(),
      onProblem: (text) => this.#setStatus(text, 'error'),
    });
    this.#poller.start();
    if (this.#main.state.state === 'connected') void this.#refresh();
    else this.#connectInBackground();
  }

  /** Back to the login screen: stops the poll loop, forgets the conversations of the session. */
  async #leaveMain(notice: string | undefined): Promise<void> {
    this.#session++;
    this.#flushRecent();
    this.#stopRealmsTimer();
    const poller = this.#poller;
    this.#poller = undefined;
    const me = this.#state.me;
    this.#set((state) => ({
      screen: 'login', me: undefined, realm: undefined, conversations: {}, selected: emptySelection, groups: [],
      realmLinks: [], helpOpen: false, status: undefined,
      login: {...state.login, mode: 'login', username: me ?? state.login.username, server: state.server, notice, error: undefined, busy: false},
    }));
    // The long poll may be waiting on the daemon: a new connection is quicker than waiting for it to answer.
    if (poller) {
      void poller.stop();
      const old = this.#poll;
      this.#poll = this.#watch(new ChatClient(this.#clientOptions(this.#server, undefined)));
      await old.close();
    }
  }

  async #sessionEnded(): Promise<void> {
    if (this.#state.screen !== 'main') return;
    const me = this.#state.me ?? '?';
    this.#config.clearToken();
    this.#main.setSession(undefined);
    this.#poll.setSession(undefined);
    await this.#leaveMain(`The daemon at ${this.#state.server} no longer knows the session of ${me} (it was logged out or the daemon was reset). Log in again.`);
  }

  /** Ends the session on the daemon and shows the login screen. */
  async logout(): Promise<void> {
    try {
      await this.#main.logout();
    } catch {
      // Offline: the stored token is forgotten all the same.
    }
    this.#config.clearToken();
    this.#main.setSession(undefined);
    this.#poll.setSession(undefined);
    await this.#leaveMain('Logged out.');
  }

  /** Asks the app to quit. */
  quit(): void {
    this.#set({quit: true});
  }

  /** Stops everything: poll loop, timers, connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#session++;
    this.#flushRecent();
    this.#stopRealmsTimer();
    const poller = this.#poller;
    this.#poller = undefined;
    void poller?.stop();
    await Promise.all([this.#main.close(), this.#poll.close()]);
  }

  // ---- catching up ---------------------------------------------------------------------------------------------

  /** After login and after every reconnect: checks the session, reloads groups and realms and the shown conversation. */
  async #refresh(): Promise<void> {
    const session = this.#session;
    const results = await Promise.allSettled([this.#main.info(), this.#main.groups(), this.#main.realms()]);
    if (session !== this.#session) return;
    const [info, groups, realms] = results.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    if ([info, groups, realms].some((reply) => reply && errorCodeOf(reply) === 'NO_SESSION')) {
      await this.#sessionEnded();
      return;
    }
    if (info?.status === 'OK') {
      const profile = userOf(info);
      if (profile) this.#set({me: profile.username, realm: profile.realm ?? this.#state.realm});
    }
    if (groups?.status === 'OK') this.#applyGroups(groups);
    if (realms?.status === 'OK') this.#applyRealms(realms);
    // Conversations not on screen are reloaded when next shown; the one on screen now.
    this.#set((state) => ({
      conversations: Object.fromEntries(Object.entries(state.conversations).map(([key, conversation]) =>
        [key, conversation.history === 'loaded' ? {...conversation, history: 'none' as const} : conversation])),
    }));
    const visible = this.#visibleKey();
    if (visible) void this.#loadHistory(visible);
  }

  #applyGroups(reply: Reply): void {
    const groups = groupsOf(reply);
    this.#set((state) => {
      const conversations = {...state.conversations};
      for (const group of groups.filter((entry) => entry.member)) {
        const ref: ConversationRef = {kind: 'group', name: group.name};
        conversations[keyOf(ref)] ??= emptyConversation(ref);
      }
      return {groups, conversations};
    });
    // Someone looking at an empty Groups tab gets the first group; other tabs keep their selection.
    if (this.#state.tab === 'groups') this.#selectFirstIfNone('groups');
  }

  #applyRealms(reply: Reply): void {
    const {realm, links} = realmsOf(reply);
    this.#set((state) => ({realmLinks: links, realm: realm ?? state.realm}));
  }

  // ---- incoming messages ---------------------------------------------------------------------------------------

  /** The key of the conversation on screen, if any. */
  #visibleKey(): string | undefined {
    const state = this.#state;
    if (state.screen !== 'main') return undefined;
    return state.selected[state.tab];
  }

  /** Adds messages (from the long poll, `/inbox`, `/getrealminbox`): unread counts, bell, list order. */
  ingest(messages: readonly ChatMessage[]): void {
    const state = this.#state;
    if (state.screen !== 'main' || messages.length === 0) return;
    const {me, realm} = state;
    const visible = state.helpOpen ? undefined : this.#visibleKey();
    let ring = false;
    const users = new Set(state.knownUsers);
    const conversations = {...state.conversations};
    for (const message of messages) {
      const ref = conversationOfMessage(message, me, realm);
      const key = keyOf(ref);
      const current = conversations[key] ?? emptyConversation(ref);
      const own = isOwnMessage(message, me, realm);
      const isNew = !current.messages.some((known) => known.id === message.id);
      conversations[key] = {
        ...current,
        messages: mergeMessages(current.messages, [message]),
        lastTs: laterTs(current.lastTs, message.ts),
        unread: current.unread + (isNew && !own && key !== visible ? 1 : 0),
      };
      if (isNew && !own && (ref.kind === 'direct' || ref.kind === 'remote-user')) ring = true;
      if (ref.kind === 'direct') users.add(ref.name);
    }
    this.#set({conversations, knownUsers: [...users]});
    if (ring && this.#state.bell) this.#options.ringBell?.();
    this.#saveRecentSoon();
  }

  // ---- selection -----------------------------------------------------------------------------------------------

  selectTab(tab: TabId): void {
    if (this.#state.screen !== 'main') return;
    const changed = tab !== this.#state.tab;
    this.#set({tab});
    if (!this.#selectFirstIfNone(tab)) {
      const key = this.#state.selected[tab];
      if (key) this.#show(key);
    }
    if (changed) this.#tabChanged(tab);
  }

  /** The Realms tab shows link states: refreshed on arrival and every few seconds while shown. */
  #tabChanged(tab: TabId): void {
    if (tab === 'realms') {
      void this.#reloadRealms();
      this.#startRealmsTimer();
    } else {
      this.#stopRealmsTimer();
    }
  }

  cycleTab(delta: 1 | -1): void {
    const index = TABS.indexOf(this.#state.tab);
    this.selectTab(TABS[(index + delta + TABS.length) % TABS.length]!);
  }

  /** ↑/↓ in the conversation list of the current tab. */
  moveSelection(delta: 1 | -1): void {
    const state = this.#state;
    const list = conversationsOfTab(state, state.tab);
    if (list.length === 0) return;
    const index = list.findIndex((conversation) => conversation.key === state.selected[state.tab]);
    const next = index === -1 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + delta));
    this.select(list[next]!.key);
  }

  /** Shows a conversation: switches to its tab, selects it, clears its unread count, loads its history. */
  select(key: string): void {
    const conversation = this.#state.conversations[key];
    if (!conversation) return;
    const tab = tabOf(conversation.kind);
    const changed = tab !== this.#state.tab;
    this.#set((state) => ({tab, selected: {...state.selected, [tab]: key}}));
    this.#show(key);
    if (changed) this.#tabChanged(tab);
  }

  /** Alt+A: the next conversation with unread messages. */
  jumpToUnread(): void {
    const next = nextUnread(this.#state);
    if (next) this.select(next.key);
    else this.#setStatus('No unread messages');
  }

  /** Selects the first conversation of a tab that has none selected; true when it did. */
  #selectFirstIfNone(tab: TabId): boolean {
    const state = this.#state;
    if (state.selected[tab] && state.conversations[state.selected[tab]!]) return false;
    const first = conversationsOfTab(state, tab)[0];
    if (!first) return false;
    this.#set((current) => ({selected: {...current.selected, [tab]: first.key}}));
    if (state.tab === tab) this.#show(first.key);
    return true;
  }

  /** A conversation came on screen. */
  #show(key: string): void {
    const conversation = this.#state.conversations[key];
    if (!conversation) return;
    if (conversation.unread > 0) this.#updateConversation(key, (current) => ({...current, unread: 0}));
    if (conversation.history === 'none' || conversation.history === 'error') void this.#loadHistory(key);
  }

  #updateConversation(key: string, update: (conversation: Conversation) => Conversation): void {
    this.#set((state) => {
      const conversation = state.conversations[key];
      return conversation ? {conversations: {...state.conversations, [key]: update(conversation)}} : {};
    });
  }

  /** Drops a conversation that turned out not to exist (a mistyped /msg). */
  #forget(key: string): void {
    this.#set((state) => {
      const conversations = {...state.conversations};
      delete conversations[key];
      const selected = Object.fromEntries(TABS.map((tab) => [tab, state.selected[tab] === key ? undefined : state.selected[tab]]));
      return {conversations, selected: selected as Record<TabId, string | undefined>};
    });
    this.#saveRecentSoon();
  }

  /** Makes sure a conversation exists; returns its key. */
  #ensureConversation(ref: ConversationRef): string {
    const key = keyOf(ref);
    if (!this.#state.conversations[key]) {
      this.#set((state) => ({conversations: {...state.conversations, [key]: emptyConversation(ref)}}));
      this.#saveRecentSoon();
    }
    if (ref.kind === 'direct' && !this.#state.knownUsers.some((user) => user.toLowerCase() === ref.name.toLowerCase())) {
      this.#set((state) => ({knownUsers: [...state.knownUsers, ref.name]}));
    }
    return key;
  }

  // ---- history -------------------------------------------------------------------------------------------------

  /** Loads the newest page of a conversation's history, or with `older` the page before the oldest message held. */
  async #loadHistory(key: string, older = false): Promise<void> {
    const conversation = this.#state.conversations[key];
    if (!conversation || (!older && conversation.history === 'loading')) return;
    const session = this.#session;
    const firstId = conversation.messages.find((message) => message.id > 0)?.id;
    if (older && (firstId === undefined || !conversation.olderAvailable)) return;
    if (!older) this.#updateConversation(key, (current) => ({...current, history: 'loading'}));
    let reply: Reply;
    try {
      reply = await this.#main.history(conversation.address, this.#options.historyPage ?? 50, older ? firstId : undefined);
    } catch (error) {
      if (session !== this.#session) return;
      if (!older) this.#updateConversation(key, (current) => ({...current, history: 'none'}));
      if (!(error instanceof ConnectionError || error instanceof RequestTimeoutError)) throw error;
      return;
    }
    if (session !== this.#session) return;
    if (reply.status !== 'OK') {
      const code = errorCodeOf(reply);
      if (code === 'NO_SESSION') {
        await this.#sessionEnded();
        return;
      }
      this.#setStatus(`${titleOf(conversation)}: ${reply.message}`, 'error');
      const gone = code === 'USER_NOT_FOUND' || code === 'GROUP_NOT_FOUND' || code === 'NOT_A_MEMBER';
      if (gone && (this.#state.conversations[key]?.messages.length ?? 0) === 0) this.#forget(key);
      else this.#updateConversation(key, (current) => ({...current, history: 'error'}));
      return;
    }
    const page = messagesOf(reply);
    const pageFirst = page[0]?.id;
    this.#updateConversation(key, (current) => {
      // Our sent messages that the daemon numbered are in the page now; ones still in flight or refused stay.
      const kept = older ? current.messages : current.messages.filter((message) => message.id > 0 || message.pending || message.failed);
      const heldOlder = pageFirst !== undefined && kept.some((message) => message.id > 0 && message.id < pageFirst);
      return {
        ...current,
        messages: mergeMessages(kept, page),
        history: older ? current.history : 'loaded',
        olderAvailable: older ? hasMore(reply) : hasMore(reply) || (heldOlder && current.olderAvailable),
        lastTs: laterTs(current.lastTs, page.at(-1)?.ts),
      };
    });
    this.#saveRecentSoon();
  }

  /** PgUp past the oldest line: fetches the page before it, when the daemon has one. */
  loadOlder(key: string): void {
    void this.#loadHistory(key, true);
  }

  // ---- sending -------------------------------------------------------------------------------------------------

  /**
   * Sends text to a conversation: shows it at once (pending), then numbers it with the daemon's id, or marks it
   * "not sent" with the reason in the status line.
   */
  async #sendTo(ref: ConversationRef, text: string, typed?: {command: string; args: readonly string[]}): Promise<Reply | undefined> {
    const key = this.#ensureConversation(ref);
    const {me, realm} = this.#state;
    const id = --this.#nextLocalId;
    const ts = new Date(this.#now()).toISOString();
    const isGroup = ref.kind === 'group' || ref.kind === 'remote-group';
    const message: DisplayMessage = {
      id, from: me ?? '?', to: ref.kind === 'remote-user' || ref.kind === 'remote-group' ? `${ref.name}@${ref.realm}` : ref.name,
      text, ts, pending: true,
      ...(isGroup ? {group: ref.name} : {}),
      ...(ref.realm !== undefined && realm !== undefined ? {realmFrom: realm, realmTo: ref.realm} : {}),
    };
    this.#updateConversation(key, (current) => ({...current, messages: mergeMessages(current.messages, [message]), lastTs: laterTs(current.lastTs, ts)}));
    this.#saveRecentSoon();
    const session = this.#session;
    let reply: Reply;
    try {
      // A typed command (`/sendprivaterealm beta carol hi`) goes out as typed; plain text by the conversation's kind.
      if (typed) reply = await this.#main.request(typed.command, typed.args);
      else switch (ref.kind) {
        case 'direct': reply = await this.#main.send(ref.name, text); break;
        case 'group': reply = await this.#main.sendgroup(ref.name, text); break;
        case 'remote-user': reply = await this.#main.sendprivaterealm(ref.realm!, ref.name, text); break;
        case 'remote-group': reply = await this.#main.sendgrouprealm(ref.realm!, ref.name, text); break;
      }
    } catch (error) {
      if (session !== this.#session) return undefined;
      this.#replaceMessage(key, id, {...message, pending: false, failed: true});
      if (error instanceof ConnectionError || error instanceof RequestTimeoutError) {
        this.#setStatus(`Not sent: ${describeConnectionError(error, this.#state.server)}. Ctrl+↑ recalls the line.`, 'error');
      } else if (error instanceof RequestUsageError) {
        this.#setStatus(`Not sent: ${error.message}`, 'error');
      } else {
        throw error;
      }
      return undefined;
    }
    if (session !== this.#session) return reply;
    if (reply.status === 'OK') {
      const numbered = typeof reply.id === 'number' && reply.id > 0 ? reply.id : id;
      this.#replaceMessage(key, id, {...message, id: numbered, pending: false});
    } else {
      this.#replaceMessage(key, id, {...message, pending: false, failed: true});
      if (errorCodeOf(reply) === 'NO_SESSION') await this.#sessionEnded();
      else this.#setStatus(`Not sent to ${titleOf(ref)}: ${reply.message}`, 'error');
    }
    return reply;
  }

  #replaceMessage(key: string, id: number, message: DisplayMessage): void {
    this.#updateConversation(key, (current) => ({
      ...current,
      messages: mergeMessages(current.messages.filter((known) => known.id !== id), [message]),
    }));
  }

  // ---- the input line ------------------------------------------------------------------------------------------

  /** Runs one line of the input: text for the conversation on screen, or a command. */
  async submit(line: string): Promise<void> {
    if (this.#state.screen !== 'main') return;
    const action = parseInput(line);
    switch (action.kind) {
      case 'none': return;
      case 'text': {
        const key = this.#visibleKey();
        const conversation = key ? this.#state.conversations[key] : undefined;
        if (!conversation) {
          this.#setStatus('No conversation selected: pick one with ↑/↓, or start one with /msg USER TEXT', 'error');
          return;
        }
        await this.#sendTo(conversation, action.text);
        return;
      }
      case 'msg': {
        const ref = parseAddress(action.target, this.#state.realm);
        if (!ref) {
          this.#setStatus(`/msg: "${action.target}" is not a user (bob), a remote user (carol@beta) or a group (#devs)`, 'error');
          return;
        }
        this.select(this.#ensureConversation(ref));
        if (action.text !== undefined) await this.#sendTo(ref, action.text);
        return;
      }
      case 'help': this.openHelp(); return;
      case 'quit': this.quit(); return;
      case 'bell': {
        const bell = action.on ?? !this.#state.bell;
        this.#set({bell});
        this.#setStatus(`Bell for direct messages ${bell ? 'on' : 'off'}`, 'ok');
        return;
      }
      case 'usage': this.#setStatus(action.message, 'error'); return;
      case 'unknown': this.#setStatus(`Unknown command /${action.word} (/help lists the commands)`, 'error'); return;
      case 'protocol': await this.#runProtocol(action.command, action.args); return;
    }
  }

  /** A protocol command typed with a slash: sent through ChatClient.request (so built by buildRequest). */
  async #runProtocol(command: string, args: readonly string[]): Promise<void> {
    try {
      buildCommandLine(command, args);
    } catch (error) {
      if (!(error instanceof RequestUsageError)) throw error;
      this.#setStatus(`${error.message.replace(/; usage: .*/, '')}; usage: ${slashUsage(command)}`, 'error');
      return;
    }
    const server = formatServerAddress(this.#server);
    switch (command) {
      case 'auth':
        await this.login({server, username: args[0]!, password: args[1]!});
        return;
      case 'register': {
        const words = args.slice(2);
        await this.register({server, username: args[0]!, password: args[1]!, fullName: words.slice(0, -1).join(' '), country: words.at(-1)!});
        return;
      }
      case 'logout':
        await this.logout();
        return;
      case 'history': {
        const ref = parseAddress(args[0]!, this.#state.realm);
        if (ref) this.select(this.#ensureConversation(ref));
        return;
      }
    }
    const target = this.#sendTarget(command, args);
    if (target) {
      const reply = await this.#sendTo(target, args.at(-1)!, {command, args});
      if (reply?.status === 'OK') this.#setStatus(`${reply.message} (${titleOf(target)})`, 'ok');
      return;
    }
    let reply: Reply;
    const session = this.#session;
    try {
      reply = await this.#main.request(command, args);
    } catch (error) {
      if (error instanceof ConnectionError || error instanceof RequestTimeoutError) {
        this.#setStatus(`/${command}: ${describeConnectionError(error, this.#state.server)}`, 'error');
        return;
      }
      if (error instanceof RequestUsageError) {
        this.#setStatus(error.message, 'error');
        return;
      }
      throw error;
    }
    if (session !== this.#session) return;
    if (reply.status !== 'OK') {
      const code = errorCodeOf(reply);
      if (code === 'NO_SESSION') {
        await this.#sessionEnded();
        return;
      }
      const usage = code === 'MISSING_PARAMETER' || code === 'BAD_PARAMETER' ? `; usage: ${slashUsage(command)}` : '';
      this.#setStatus(`${reply.message}${usage}`, 'error');
      // Joining a group one is already in: open it anyway.
      if (code === 'ALREADY_MEMBER') this.select(this.#ensureConversation({kind: 'group', name: args[0]!.replace(/^group:/, '')}));
      return;
    }
    this.#afterOk(command, args, reply);
  }

  /** The conversation a send command goes to; undefined for other commands (and user lists like `u1,u2`). */
  #sendTarget(command: string, args: readonly string[]): ConversationRef | undefined {
    const realm = this.#state.realm;
    switch (command) {
      case 'send': return parseAddress(args[0]!, realm);
      case 'sendgroup': return parseAddress(`group:${args[0]!.replace(/^group:/, '')}`, realm);
      case 'sendprivaterealm': return parseAddress(`${args[1]!}@${args[0]!}`, realm);
      case 'sendgrouprealm': return args[1]!.includes(',') ? undefined : parseAddress(`group:${args[1]!.replace(/^group:/, '')}@${args[0]!}`, realm);
      default: return undefined;
    }
  }

  /** What an OK reply of a typed command changes on screen. */
  #afterOk(command: string, args: readonly string[], reply: Reply): void {
    switch (command) {
      case 'inbox':
      case 'getrealminbox': {
        const messages = messagesOf(reply);
        this.ingest(messages);
        this.#setStatus(newMessagesSummary(messages.length), 'ok');
        return;
      }
      case 'addgroup':
      case 'joingroup': {
        const name = typeof reply.group === 'string' ? reply.group : args[0]!;
        this.#set((state) => {
          const known = state.groups.find((group) => group.name.toLowerCase() === name.toLowerCase());
          // Until the groups reload: the creator is the only member; a joiner is one more.
          const members = command === 'addgroup' ? 1 : known ? known.members + 1 : 0;
          return {groups: [...state.groups.filter((group) => group !== known), {name, members, member: true}]};
        });
        this.select(this.#ensureConversation({kind: 'group', name}));
        this.#setStatus(reply.message, 'ok');
        void this.#reloadGroups();
        return;
      }
      case 'groups': {
        this.#applyGroups(reply);
        this.#setStatus(groupsSummary(this.#state.groups), 'ok');
        return;
      }
      case 'realms': {
        this.#applyRealms(reply);
        this.#setStatus(realmsSummary(this.#state.realm, this.#state.realmLinks), 'ok');
        return;
      }
      case 'addrealm':
        this.#setStatus(reply.message, 'ok');
        void this.#reloadRealms();
        return;
      case 'info': {
        const profile = userOf(reply);
        if (profile && !this.#state.knownUsers.some((user) => user.toLowerCase() === profile.username.toLowerCase())) {
          this.#set((state) => ({knownUsers: [...state.knownUsers, profile.username]}));
        }
        this.#setStatus(reply.message, 'ok');
        return;
      }
      default:
        this.#setStatus(reply.message, 'ok');
    }
  }

  async #reloadGroups(): Promise<void> {
    const session = this.#session;
    try {
      const reply = await this.#main.groups();
      if (session === this.#session && reply.status === 'OK') this.#applyGroups(reply);
    } catch {
      // Refreshed again after the next reconnect.
    }
  }

  async #reloadRealms(): Promise<void> {
    const session = this.#session;
    try {
      const reply = await this.#main.realms();
      if (session === this.#session && reply.status === 'OK') this.#applyRealms(reply);
    } catch {
      // Refreshed again after the next reconnect.
    }
  }

  #startRealmsTimer(): void {
    if (this.#realmsTimer) return;
    this.#realmsTimer = setInterval(() => {
      if (this.#main.state.state === 'connected') void this.#reloadRealms();
    }, this.#options.realmsRefreshMs ?? 15_000);
    this.#realmsTimer.unref();
  }

  #stopRealmsTimer(): void {
    clearInterval(this.#realmsTimer);
    this.#realmsTimer = undefined;
  }

  // ---- help ----------------------------------------------------------------------------------------------------

  openHelp(): void {
    this.#set({helpOpen: true});
  }

  closeHelp(): void {
    if (!this.#state.helpOpen) return;
    this.#set({helpOpen: false});
    const key = this.#visibleKey();
    if (key) this.#show(key);
  }

  // ---- the remembered conversation list ------------------------------------------------------------------------

  #account(me: string): string {
    return `${formatServerAddress(this.#server)} ${me}`;
  }

  #saveRecentSoon(): void {
    if (!this.#recent || this.#recentTimer) return;
    this.#recentTimer = setTimeout(() => this.#flushRecent(), 1000);
    this.#recentTimer.unref();
  }

  #flushRecent(): void {
    clearTimeout(this.#recentTimer);
    this.#recentTimer = undefined;
    const me = this.#state.me;
    if (!this.#recent || me === undefined || this.#state.screen !== 'main') return;
    const entries: RecentEntry[] = Object.values(this.#state.conversations)
      .filter((conversation) => conversation.kind !== 'group' || conversation.lastTs !== undefined)
      .sort((a, b) => (b.lastTs ?? '').localeCompare(a.lastTs ?? ''))
      .map((conversation) => ({
        kind: conversation.kind, name: conversation.name,
        ...(conversation.realm === undefined ? {} : {realm: conversation.realm}),
        ...(conversation.lastTs === undefined ? {} : {lastTs: conversation.lastTs}),
      }));
    this.#recent.save(this.#account(me), entries);
  }
}

