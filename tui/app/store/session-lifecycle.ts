/**
 * The session's lifecycle: going straight in with a stored session, logging in or registering (the login screen,
 * `/auth`, `/register`), entering and leaving the main screen, logging out, the daemon forgetting the session,
 * quitting and closing. Moves the session epoch on whenever the session changes (so late replies of an old session
 * are dropped) and runs the long-poll loop of the logged-in session.
 *
 * Announces what happened rather than calling up: `entered` (the main screen of a new session is set up), `left`
 * (the session's work ended) and `messages` (the long poll brought messages). ChatStore wires them.
 */
import {EventEmitter} from 'node:events';
import type {ChatClient} from '../../../common/client/chat-client.js';
import {formatServerAddress, parseServerAddress} from '../../../common/client/address.js';
import {errorCodeOf, type Reply} from '../../../common/protocol/replies.js';
import {explainRefusal} from '../../shared/refusals.js';
import {loginOf, type ChatMessage} from '../../../common/protocol/reply-shapes.js';
import {RequestUsageError} from '../../../common/protocol/request.js';
import type {SessionConfig} from '../../shared/config.js';
import type {Connections} from './connections.js';
import {InboxPoller} from './inbox-poller.js';
import {describeConnectionError, isConnectionProblem, withoutUsage} from './request-errors.js';
import type {Selection} from './selection.js';
import type {SessionEpoch} from './session-epoch.js';
import {EMPTY_SELECTION, type StoreState} from './store-state.js';
import type {LoginForm, LoginView, RegisterForm} from './types.js';

/** What SessionLifecycle announces. */
export interface SessionEvents {
  /** The main screen of a new session is set up (and its connection asked to connect when it is not). */
  entered: [];
  /** The session's work ended: its late replies are dropped. */
  left: [];
  /** The long poll brought messages (already marked read on the daemon). */
  messages: [ChatMessage[]];
}

/** Login, logout and the life of one logged-in session. */
export class SessionLifecycle extends EventEmitter<SessionEvents> {
  #poller: InboxPoller | undefined;
  #closed = false;

  constructor(
    private readonly state: StoreState,
    private readonly connections: Connections,
    private readonly epoch: SessionEpoch,
    private readonly selection: Selection,
    private readonly config: SessionConfig,
    /** Seconds each long-poll inbox waits. */
    private readonly pollSeconds: number,
  ) {
    super();
  }

  /** Goes straight in with a stored session for this daemon, else shows the login screen (and connects). */
  start(): void {
    const {config, connections} = this;
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
    this.state.setLogin({mode, error: undefined});
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
    const state = this.state.current;
    if (state.screen !== 'main') return;
    const me = state.me ?? '?';
    await this.#dropSession(`The daemon at ${state.server} no longer knows the session of ${me} (it was logged out or the daemon was reset). Log in again.`);
  }

  /** Ends the session on the daemon and shows the login screen. */
  async logout(): Promise<void> {
    try {
      await this.connections.main.logout();
    } catch {
      // Offline: the stored token is forgotten all the same.
    }
    await this.#dropSession('Logged out.');
  }

  /** Asks the app to quit. */
  quit(): void {
    this.state.set({quit: true});
  }

  /** Stops everything: poll loop, timers, connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const poller = this.#windDown();
    void poller?.stop();
    await this.connections.close();
  }

  async #authenticate(form: LoginForm, send: (client: ChatClient) => Promise<Reply>): Promise<boolean> {
    const {state, connections} = this;
    if (state.current.login.busy) return false;
    const fromMain = state.current.screen === 'main';
    const fail = (text: string, field?: LoginView['errorField']) => {
      if (state.current.screen === 'main') state.setStatus(text, 'error');
      else state.setLogin({error: text, busy: false, errorField: field});
      return false;
    };
    const server = parseServerAddress(form.server);
    if (!server) return fail(`the server must be HOST:PORT (e.g. 127.0.0.1:8889), not "${form.server.trim()}"`, 'server');
    if (form.username.trim() === '' || form.password === '') return fail('type a username and a password', form.username.trim() === '' ? 'username' : 'password');
    const details = form as Partial<RegisterForm>;
    if (details.fullName?.trim() === '' || details.country?.trim() === '') return fail('type a full name and a country');
    if (fromMain) await this.#leaveMain(undefined);
    state.setLogin({busy: true, error: undefined, errorField: undefined, notice: undefined, server: formatServerAddress(server), username: form.username.trim()});
    await connections.useServer(server);
    let reply: Reply;
    try {
      await connections.main.connect();
      reply = await send(connections.main);
    } catch (error) {
      state.setLogin({busy: false});
      if (isConnectionProblem(error)) return fail(describeConnectionError(error, formatServerAddress(server)), 'server');
      if (error instanceof RequestUsageError) return fail(withoutUsage(error.message), /username/.test(error.message) ? 'username' : undefined);
      throw error;
    }
    const login = loginOf(reply);
    if (!login) {
      state.setLogin({busy: false});
      const code = errorCodeOf(reply);
      return fail(explainRefusal(reply), code === 'AUTH_WRONG_PASSWORD' ? 'password' : code === 'USER_EXISTS' || code === 'AUTH_UNKNOWN_USER' ? 'username' : undefined);
    }
    const username = login.username ?? form.username.trim();
    const realm = login.realm;
    // Stored exactly as the one-shot `realmchat auth` stores it.
    this.config.saveSession({server, username, token: login.token, ...(realm === undefined ? {} : {realm})});
    connections.poll.setSession({token: login.token, username});
    state.setLogin({busy: false, error: undefined, notice: undefined});
    this.#enterMain(username, realm);
    return true;
  }

  /**
   * The main screen for a new session: the poll loop and the catch-up, which reads the conversation list from the
   * daemon (the client keeps no list of its own).
   */
  #enterMain(me: string, realm: string | undefined): void {
    const {state, connections} = this;
    this.epoch.next();
    state.set({
      screen: 'main', me, realm, tab: 'inbox', conversations: {}, moreConversations: false, search: undefined,
      selected: EMPTY_SELECTION, knownUsers: [me], groups: [], realmLinks: [], helpOpen: false,
      status: {text: 'Press F1 or ? for help', tone: 'info'},
    });
    this.#poller = new InboxPoller(connections.poll, {
      waitSeconds: this.pollSeconds,
      onMessages: (received) => this.emit('messages', received),
      onSessionEnded: () => void this.ended(),
      onProblem: (text) => state.setStatus(text, 'error'),
    });
    this.#poller.start();
    if (connections.main.state.state !== 'connected') connections.connectInBackground();
    this.emit('entered');
  }

  /** Back to the login screen: stops the poll loop, forgets the conversations of the session. */
  async #leaveMain(notice: string | undefined): Promise<void> {
    const poller = this.#windDown();
    const me = this.state.current.me;
    this.state.set((state) => ({
      screen: 'login', me: undefined, realm: undefined, conversations: {}, moreConversations: false, search: undefined,
      selected: EMPTY_SELECTION, groups: [],
      realmLinks: [], helpOpen: false, status: undefined,
      login: {...state.login, mode: 'login', username: me ?? state.login.username, server: state.server, notice, error: undefined, busy: false},
    }));
    if (poller) {
      void poller.stop();
      await this.connections.renewPoll();
    }
  }

  /** Forgets the session everywhere (config and both clients) and shows the login screen with `notice`. */
  async #dropSession(notice: string): Promise<void> {
    this.config.clearToken();
    this.connections.setSession(undefined);
    await this.#leaveMain(notice);
  }

  /**
   * Ends the work of the current session: late replies are dropped from now on, and `left` is announced (the Realms
   * refresh stops, what the parts kept of the session goes). Returns the poll loop, for the caller to stop.
   */
  #windDown(): InboxPoller | undefined {
    this.epoch.next();
    this.emit('left');
    const poller = this.#poller;
    this.#poller = undefined;
    return poller;
  }
}
