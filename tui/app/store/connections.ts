/**
 * The two connections to the daemon and their bookkeeping: `main` for everything the user does, `poll` for the
 * long-poll inbox loop. Both reconnect by themselves with capped backoff; this module turns their states into the
 * status bar's ConnectionView (counting down to the next attempt) and announces `up` whenever `main` connects (the
 * store then catches up, when logged in).
 */
import {EventEmitter} from 'node:events';
import {ChatClient, type ChatClientOptions, type ClientState} from '../../../common/client/chat-client.js';
import type {Credentials} from '../../../common/client/client-protocol.js';
import {formatServerAddress, type ServerAddress} from '../../../common/client/address.js';
import type {BackoffOptions} from '../../../common/util/backoff.js';
import type {StoreState} from './store-state.js';
import type {ConnectionView} from './types.js';

const DEFAULT_BACKOFF: BackoffOptions = {initialDelayMs: 500, maxDelayMs: 15_000};

/** How the clients connect and wait. */
export interface ConnectionOptions {
  /** Reconnect spacing of both connections. @default 0.5 s doubling up to 15 s */
  readonly backoff?: BackoffOptions | undefined;
  /** @default ChatClient's */
  readonly connectTimeoutMs?: number | undefined;
  /** @default ChatClient's */
  readonly requestTimeoutMs?: number | undefined;
  /** The clock (epoch ms), for the countdown to the next attempt. */
  readonly now: () => number;
}

/** What Connections announces. */
export interface ConnectionEvents {
  /** The `main` connection is up (again). */
  up: [];
}

/** The `main` and `poll` ChatClients of one daemon, replaced when the user switches daemons. */
export class Connections extends EventEmitter<ConnectionEvents> {
  readonly #state: StoreState;
  readonly #options: ConnectionOptions;
  #server: ServerAddress;
  #main!: ChatClient;
  #poll!: ChatClient;
  readonly #retryAt = new Map<ChatClient, number>();

  /** Creates (but does not connect) both clients for `server`, without a session. */
  constructor(state: StoreState, server: ServerAddress, options: ConnectionOptions) {
    super();
    this.#state = state;
    this.#options = options;
    this.#server = server;
    this.#createClients(server, undefined);
  }

  /** The daemon the clients talk to. */
  get server(): ServerAddress {
    return this.#server;
  }

  /** The connection for everything the user does. */
  get main(): ChatClient {
    return this.#main;
  }

  /** The connection of the long-poll inbox loop. */
  get poll(): ChatClient {
    return this.#poll;
  }

  /** Gives both clients a session (undefined: none). */
  setSession(session: Credentials | undefined): void {
    this.#main.setSession(session);
    this.#poll.setSession(session);
  }

  /** Starts connecting `main` without waiting (it keeps retrying by itself once it tried). */
  connectInBackground(): void {
    this.#main.connect().catch(() => {});
  }

  /** Switches to another daemon: new connections, no session (nothing when it is the same daemon). */
  async useServer(server: ServerAddress): Promise<void> {
    if (formatServerAddress(server) === formatServerAddress(this.#server)) return;
    const old = [this.#main, this.#poll];
    this.#createClients(server, undefined);
    this.#state.set({server: formatServerAddress(server), connection: {kind: 'connecting'}});
    await Promise.all(old.map((client) => client.close()));
  }

  /**
   * Replaces the poll connection with a fresh one without a session and closes the old one (a long poll may be
   * waiting on the daemon: a new connection is quicker than waiting for it to answer).
   */
  async renewPoll(): Promise<void> {
    const old = this.#poll;
    this.#poll = this.#watch(new ChatClient(this.#clientOptions(this.#server, undefined)));
    await old.close();
  }

  /** Closes both connections. */
  async close(): Promise<void> {
    await Promise.all([this.#main.close(), this.#poll.close()]);
  }

  #clientOptions(server: ServerAddress, session: Credentials | undefined): ChatClientOptions {
    const options = this.#options;
    return {
      ...server,
      reconnect: options.backoff ?? DEFAULT_BACKOFF,
      ...(options.connectTimeoutMs === undefined ? {} : {connectTimeoutMs: options.connectTimeoutMs}),
      ...(options.requestTimeoutMs === undefined ? {} : {requestTimeoutMs: options.requestTimeoutMs}),
      ...(session ? {token: session.token, username: session.username} : {}),
    };
  }

  #createClients(server: ServerAddress, session: Credentials | undefined): void {
    this.#server = server;
    this.#main = this.#watch(new ChatClient(this.#clientOptions(server, session)));
    this.#poll = this.#watch(new ChatClient(this.#clientOptions(server, session)));
  }

  /** Follows a client's connection state (events of clients no longer in use are ignored). */
  #watch(client: ChatClient): ChatClient {
    client.on('state', (state) => this.#onClientState(client, state));
    return client;
  }

  #onClientState(client: ChatClient, state: ClientState): void {
    if (client !== this.#main && client !== this.#poll) return;
    if (state.state === 'reconnecting') this.#retryAt.set(client, this.#options.now() + state.inMs);
    this.#state.set({connection: this.#view()});
    if (client === this.#main && state.state === 'connected') this.emit('up');
  }

  /** The connection as the status bar shows it. */
  #view(): ConnectionView {
    const now = this.#options.now;
    const views = [this.#main, this.#poll].map((client): ConnectionView => {
      const state = client.state;
      switch (state.state) {
        case 'connected': return {kind: 'connected'};
        case 'connecting': case 'idle': return {kind: 'connecting'};
        case 'reconnecting': return {kind: 'reconnecting', retryAt: this.#retryAt.get(client) ?? now() + state.inMs, reason: state.error.message};
        case 'closed': return state.error ? {kind: 'offline', reason: state.error.message} : {kind: 'offline'};
      }
    });
    // The poll connection is opened only once logged in; before that the main one tells.
    const [main, poll] = views as [ConnectionView, ConnectionView];
    if (main.kind !== 'connected') return main;
    if (this.#state.current.screen === 'main' && this.#poll.state.state !== 'idle' && poll.kind !== 'connected') return poll;
    return main;
  }
}
