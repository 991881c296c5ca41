/** Issue 12, point 5: the hint for an unreachable daemon fits the failure and names the right port (pure). */
import {describe, expect, it} from 'vitest';
import {ConnectionError} from '../../common/client/errors.js';
import {unreachableText} from '../../tui/shell/execute.js';
import {closeCommands} from '../../tui/shell/unknown-command.js';

const failure = (kind: 'connect' | 'connect-timeout', code: string | undefined, reason: string) =>
  new ConnectionError('x:1', kind, `cannot connect: ${reason}`, {cause: code === undefined ? undefined : Object.assign(new Error(reason), {code}), reason});

describe('unreachable daemon', () => {
  it('says a host name does not resolve, without the start-the-daemon hint', () => {
    const text = unreachableText(failure('connect', 'ENOTFOUND', 'host not found'), {host: 'nosuchhost.invalid', port: 25001});
    expect(text).toContain('the host name "nosuchhost.invalid" does not resolve');
    expect(text).not.toContain('npm start');
  });

  it('asks whether the daemon runs for a refused connection, with the port it was asked on', () => {
    const text = unreachableText(failure('connect', 'ECONNREFUSED', 'connection refused'), {host: '127.0.0.1', port: 25001});
    expect(text).toContain('connection refused');
    expect(text).toContain('npm start -- --port 25001, or realmchatd --port 25001');
    expect(unreachableText(failure('connect', 'ECONNREFUSED', 'connection refused'), {host: '127.0.0.1', port: 8889})).toContain('npm start (or realmchatd)');
  });

  it('suspects the network for a timeout', () => {
    const text = unreachableText(failure('connect-timeout', undefined, 'timed out'), {host: '10.0.0.1', port: 8889});
    expect(text).toContain('no answer to the connection attempt');
    expect(text).toContain('firewall');
    expect(text).not.toContain('npm start');
  });

  it('finds the close commands of a typo', () => {
    expect(closeCommands('sned', ['send', 'sendgroup', 'inbox'])).toEqual(['send']);
    expect(closeCommands('frobnicate', ['send', 'inbox'])).toEqual([]);
    expect(closeCommands('join', ['joingroup', 'info'])[0]).toBe('joingroup');
  });
});
