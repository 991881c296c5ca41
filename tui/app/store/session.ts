/**
 * The session's lifecycle: going straight in with a stored session, logging in or registering (the login screen,
 * `/auth`, `/register`), entering and leaving the main screen, logging out, the daemon forgetting the session,
 * quitting and closing. Owns the session generation (bumped whenever the session changes, so late replies of an
 * old session are dropped) and the long-poll loop of the logged-in session.
 */
import type {ChatClient} from '../../../common/client/chat-client.js';
import {formatServerAddress, parseServerAddress} from '../../../common/client/address.js';
import type {Reply} from '../../../common/protocol/replies.js';
import {loginOf} from '../../../common/protocol/reply-shapes.js';
import {RequestUsageError} from '../../../common/protocol/request.js';
import type {SessionConfig} from '../../shared/config.js';
import type {LoginForm, RegisterForm} from './chat-store.js';
import {InboxPoller} from './inbox-poller.js';
import {describeConnectionError, isConnectionProblem, withoutUsage} from './request-errors.js';
import type {StoreContext} from './store-context.js';
import {EMPTY_SELECTION} from './store-state.js';
import type {LoginView} from './types.js';

/** Login, logout and the life of one logged-in session. */
export class Session {
  readonly #ctx: StoreContext;
  readonly #config: SessionConfig;
  #generation = 0;
  #poller: InboxPoller | undefined;
  #closed = false;

  constructor(ctx: StoreContext, config: SessionConfig) {
    this.#ctx = ctx;
    this.#config = config;
  }

  /**
   * The current session's number. A request remembers it when sent and drops its reply when it has changed since
   * (the user logged out or in as someone else meanwhile).
   */
  get generation(): number {
    return this.#generation;
  }

  /** Goes straight in with a stored session for this daemon, else shows the login screen (and connects). */
  start(): void {
    const config = this.#config;
    const {connections} = this.#ctx;
    const sameServer = config.server !== undefined && formatServerAddress(config.server) === formatServerAddress(connections.server);
    if (sameServer && config.token !== undefined && config.username !== undefined) {
      connections.setSession({token: config.token, username: config.username});
      this.#enterMain(config.username, config.realm);
    } else {
      connections.connectInBackground();
    }
  }

  /** Switches the login screen between logging in and registering. */
  setLoginMode(mode: LoginView['mode']): void {
    this.#ctx.state.setLogin({mode, error: undefined});
  }

  /** Logs in from the login screen (or `/auth`); resolves true once on the main screen. */
  login(form: LoginForm): Promise<boolean> {
    return this.#authenticate(form, (client) => client.auth(form.username.trim(), form.password));
  }

  /** Creates an account and logs in (or `/register`); resolves true once on the main screen. */
  register(form: RegisterForm): Promise<boolean> {
    return this.#authenticate(form, (client) => client.register(form.username.trim(), form.password, form.fullName, form.country));
  }

  /** The daemon no longer knows the session: forgets the stored token and shows the login screen saying so. */
  async ended(): Promise<void> {
    const state = this.#ctx.state.current;
    if (state.screen !== 'main') return;
    const me = state.me ?? '?';
    await this.#dropSession(`The daemon at ${state.server} no longer knows the session of ${me} (it was logged out or the daemon was reset). Log in again.`);
  }

  /** Ends the session on the daemon and shows the login screen. */
  async logout(): Promise<void> {
    try {
      await this.#ctx.connections.main.logout();
    } catch {
      // Offline: the stored token is forgotten all the same.
    }
    await this.#dropSession('Logged out.');
  }

  /** Asks the app to quit. */
  quit(): void {
    this.#ctx.state.set({quit: true});
  }

  /** Stops everything: poll loop, timers, connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const poller = this.#windDown();
    void poller?.stop();
    await this.#ctx.connections.close();
  }

  async #authenticate(form: LoginForm, send: (client: ChatClient) => Promise<Reply>): Promise<boolean> {
    const {state, connections} = this.#ctx;
    if (state.current.login.busy) return false;
    const fromMain = state.current.screen === 'main';
    const fail = (text: string) => {
      if (state.current.screen === 'main') state.setStatus(text, 'error');
      else state.setLogin({error: text, busy: false});
      return false;
    };
    const server = parseServerAddress(form.server);
    if (!server) return fail(`the server must be HOST:PORT (e.g. 127.0.0.1:8889), not "${form.server.trim()}"`);
    if (form.username.trim() === '' || form.password === '') return fail('type a username and a password');
    const details = form as Partial<RegisterForm>;
    if (details.fullName?.trim() === '' || details.country?.trim() === '') return fail('type a full name and a country');
    if (fromMain) await this.#leaveMain(undefined);
    state.setLogin({busy: true, error: undefined, server: formatServerAddress(server), username: form.username.trim()});
    await connections.useServer(server);
    let reply: Reply;
    try {
      await connections.main.connect();
      reply = await send(connections.main);
    } catch (error) {
      state.setLogin({busy: false});
      if (isConnectionProblem(error)) return fail(describeConnectionError(error, formatServerAddress(server)));
      if (error instanceof RequestUsageError) return fail(withoutUsage(error.message));
      throw error;
    }
    const login = loginOf(reply);
    if (!login) {
      state.setLogin({busy: false});
      return fail(reply.message);
    }
    const username = login.username ?? form.username.trim();
    const realm = login.realm;
    // Stored exactly as the one-shot `realmchat auth` stores it.
    this.#config.saveSession({server, username, token: login.token, ...(realm === undefined ? {} : {realm})});
    connections.poll.setSession({token: login.token, username});
    state.setLogin({busy: false, error: undefined, notice: undefined});
    this.#enterMain(username, realm);
    return true;
  }

  /** The main screen for a new session: the remembered conversation list, the poll loop, the catch-up. */
  #enterMain(me: string, realm: string | undefined): void {
    const {state, recent, selection, connections, messages, sync, options} = this.#ctx;
    this.#generation++;
    const {conversations, knownUsers} = recent.restore(me);
    state.set({
      screen: 'main', me, realm, tab: 'inbox', conversations, selected: EMPTY_SELECTION, knownUsers,
      groups: [], realmLinks: [], helpOpen: false, status: {text: 'Press F1 or ? for help', tone: 'info'},
    });
    selection.selectFirstIfNone('inbox');
    this.#poller = new InboxPoller(connections.poll, {
      waitSeconds: options.pollSeconds ?? 25,
      onMessages: (received) => messages.ingest(received),
      onSessionEnded: () => void this.ended(),
      onProblem: (text) => state.setStatus(text, 'error'),
    });
    this.#poller.start();
    if (connections.main.state.state === 'connected') void sync.refresh();
    else connections.connectInBackground();
  }

  /** Back to the login screen: stops the poll loop, forgets the conversations of the session. */
  async #leaveMain(notice: string | undefined): Promise<void> {
    const poller = this.#windDown();
    const me = this.#ctx.state.current.me;
    this.#ctx.state.set((state) => ({
      screen: 'login', me: undefined, realm: undefined, conversations: {}, selected: EMPTY_SELECTION, groups: [],
      realmLinks: [], helpOpen: false, status: undefined,
      login: {...state.login, mode: 'login', username: me ?? state.login.username, server: state.server, notice, error: undefined, busy: false},
    }));
    if (poller) {
      void poller.stop();
      await this.#ctx.connections.renewPoll();
    }
  }

  /** Forgets the session everywhere (config and both clients) and shows the login screen with `notice`. */
  async #dropSession(notice: string): Promise<void> {
    this.#config.clearToken();
    this.#ctx.connections.setSession(undefined);
    await this.#leaveMain(notice);
  }

  /**
   * Ends the work of the current session: late replies are dropped from now on, the conversation list is saved and
   * the Realms refresh stops. Returns the poll loop, for the caller to stop.
   */
  #windDown(): InboxPoller | undefined {
    this.#generation++;
    this.#ctx.recent.flush();
    this.#ctx.sync.stopRealmsTimer();
    const poller = this.#poller;
    this.#poller = undefined;
    return poller;
  }
}
