/** The abuse limits of one daemon, built from its options (no module-level state: two daemons may share a process). */
import type {Clock} from '../clock.js';
import type {Logger} from '../logger.js';
import type {Store} from '../store/types.js';
import {AuthLimiter, type BackoffPolicy} from './auth-limiter.js';
import {HashQueue} from './hash-queue.js';
import {ReplyBudget} from './reply-budget.js';
import {largestFileReplyBytes, type ReplySizeOptions} from './reply-size.js';
import {SendLimiter, type SendLimits} from './send-limiter.js';

/** The sender name a realm's aggregate allowance is kept under (never a valid username). */
export const REALM_SENDER = '*';

export interface Limits {
  /** Back-off of failed logins per username and per source address. */
  readonly auth: AuthLimiter;
  /** The fair queue in front of password hashing. */
  readonly hashing: HashQueue;
  /** What local users may store for others. */
  readonly send: SendLimiter;
  /** What local users may send as files. */
  readonly files: SendLimiter;
  /** What each remote user may store for our users. */
  readonly inbound: SendLimiter;
  /** What each remote user may send our users as files (the local users' file limits, per remote user). */
  readonly inboundFiles: SendLimiter;
  /** What all users of one remote realm together may store (its sender key is `REALM_SENDER`). */
  readonly inboundRealm: SendLimiter;
  /** The daemon-wide budget of queued reply bytes. */
  readonly replies: ReplyBudget;
}

/** The daemon options the limits are built from (documented in DaemonOptions, daemon/context.ts, which has them all). */
export interface LimitOptions extends Pick<ReplySizeOptions, 'maxFileBytes' | 'maxLineBytes'> {
  authUserBackoff: BackoffPolicy;
  authPeerBackoff: BackoffPolicy;
  hashConcurrency: number;
  sendLimits: SendLimits;
  fileLimits: SendLimits;
  realmSendLimits: SendLimits;
  realmLinkLimits: Pick<SendLimits, 'messages' | 'bytes'>;
  maxTotalQueuedBytes: number;
}

export function createLimits(options: LimitOptions, store: Store, clock: Clock, logger: Logger): Limits {
  const unreadBytes = (recipient: string, sender: string, realm: string | null) => store.unreadBytesFrom(recipient, sender, realm);
  return {
    auth: new AuthLimiter(clock, options.authUserBackoff, options.authPeerBackoff),
    hashing: new HashQueue(options.hashConcurrency),
    send: new SendLimiter(options.sendLimits, clock, unreadBytes),
    files: new SendLimiter(options.fileLimits, clock, unreadBytes),
    inbound: new SendLimiter(options.realmSendLimits, clock, unreadBytes),
    inboundFiles: new SendLimiter(options.fileLimits, clock, unreadBytes),
    inboundRealm: new SendLimiter({...options.realmLinkLimits, unreadBytesPerRecipient: Number.POSITIVE_INFINITY}, clock, unreadBytes),
    // Never below one reply with the largest file: one client receiving it is not cut, however small the budget.
    replies: new ReplyBudget(Math.max(options.maxTotalQueuedBytes, largestFileReplyBytes(options)), logger),
  };
}
