/**
 * ChatClient: the realmchat protocol over one TCP connection, for the shell client, the TUI and the benchmark. The
 * protocol itself (request lines, FIFO reply matching, the kept session) is ClientProtocol (client-protocol.ts),
 * which has no I/O; this class is the socket, the timeouts and the reconnects around it.
 *
 * - Requests are built only by `buildRequest` (common/protocol), the same table the daemon parses them with.
 * - Requests may be pipelined: each is written at once and the daemon answers strictly in order, so replies are
 *   matched to requests first-in first-out.
 * - A daemon ERROR is a normal result: the methods resolve with the Reply whatever its status. They reject only for
 *   bad arguments (RequestUsageError), no reply in time (RequestTimeoutError) or a connection problem
 *   (ConnectionError / ConnectionLostError).
 * - The token of the last successful auth/register is kept and sent inline as the second word of every session
 *   command, so a fresh connection (after a reconnect) needs no new login.
 * - Long poll: `inbox(waitSeconds)` holds the connection's reply queue for up to that long, because the daemon answers
 *   one request at a time. A UI that long-polls should use a second ChatClient for it and keep this one for
 *   everything else.
 */
import {EventEmitter} from 'node:events';
import {connect as connectSocket, type Socket} from 'node:net';
import type {Reply} from '../protocol/replies.js';
import {backoffDelay, type BackoffOptions} from '../util/backoff.js';
import {formatServerAddress, type ServerAddress} from './address.js';
import {
  ClientProtocol, replyTimeoutMs, ReplyStreamError, type Credentials, type PreparedRequest, type ProgressListener, type RequestProgress,
} from './client-protocol.js';
import {ConnectionError, ConnectionLostError, RequestTimeoutError} from './errors.js';
import {followGroupPages, GROUPS_PAGE} from './group-pages.js';
import {followSearchPages} from './search-pages.js';
import {LineWriter} from './line-writer.js';

/** How a ChatClient connects and waits. */
export interface ChatClientOptions extends ServerAddress {
  /** Give up a TCP connect after this long, in ms. @default 5000 */
  connectTimeoutMs?: number;
  /** Reject a request that gets no reply within this long, in ms (0: wait forever). Long polls add their wait. @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Reconnect after the connection fails or drops, with capped exponential backoff. Reconnecting re-sends nothing
   * and logs in to nothing: requests pending at the drop are rejected, later ones carry the kept token.
   * @default false
   */
  reconnect?: boolean | BackoffOptions;
  /** A session token to start with (from a stored session). */
  token?: string;
  /** The username of that token, for display only. */
  username?: string;
}

/** The connection's state, as the 'state' event reports it. */
export type ClientState =
  | {state: 'idle'}
  /** `attempt`: failed attempts since the last good connection (0 for the first try). */
  | {state: 'connecting'; attempt: number}
  | {state: 'connected'}
  /** Waiting `inMs` before the next attempt; `error` says why the last one failed or the connection dropped. */
  | {state: 'reconnecting'; inMs: number; attempt: number; error: ConnectionError}
  /** Final: after close(), or after a failure without reconnect. */
  | {state: 'closed'; error?: ConnectionError};

/** Events of ChatClient. */
export interface ChatClientEvents {
  state: [ClientState];
  /** A login (auth/register) or logout changed the kept session; undefined after logout. */
  session: [Credentials | undefined];
}

/** Options of one request. */
export interface RequestOptions {
  /**
   * Overrides the client's requestTimeoutMs for this request (0: wait forever). Counted from the request's last
   * progress (bytes of its line taken by the socket, bytes of its reply received), not from its start.
   */
  timeoutMs?: number;
  /**
   * Told how far the request has got: its line written (`send`, in chunks of 256 KiB for a long line), then its
   * reply received (`receive`). Nothing after the request settles (a timeout, an early ERROR, a lost connection).
   */
  onProgress?: ProgressListener;
}

export class ChatClient extends EventEmitter<ChatClientEvents> {
  /** `host:port` of the daemon. */
  readonly address: string;
  readonly #server: ServerAddress;
  readonly #connectTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #backoff: BackoffOptions | undefined;
  #state: ClientState = {state: 'idle'};
  #socket: Socket | undefined;
  /** The request lines of #socket, in order. */
  #writer: LineWriter | undefined;
  #connecting: Promise<void> | undefined;
  readonly #protocol: ClientProtocol;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #closedByUser = false;

  constructor(options: ChatClientOptions) {
    super();
    this.#server = {host: options.host, port: options.port};
    this.address = formatServerAddress(this.#server);
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#backoff = options.reconnect === true ? {} : options.reconnect || undefined;
    this.#protocol = new ClientProtocol({
      ...(options.token === undefined ? {} : {session: {token: options.token, username: options.username}}),
      onSession: (session) => this.emit('session', session),
    });
  }

  /** The current connection state. */
  get state(): ClientState {
    return this.#state;
  }

  /** The kept session token, if logged in. */
  get token(): string | undefined {
    return this.#protocol.session?.token;
  }

  /** The username of the kept session, when known. */
  get username(): string | undefined {
    return this.#protocol.session?.username;
  }

  /** Requests written and not yet answered (timed-out ones included until their reply comes). */
  get pendingCount(): number {
    return this.#protocol.pendingCount;
  }

  /** Replaces the kept session (e.g. after reading a stored one); undefined forgets it. */
  setSession(session: Credentials | undefined): void {
    this.#protocol.setSession(session);
  }

  /**
   * Connects; resolves once connected. Rejects with ConnectionError when this attempt fails. With `reconnect`, a
   * failed first attempt still rejects, and the client keeps retrying in the background ('state' events) until
   * close().
   */
  connect(): Promise<void> {
    if (this.#closedByUser) return Promise.reject(new ConnectionError(this.address, 'closed', 'the client was closed'));
    if (this.#state.state === 'connected') return Promise.resolve();
    if (this.#connecting) return this.#connecting;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    return this.#open();
  }

  /** Closes the connection for good; pending requests are rejected with a ConnectionError ('closed'). */
  close(): Promise<void> {
    this.#closedByUser = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const socket = this.#socket;
    if (!socket) {
      if (this.#state.state !== 'closed') this.#setState({state: 'closed'});
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  /**
   * Sends any command of the protocol table with its arguments (the words after the command, message text last)
   * and resolves with the daemon's reply, OK or ERROR.
   */
  request(command: string, args: readonly (string | number)[] = [], options: RequestOptions = {}): Promise<Reply> {
    let request: PreparedRequest;
    try {
      request = this.#protocol.prepare(command, args);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const socket = this.#socket;
    const writer = this.#writer;
    if (!socket || !writer || socket.destroyed || this.#closedByUser) return Promise.reject(this.#offlineError());
    const timeoutMs = options.timeoutMs ?? replyTimeoutMs(request.command, args, this.#requestTimeoutMs);
    const listener = options.onProgress && whileUnsettled(options.onProgress);
    // The timeout counts from the request's last progress, not from its start: an 8 MiB file on a slow link takes
    // longer than any fixed wait, yet a request whose bytes stopped moving still fails after timeoutMs.
    let timer: NodeJS.Timeout | undefined;
    let live = true;
    const arm = () => {
      if (!live || timeoutMs <= 0) return;
      clearTimeout(timer);
      timer = setTimeout(() => exchange.abandon(new RequestTimeoutError(this.address, request.command, timeoutMs)), timeoutMs);
    };
    const onProgress: ProgressListener = (progress) => {
      arm();
      listener?.(progress);
    };
    const exchange = this.#protocol.send(request, onProgress);
    const settled = () => {
      live = false;
      clearTimeout(timer);
      listener?.stop();
    };
    exchange.reply.then(settled, settled);
    arm();
    // While connecting, net.Socket buffers the write until the connection is up.
    // A short line goes out at once: only a listener, or a long line (whose chunks move the timeout), needs to know.
    const watchWrites = listener !== undefined || exchange.line.length > LONG_LINE_CHARS;
    writer.write(exchange.line, watchWrites ? (written, total) => onProgress({phase: 'send', bytes: written, total, done: written === total}) : undefined);
    return exchange.reply;
  }

  /** Logs in; on OK the token is kept for later requests. */
  auth(username: string, password: string): Promise<Reply> {
    return this.request('auth', [username, password]);
  }

  /** Creates an account and logs in. Spaces in the full name or country are sent as `_` (read back as spaces). */
  register(username: string, password: string, fullName: string, country: string): Promise<Reply> {
    return this.request('register', [username, password, fullName.trim().replace(/\s+/g, '_'), country.trim().replace(/\s+/g, '_')]);
  }

  addgroup(group: string): Promise<Reply> {
    return this.request('addgroup', [group]);
  }

  joingroup(group: string): Promise<Reply> {
    return this.request('joingroup', [group]);
  }

  send(username: string, text: string): Promise<Reply> {
    return this.request('send', [username, text]);
  }

  sendgroup(group: string, text: string): Promise<Reply> {
    return this.request('sendgroup', [group, text]);
  }

  /**
   * Reads (and marks read) the unread messages. With `waitSeconds` and nothing unread the daemon waits up to that
   * long (capped by the daemon) for the first message; the request timeout is extended by the wait. The connection
   * answers nothing else meanwhile: long-poll on a second ChatClient.
   */
  inbox(waitSeconds?: number): Promise<Reply> {
    return this.request('inbox', waitSeconds === undefined || waitSeconds <= 0 ? [] : [Math.floor(waitSeconds)]);
  }

  /** Ends the session on the daemon; on OK the kept token is forgotten. */
  logout(): Promise<Reply> {
    return this.request('logout');
  }

  /** A user's profile; one's own without a name. */
  info(username?: string): Promise<Reply> {
    return this.request('info', username === undefined ? [] : [username]);
  }

  /** Links another realm, optionally at a given address. */
  addrealm(realm: string, host?: string, port?: number): Promise<Reply> {
    return this.request('addrealm', host === undefined || port === undefined ? [realm] : [realm, host, port]);
  }

  sendprivaterealm(realm: string, username: string, text: string): Promise<Reply> {
    return this.request('sendprivaterealm', [realm, username, text]);
  }

  /** `group`: a group name, `group:NAME`, or a comma list of usernames `u1,u2`. */
  sendgrouprealm(realm: string, group: string, text: string): Promise<Reply> {
    return this.request('sendgrouprealm', [realm, group, text]);
  }

  getrealminbox(realm: string): Promise<Reply> {
    return this.request('getrealminbox', [realm]);
  }

  /** Every group: follows the daemon's pages (`more`) and answers one reply with the whole list. */
  groups(): Promise<Reply> {
    return followGroupPages((after) => this.request('groups', after === undefined ? [] : [GROUPS_PAGE, after]));
  }

  /** `conversation`: `user`, `group:NAME`, optionally with `@realm`. */
  history(conversation: string, limit?: number, beforeId?: number): Promise<Reply> {
    const args: (string | number)[] = [conversation];
    // before_id is positional after limit, so paging needs a limit: 50 is the daemon's documented default.
    if (limit !== undefined || beforeId !== undefined) args.push(limit ?? 50);
    if (beforeId !== undefined) args.push(beforeId);
    return this.request('history', args);
  }

  realms(): Promise<Reply> {
    return this.request('realms');
  }

  /** The caller's conversations, newest first (read with `conversationsOf`); `before`: the last entry's `last.id`. */
  conversations(limit?: number, before?: number): Promise<Reply> {
    // before is positional after limit: 50 is the daemon's documented default.
    const args: number[] = limit !== undefined || before !== undefined ? [limit ?? 50] : [];
    if (before !== undefined) args.push(before);
    return this.request('conversations', args);
  }

  /** Moves the caller's read marker of `conversation` forward to `messageId` (read the reply with `seenOf`). */
  seen(conversation: string, messageId: number): Promise<Reply> {
    return this.request('seen', [conversation, messageId]);
  }

  /**
   * Searches the caller's messages (read with `searchResultsOf`): every word must occur, the last one also as a
   * prefix. `conversation`: a conversation name, or all of them when absent.
   */
  search(words: readonly string[] | string, options: {conversation?: string; limit?: number; before?: number} = {}): Promise<Reply> {
    const text = (typeof words === 'string' ? words.split(/\s+/) : words).filter((word) => word !== '').join('+');
    const args: (string | number)[] = [text];
    const {conversation, limit, before} = options;
    // The parameters are positional: a later one needs the ones before it (`*`: every conversation; 20: the default).
    if (conversation !== undefined || limit !== undefined || before !== undefined) args.push(conversation ?? '*');
    if (limit !== undefined || before !== undefined) args.push(limit ?? 20);
    if (before !== undefined) args.push(before);
    return this.request('search', args);
  }

  /**
   * A search that goes on where the daemon stopped (a reply's `next_before`: the daemon bounds the work of one
   * request) until it has `limit` results (20 by default) or every message was looked at: one reply with them all
   * (search-pages.ts).
   */
  searchThrough(words: readonly string[] | string, options: {conversation?: string; limit?: number; before?: number} = {}): Promise<Reply> {
    const {conversation} = options;
    return followSearchPages({limit: options.limit ?? 20, before: options.before}, (before, limit) =>
      this.search(words, {...(conversation === undefined ? {} : {conversation}), limit, ...(before === undefined ? {} : {before})}));
  }

  #offlineError(): ConnectionError {
    const state = this.#state;
    const detail = state.state === 'reconnecting' ? ` (reconnecting in ${Math.ceil(state.inMs / 1000)} s)`
      : state.state === 'idle' ? ' (call connect() first)' : '';
    return new ConnectionError(this.address, this.#closedByUser ? 'closed' : 'offline', `not connected to ${this.address}${detail}`);
  }

  #setState(state: ClientState): void {
    this.#state = state;
    this.emit('state', state);
  }

  /** Opens one TCP connection; everything about that socket lives in this closure. */
  #open(): Promise<void> {
    const socket = connectSocket({host: this.#server.host, port: this.#server.port});
    this.#socket = socket;
    this.#writer = new LineWriter(socket);
    this.#setState({state: 'connecting', attempt: this.#attempt});
    let connected = false;
    let failure: ConnectionError | undefined;
    const fail = (error: ConnectionError) => {
      failure ??= error;
      socket.destroy();
    };

    const opened = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new ConnectionError(this.address, 'connect-timeout',
        `could not connect to ${this.address} within ${this.#connectTimeoutMs} ms`)), this.#connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        connected = true;
        this.#attempt = 0;
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000);
        this.#setState({state: 'connected'});
        resolve();
      });
      socket.on('data', (chunk: Buffer) => {
        if (this.#socket !== socket) return;
        try {
          this.#protocol.receive(chunk);
        } catch (error) {
          if (!(error instanceof ReplyStreamError)) throw error;
          fail(new ConnectionLostError(this.address, error.kind === 'broken'
            ? `broken reply stream from ${this.address}: ${error.message}`
            : `${this.address} sent a reply nobody asked for`, {cause: error.cause}));
        }
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        failure ??= connected
          ? new ConnectionLostError(this.address, `connection to ${this.address} lost: ${error.message}`, {cause: error})
          : connectFailure(this.address, error);
      });
      socket.once('close', () => {
        clearTimeout(timer);
        const error = this.#closedByUser
          ? new ConnectionError(this.address, 'closed', `connection to ${this.address} closed`)
          : failure ?? (connected
            ? new ConnectionLostError(this.address, `connection to ${this.address} lost: the daemon closed it`)
            : new ConnectionError(this.address, 'connect', `cannot connect to ${this.address}`));
        if (!connected) reject(error);
        this.#onClosed(socket, error);
      });
    });
    this.#connecting = opened;
    const settle = () => {
      if (this.#connecting === opened) this.#connecting = undefined;
    };
    opened.then(settle, settle);
    return opened;
  }

  #onClosed(socket: Socket, error: ConnectionError): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    this.#writer = undefined;
    this.#protocol.reset(error);
    if (this.#closedByUser || !this.#backoff) {
      this.#setState(this.#closedByUser ? {state: 'closed'} : {state: 'closed', error});
      return;
    }
    const inMs = backoffDelay(this.#attempt, this.#backoff);
    this.#attempt++;
    this.#setState({state: 'reconnecting', inMs, attempt: this.#attempt, error});
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      // A failed attempt schedules the next one through #onClosed; nobody awaits this promise.
      this.#open().catch(() => {});
    }, inMs);
  }
}

/** `listener`, silenced by `stop()`: the line of a request answered early (an ERROR) may still be going out. */
/** A request line longer than this is written in chunks whose progress restarts its timeout. */
const LONG_LINE_CHARS = 64 * 1024;

function whileUnsettled(listener: ProgressListener): ProgressListener & {stop(): void} {
  let live = true;
  return Object.assign((progress: RequestProgress) => {
    if (live) listener(progress);
  }, {stop: () => void (live = false)});
}

/** A failed TCP connect, its reason in plain words. */
function connectFailure(address: string, error: NodeJS.ErrnoException): ConnectionError {
  const reason = describeSystemError(error);
  return new ConnectionError(address, 'connect', `cannot connect to ${address}: ${reason}`, {cause: error, reason});
}

/** "connection refused" rather than "connect ECONNREFUSED 127.0.0.1:8889". */
function describeSystemError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED': return 'connection refused';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'unknown host';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'host unreachable';
    case 'ETIMEDOUT': return 'timed out';
    default: return error.message;
  }
}
