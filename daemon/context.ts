/** The types every handler sees: daemon options, injected services, and the per-request context. */
import type {ParsedRequest} from '../common/protocol/request.js';
import type {Reply} from '../common/protocol/replies.js';
import type {BurstLog} from './burst-log.js';
import type {Clock} from './clock.js';
import type {Logger} from './logger.js';
import type {ScryptCost} from './passwords.js';
import type {Store} from './store/types.js';
import type {Session, SessionRegistry} from './sessions.js';
import type {InboxWaiters} from './inbox-waiters.js';
import type {Federation} from './federation-api.js';
import type {BackoffPolicy} from './limits/auth-limiter.js';
import type {Limits} from './limits/index.js';
import type {SendLimits} from './limits/send-limiter.js';

/** Tunables of a daemon. Every limit has a documented default (docs/PROTOCOL.md, "Limits"). */
export interface DaemonOptions {
  /** This daemon's realm name. @default 'alpha' */
  realm: string;
  /** Longest request line in bytes. @default 65536 */
  maxLineBytes: number;
  /** Most messages in one inbox reply. @default 1000 */
  inboxMaxMessages: number;
  /** Stop filling an inbox reply once its message text passes this many bytes. @default 1 MiB */
  inboxMaxBytes: number;
  /** Longest long-poll wait a client may ask for, in seconds (longer asks are capped). @default 60 */
  maxWaitSeconds: number;
  /**
   * Unread reply bytes past which a connection stops answering until its client reads; it is disconnected past this
   * plus one largest reply (daemon/limits/reply-size.ts), so any accepted file can be received. @default 8 MiB
   */
  maxQueuedBytes: number;
  /** A client that reads none of its queued replies for this long is disconnected, in ms. @default 30000 */
  drainTimeoutMs: number;
  /** Requests read ahead per connection before the daemon stops reading from it. @default 256 */
  maxPipelinedRequests: number;
  /** Default and largest page of the history command. @default 50 and 500 */
  historyDefaultLimit: number;
  historyMaxLimit: number;
  /** Stop filling a history page once its message text passes this many bytes. @default 1 MiB */
  historyMaxBytes: number;
  /**
   * Longest a connection answers pipelined requests in one turn before it lets the others run, in ms (it always
   * answers at least one). @default 2
   */
  sliceMs: number;
  /**
   * Most client connections (and inbound realm links) held at once; past it new ones are closed at once and the
   * daemon logs it once per burst. realmchatd sets it from the process's descriptor limit. @default Infinity
   */
  maxConnections: number;
  /** How long a graceful stop waits for in-flight requests, in ms. @default 3000 */
  shutdownGraceMs: number;
  /** scrypt cost for new password verifiers. */
  scryptCost: ScryptCost;
  /** Back-off of failed `auth` per username. @default 5 free failures, then 1 s doubling up to 5 min */
  authUserBackoff: BackoffPolicy;
  /** Back-off of failed `auth` per source address. @default 50 free failures, then 1 s doubling up to 5 min */
  authPeerBackoff: BackoffPolicy;
  /** Password hashes run at once (fairly shared over addresses, then usernames). @default 4 (libuv's pool) */
  hashConcurrency: number;
  /**
   * What one local user may store for others. @default 50 messages/s (burst 200), 1 MiB/s of text (burst 4 MiB),
   * 16 MiB unread per recipient
   */
  sendLimits: SendLimits;
  /** Largest file a file command may carry, in bytes (its line may be as long as the base64 of it). @default 8 MiB */
  maxFileBytes: number;
  /**
   * What one user may send as files: files per second and file bytes per second, with bursts (RATE_LIMITED past
   * them). @default 2 files/s (burst 30), 1 MiB/s (burst 64 MiB). Each remote user sending files to this realm
   * over a link gets the same bounds (refused as RATE_LIMITED, which comes back to its sender).
   */
  fileLimits: SendLimits;
  /** The same bounds for each remote user sending to us through a realm link. @default as sendLimits */
  realmSendLimits: SendLimits;
  /**
   * What all users of one remote realm together may send us (a realm could otherwise spread a flood over many
   * sender names). @default 1000 messages/s (burst 5000), 16 MiB/s of text (burst 64 MiB)
   */
  realmLinkLimits: Pick<SendLimits, 'messages' | 'bytes'>;
  /** Most messages one realm's outbox may hold before sends to it are refused. @default 100000 */
  maxOutboxPerRealm: number;
  /** Groups one user may create. @default 100 */
  maxGroupsPerUser: number;
  /** Default and largest page of the groups command. @default 500 and 5000 */
  groupsDefaultLimit: number;
  groupsMaxLimit: number;
  /** Reply bytes queued over all connections; past it the connections holding the most are cut. @default 256 MiB */
  maxTotalQueuedBytes: number;
}

/** The services shared by every connection of one daemon (no module-level state: two daemons may share a process). */
export interface Services {
  readonly options: DaemonOptions;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sessions: SessionRegistry;
  readonly inboxWaiters: InboxWaiters;
  readonly federation: Federation;
  readonly limits: Limits;
  /** Logs store outages (StoreUnavailableError) once per burst, at warn level: not our bug. */
  readonly storeOutages: BurstLog;
}


/** Declared beside the registry that makes sessions; the router and connections take it from here. */
export type {Session};

/** What a handler gets with each request. */
export interface RequestContext extends Services {
  /** The caller's session; always set for commands that need one. */
  readonly session: Session | undefined;
  /** Binds a session to the connection (after auth/register) or clears it (undefined). */
  bindSession(session: Session | undefined): void;
  /** The client's address (the socket's remote address), for per-address limits. */
  readonly peer: string;
  /** Aborted when the connection closes or the daemon stops: long waits end early. */
  readonly signal: AbortSignal;
}

/** A command handler: does its job and returns the reply. Checks of command, session and arity happened before. */
export type Handler = (request: ParsedRequest, context: RequestContext) => Reply | Promise<Reply>;

/** The session of a request whose command needs one (the router guarantees it). */
export function sessionOf(context: RequestContext): Session {
  if (!context.session) throw new Error('handler for a session command called without a session');
  return context.session;
}
