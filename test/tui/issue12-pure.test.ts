/** Issue 12, the pure parts: mentions, desktop notification sequences, 12-hour times, settings, refusals, mouse reports. */
import {describe, expect, it} from 'vitest';
import {clockTime, historyLines} from '../../tui/app/format/history-lines.js';
import {parseMouse} from '../../tui/app/input/key-chunks.js';
import {notificationSequence, notificationStyle} from '../../tui/app/notifications.js';
import {mentions} from '../../tui/app/store/mentions.js';
import {explainRefusal} from '../../tui/shared/refusals.js';
import {parseSetting, withDefaults} from '../../tui/shared/settings.js';
import {withGroupsSpelled} from '../../common/client/request-line.js';
import {findCommand} from '../../common/protocol/commands.js';

describe('issue 12, pure parts', () => {
  it('finds mentions as whole words: alice, @alice, alice:, in any case', () => {
    for (const text of ['alice', '@alice can you look', 'ALICE: ping', 'hey alice, ok?', 'ask @Alice.']) expect(mentions(text, 'alice'), text).toBe(true);
    for (const text of ['malice', 'alice_b', 'alicea', 'palice:']) expect(mentions(text, 'alice'), text).toBe(false);
    expect(mentions('a.b?', 'a.b')).toBe(true);
    expect(mentions('axb', 'a.b')).toBe(false);
  });

  it('marks the group lines that name us, never our own or direct ones', () => {
    const at = '2026-01-01T10:00:00.000Z';
    const lines = historyLines([
      {id: 1, from: 'bob', to: 'devs', group: 'devs', text: 'alice: look', ts: at},
      {id: 2, from: 'bob', to: 'devs', group: 'devs', text: 'nothing here', ts: at},
      {id: 3, from: 'alice', to: 'devs', group: 'devs', text: 'alice here', ts: at},
    ], {width: 60, me: 'alice', realm: 'alpha'});
    expect(lines.filter((line) => line.kind === 'first').map((line) => line.mention === true)).toEqual([true, false, false]);
  });

  it('writes OSC 777 or OSC 9 as the terminal understands, with nothing that could end the sequence early', () => {
    const notification = {title: 'bob in #devs', body: 'hi;\u0007\u001B]0;evil\u0007 there'};
    expect(notificationSequence(notification, 'osc777')).toBe('\u001B]777;notify;bob in #devs;hi,  ]0,evil  there\u0007');
    expect(notificationSequence(notification, 'osc9')).toBe('\u001B]9;bob in #devs: hi;  ]0;evil  there\u0007');
    expect(notificationSequence(notification, 'none')).toBeUndefined();
    expect(notificationStyle({TERM_PROGRAM: 'iTerm.app'})).toBe('osc9');
    expect(notificationStyle({VTE_VERSION: '7200'})).toBe('osc777');
    expect(notificationStyle({TERM: 'xterm-256color'})).toBe('none');
    expect(notificationStyle({TERM: 'xterm-256color', REALMCHAT_NOTIFY: 'osc9'})).toBe('osc9');
  });

  it('shows times in 24-hour or 12-hour form', () => {
    const date = new Date(2026, 0, 1, 21, 5);
    expect(clockTime(date)).toBe('21:05');
    expect(clockTime(date, '12h')).toBe('9:05p');
    expect(clockTime(new Date(2026, 0, 1, 0, 30), '12h')).toBe('12:30a');
  });

  it('reads settings and fills in the defaults', () => {
    expect(parseSetting('bell', 'off')).toEqual({ok: true, value: false});
    expect(parseSetting('time', '12h')).toEqual({ok: true, value: '12h'});
    expect(parseSetting('mouse', 'sometimes')).toMatchObject({ok: false});
    expect(withDefaults({bell: false, time: 'noon', extra: 1})).toEqual({bell: false, color: true, time: '24h', notify: false, mouse: true});
  });

  it('explains refusals and keeps the daemon\'s words', () => {
    expect(explainRefusal({status: 'ERROR', message: 'Password Salah', code: 'AUTH_WRONG_PASSWORD'})).toBe('wrong password (Password Salah)');
    expect(explainRefusal({status: 'ERROR', message: 'User Tidak Ada'})).toBe('no such user — register with Ctrl+R (User Tidak Ada)');
    expect(explainRefusal({status: 'ERROR', message: 'Request terlalu panjang', code: 'LINE_TOO_LONG'})).toBe('message too long: the limit is 64 KiB (Request terlalu panjang)');
    expect(explainRefusal({status: 'ERROR', message: 'something else'})).toBe('something else');
  });

  it('spells #group the protocol\'s way where a group is expected, and nowhere else', () => {
    expect(withGroupsSpelled(findCommand('joingroup')!, ['#devs'])).toEqual(['devs']);
    expect(withGroupsSpelled(findCommand('sendgroup')!, ['#devs', '#not a group'])).toEqual(['devs', '#not a group']);
    expect(withGroupsSpelled(findCommand('history')!, ['#ops@beta'])).toEqual(['group:ops@beta']);
    expect(withGroupsSpelled(findCommand('sendgrouprealm')!, ['beta', '#ops', 'hi'])).toEqual(['beta', 'group:ops', 'hi']);
    expect(withGroupsSpelled(findCommand('send')!, ['#bob', 'hi'])).toEqual(['#bob', 'hi']);
  });

  it('reads SGR mouse reports, and nothing else', () => {
    expect(parseMouse('[<0;3;4M')).toEqual([{kind: 'click', x: 3, y: 4}]);
    expect(parseMouse('[<64;1;1M[<65;1;1M')).toEqual([{kind: 'wheel-up', x: 1, y: 1}, {kind: 'wheel-down', x: 1, y: 1}]);
    // Several reports in one read: Ink strips only the first one's ESC.
    expect(parseMouse('[<65;1;1M\u001b[<65;1;1M\u001b[<64;2;3M')).toEqual([
      {kind: 'wheel-down', x: 1, y: 1}, {kind: 'wheel-down', x: 1, y: 1}, {kind: 'wheel-up', x: 2, y: 3}]);
    expect(parseMouse('[<0;3;4m')).toEqual([{kind: 'other', x: 3, y: 4}]);
    expect(parseMouse('[<0;3;4Mtext')).toBeUndefined();
    expect(parseMouse('hello')).toBeUndefined();
  });
});
