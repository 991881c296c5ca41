/** realmchatd's flags for the abuse limits (docs/PROTOCOL.md, "Limits"): their parseArgs spec, help and parsing. */
import type {DaemonOptions} from '../context.js';
import type {SendLimits} from './send-limiter.js';

export const LIMIT_FLAGS = {
  'auth-free-failures': {type: 'string'},
  'auth-peer-free-failures': {type: 'string'},
  'auth-max-backoff': {type: 'string'},
  'send-rate': {type: 'string'},
  'send-bytes-rate': {type: 'string'},
  'max-unread-per-sender': {type: 'string'},
  'max-outbox-per-realm': {type: 'string'},
  'max-groups-per-user': {type: 'string'},
  'reply-budget-mib': {type: 'string'},
} as const;

export const LIMIT_HELP = `  --auth-free-failures N
                       wrong passwords per username before logins back off
                       (1 s, doubling per failure)                (default 5)
  --auth-peer-free-failures N
                       failed logins per client address before it backs off (default 50)
  --auth-max-backoff SECONDS
                       longest login back-off                     (default 300)
  --send-rate N[:BURST]
                       messages per second one user may send      (default 50:200)
  --send-bytes-rate BYTES[:BURST]
                       message text bytes per second one user may send
                                                                  (default 1048576:4194304)
  --max-unread-per-sender BYTES
                       unread text one sender may hold in one recipient's inbox
                                                                  (default 16777216)
                       "off" for any of these three: no send limits, local or from
                       other realms (benchmarks)
  --max-outbox-per-realm N
                       messages queued for one realm before sends to it are refused
                                                                  (default 100000)
  --max-groups-per-user N
                       groups one user may create                 (default 100)
  --reply-budget-mib N
                       reply bytes queued over all connections; past it the
                       connections that read least are cut        (default 256)
`;

type LimitValues = {[K in keyof typeof LIMIT_FLAGS]?: string | undefined};

/** A whole number from `min`. */
function whole(value: string, flag: string, min: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new Error(`--${flag} must be a whole number from ${min}, not "${value}"`);
  return Number(value);
}

/** `RATE[:BURST]` (the burst defaults to four times the rate). */
function rate(value: string, flag: string): {perSecond: number; burst: number} {
  const match = /^(\d+)(?::(\d+))?$/.exec(value);
  const perSecond = Number(match?.[1]);
  const burst = match?.[2] === undefined ? perSecond * 4 : Number(match[2]);
  if (!match || perSecond < 1 || burst < perSecond) throw new Error(`--${flag} must be RATE[:BURST], whole numbers, BURST >= RATE >= 1, not "${value}"`);
  return {perSecond, burst};
}

/** The options these flags set, over `defaults`; throws an Error whose message names the bad flag. */
export function parseLimitFlags(values: LimitValues, defaults: DaemonOptions): Partial<DaemonOptions> {
  const options: Partial<DaemonOptions> = {};
  const maxMs = values['auth-max-backoff'] === undefined ? undefined : whole(values['auth-max-backoff'], 'auth-max-backoff', 1) * 1000;
  const user = values['auth-free-failures'];
  const peer = values['auth-peer-free-failures'];
  if (user !== undefined || maxMs !== undefined) {
    options.authUserBackoff = {...defaults.authUserBackoff, ...(user === undefined ? {} : {freeFailures: whole(user, 'auth-free-failures', 1)}),
      ...(maxMs === undefined ? {} : {maxMs})};
  }
  if (peer !== undefined || maxMs !== undefined) {
    options.authPeerBackoff = {...defaults.authPeerBackoff, ...(peer === undefined ? {} : {freeFailures: whole(peer, 'auth-peer-free-failures', 1)}),
      ...(maxMs === undefined ? {} : {maxMs})};
  }
  const send = [values['send-rate'], values['send-bytes-rate'], values['max-unread-per-sender']];
  if (send.includes('off')) {
    const off = {perSecond: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY};
    options.sendLimits = {messages: off, bytes: off, unreadBytesPerRecipient: Number.POSITIVE_INFINITY};
    // Benchmarks: what remote realms send is not limited either.
    options.realmSendLimits = options.sendLimits;
    options.realmLinkLimits = {messages: off, bytes: off};
    options.fileLimits = options.sendLimits;
  } else if (send.some((value) => value !== undefined)) {
    const limits: SendLimits = {...defaults.sendLimits};
    if (send[0] !== undefined) limits.messages = rate(send[0], 'send-rate');
    if (send[1] !== undefined) limits.bytes = rate(send[1], 'send-bytes-rate');
    if (send[2] !== undefined) limits.unreadBytesPerRecipient = whole(send[2], 'max-unread-per-sender', 1);
    options.sendLimits = limits;
  }
  if (values['max-outbox-per-realm'] !== undefined) options.maxOutboxPerRealm = whole(values['max-outbox-per-realm'], 'max-outbox-per-realm', 1);
  if (values['max-groups-per-user'] !== undefined) options.maxGroupsPerUser = whole(values['max-groups-per-user'], 'max-groups-per-user', 0);
  if (values['reply-budget-mib'] !== undefined) {
    options.maxTotalQueuedBytes = whole(values['reply-budget-mib'], 'reply-budget-mib', 1) * 1024 * 1024;
  }
  return options;
}
