/** realmchatd's limit flags: parsed into options over the defaults, refused with a message naming the flag. */
import {describe, expect, it} from 'vitest';
import {DEFAULT_OPTIONS} from '../../daemon/daemon.js';
import {parseLimitFlags} from '../../daemon/limits/cli-flags.js';

describe('limit flags', () => {
  it('sets only what is given, over the defaults', () => {
    expect(parseLimitFlags({}, DEFAULT_OPTIONS)).toEqual({});
    expect(parseLimitFlags({'send-rate': '10', 'auth-free-failures': '3', 'auth-max-backoff': '60', 'reply-budget-mib': '64'}, DEFAULT_OPTIONS))
      .toEqual({
        sendLimits: {...DEFAULT_OPTIONS.sendLimits, messages: {perSecond: 10, burst: 40}},
        authUserBackoff: {freeFailures: 3, baseMs: 1000, maxMs: 60_000},
        authPeerBackoff: {...DEFAULT_OPTIONS.authPeerBackoff, maxMs: 60_000},
        maxTotalQueuedBytes: 64 * 1024 * 1024,
      });
    expect(parseLimitFlags({'send-bytes-rate': '100:500', 'max-groups-per-user': '0'}, DEFAULT_OPTIONS))
      .toMatchObject({sendLimits: {bytes: {perSecond: 100, burst: 500}}, maxGroupsPerUser: 0});
  });

  it('switches the send limits, local and from other realms, off with "off"', () => {
    const off = {perSecond: Infinity, burst: Infinity};
    const options = parseLimitFlags({'send-rate': 'off'}, DEFAULT_OPTIONS);
    expect(options.sendLimits).toEqual({messages: off, bytes: off, unreadBytesPerRecipient: Infinity});
    expect(options.realmSendLimits).toEqual(options.sendLimits);
    expect(options.realmLinkLimits).toEqual({messages: off, bytes: off});
  });

  it('refuses malformed values, naming the flag', () => {
    for (const [flag, value] of [['send-rate', '10:5'], ['send-rate', '0'], ['send-bytes-rate', 'x'], ['auth-free-failures', '0'],
      ['max-unread-per-sender', '-1'], ['reply-budget-mib', '1.5'], ['max-outbox-per-realm', '']] as const) {
      expect(() => parseLimitFlags({[flag]: value}, DEFAULT_OPTIONS), `${flag} ${value}`).toThrow(`--${flag}`);
    }
  });
});
