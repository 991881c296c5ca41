/**
 * The client side of the protocol with no I/O (the h11 / nats.js shape): requests in, bytes out; bytes in, replies
 * matched to their requests out; the session kept from the replies. No sockets, no timers: ChatClient
 * (chat-client.ts) is the socket, the timeouts and the reconnects around it, and tests drive this by feeding bytes.
 *
 * Matching is first-in first-out: the daemon answers a connection's requests strictly in order, so requests may be
 * pipelined. A request given up on (timed out) keeps its place in the queue until its reply comes, then that reply
 * is dropped, so later replies still match.
 */
import {findCommand} from '../protocol/commands.js';
import {ReplyDecoder, type ReplyFrame} from '../protocol/reply-codec.js';
import type {Reply} from '../protocol/replies.js';
import {loginOf} from '../protocol/reply-shapes.js';
import {buildRequestLine} from './request-line.js';

/** The session a client sends with session commands: the token of the last login, and whose it is. */
export interface Credentials {
  readonly token: string;
  /** For display only; undefined when the daemon did not say. */
  readonly username: string | undefined;
}

/** A request checked and turned into its wire line, not sent yet. */
export interface PreparedRequest {
  /** The command's name as the table spells it. */
  readonly command: string;
  /** The bytes to write (CRLF included; the session token inline for session commands). */
  readonly line: string;
}

/** A request written and waiting for its reply. */
export interface Exchange extends PreparedRequest {
  /** Resolves with the matched reply, OK or ERROR; rejects with the error given to `abandon` or `reset`. */
  readonly reply: Promise<Reply>;
  /** Gives up waiting (a timeout): `reply` rejects with `error` now; the reply, when it comes, is dropped. */
  abandon(error: Error): void;
}

/**
 * How far one request has got, for a progress display of a file going out (`sendfile …`) or coming in (`getfile`).
 * A request's events come in order: its `send` phase, then its `receive` phase, each ending with `done`.
 */
export interface RequestProgress {
  /** send: the request line being written; receive: its reply arriving. */
  readonly phase: 'send' | 'receive';
  /** Bytes of the phase so far: of the line, handed to the socket and acknowledged; of the reply, received. */
  readonly bytes: number;
  /**
   * The phase's size in bytes: the line's, known from the start; the reply's only once it is complete (a reply is
   * one JSON object whose length nobody says up front), undefined before.
   */
  readonly total: number | undefined;
  /** The phase is over (bytes === total). */
  readonly done: boolean;
}

/** Told about a request's progress. */
export type ProgressListener = (progress: RequestProgress) => void;

/** Why the daemon's byte stream cannot be trusted any more; the connection should be dropped. */
export class ReplyStreamError extends Error {
  override name = 'ReplyStreamError';

  constructor(
    /** broken: bytes that are not a reply; unasked: a reply with no request waiting for it. */
    readonly kind: 'broken' | 'unasked',
    message: string,
    options?: {cause?: unknown},
  ) {
    super(message, options);
  }
}

/** How long to wait for the reply of `command` with `args`: a long-poll inbox gets its wait on top of `baseMs`. */
export function replyTimeoutMs(command: string, args: readonly (string | number)[], baseMs: number): number {
  if (baseMs <= 0) return 0;
  const wait = command === 'inbox' ? Number(args[0] ?? 0) : 0;
  return baseMs + (Number.isFinite(wait) && wait > 0 ? wait * 1000 : 0);
}

interface Pending {
  readonly command: string;
  readonly resolve: (reply: Reply) => void;
  readonly reject: (error: Error) => void;
  /** Settled already (abandoned): its reply is still awaited, to keep the FIFO matching, then dropped. */
  done: boolean;
  /** Told how much of the reply has come, while it comes. */
  readonly onProgress: ProgressListener | undefined;
}

/** One connection's worth of protocol state: the queue of unanswered requests, the reply decoder, the session. */
export class ClientProtocol {
  readonly #onSession: (session: Credentials | undefined) => void;
  #decoder = new ReplyDecoder();
  #pending: Pending[] = [];
  #session: Credentials | undefined;

  /** `session`: a stored one to start with; `onSession`: told whenever a login, a logout or setSession changes it. */
  constructor(options: {session?: Credentials; onSession?: (session: Credentials | undefined) => void} = {}) {
    this.#session = options.session;
    this.#onSession = options.onSession ?? (() => {});
  }

  /** The kept session, if logged in. */
  get session(): Credentials | undefined {
    return this.#session;
  }

  /** Replaces the kept session (e.g. after reading a stored one); undefined forgets it. */
  setSession(session: Credentials | undefined): void {
    this.#session = session;
    this.#onSession(session);
  }

  /** Requests sent and not yet answered (abandoned ones included until their reply comes). */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Checks a command's arguments and builds its line with the kept token. Throws RequestUsageError. */
  prepare(command: string, args: readonly (string | number)[] = []): PreparedRequest {
    const line = buildRequestLine(command, args, this.#session?.token);
    return {command: findCommand(command)!.name, line};
  }

  /**
   * Queues a prepared request for its reply; the caller writes `line` (in the order of these calls). `onProgress`
   * hears of the reply's bytes as they come (`receive` events; the `send` phase is the writer's to tell).
   */
  send(request: PreparedRequest, onProgress?: ProgressListener): Exchange {
    let entry!: Pending;
    const reply = new Promise<Reply>((resolve, reject) => {
      entry = {command: request.command, resolve, reject, done: false, onProgress};
    });
    this.#pending.push(entry);
    return {
      ...request,
      reply,
      abandon: (error) => {
        if (entry.done) return;
        entry.done = true;
        entry.reject(error);
      },
    };
  }

  /**
   * Feeds bytes from the daemon; settles the requests they answer, in order, and keeps the session of a login or
   * logout. Throws ReplyStreamError for bytes that are not replies or a reply nobody asked for (the replies before
   * it in the same bytes are settled).
   */
  receive(chunk: Uint8Array | string): void {
    let frames: ReplyFrame[];
    try {
      frames = this.#decoder.pushFrames(chunk);
    } catch (error) {
      throw new ReplyStreamError('broken', (error as Error).message, {cause: error});
    }
    for (const {reply, bytes} of frames) {
      const entry = this.#pending.shift();
      if (!entry) throw new ReplyStreamError('unasked', 'a reply nobody asked for');
      this.#noteSession(entry.command, reply);
      if (!entry.done) {
        entry.done = true;
        entry.onProgress?.({phase: 'receive', bytes, total: bytes, done: true});
        entry.resolve(reply);
      }
    }
    // Replies come in order, so the bytes of a reply still incomplete are the next waiting request's.
    const next = this.#pending[0];
    const held = this.#decoder.bufferedBytes;
    if (next?.onProgress && !next.done && held > 0) next.onProgress({phase: 'receive', bytes: held, total: undefined, done: false});
  }

  /** The connection ended: every waiting request rejects with `error`, and the next bytes start a fresh stream. */
  reset(error: Error): void {
    const pending = this.#pending;
    this.#pending = [];
    this.#decoder = new ReplyDecoder();
    for (const entry of pending) {
      if (!entry.done) {
        entry.done = true;
        entry.reject(error);
      }
    }
  }

  #noteSession(command: string, reply: Reply): void {
    if (reply.status !== 'OK') return;
    const login = command === 'auth' || command === 'register' ? loginOf(reply) : undefined;
    if (login) this.setSession({token: login.token, username: login.username});
    else if (command === 'logout') this.setSession(undefined);
  }
}
