import {describe, expect, it} from 'vitest';
import type {ChatMessage} from '../../common/protocol/reply-shapes.js';
import {ok} from '../../common/protocol/replies.js';
import {shouldColor} from '../../tui/shared/color.js';
import {sanitize} from '../../tui/shared/text.js';
import {formatMessage, formatOk, formatTable, formatTime, type FormatContext} from '../../tui/shell/format.js';
import {createStyle, stripStyle} from '../../tui/shell/style.js';

const now = new Date(2025, 4, 20, 12, 0);
const at = (hours: number, minutes: number, day = 20) => new Date(2025, 4, day, hours, minutes).toISOString();
const context: FormatContext = {me: 'alice', server: '127.0.0.1:8889', style: createStyle(false), now};
const message = (fields: Partial<ChatMessage>): ChatMessage => ({id: 1, from: 'bob', to: 'alice', text: 'hello', ts: at(9, 41), ...fields});

describe('message lines', () => {
  it('shows private, group and realm messages from the reader\'s point of view', () => {
    expect(formatMessage(message({}), context)).toBe('[09:41] bob → you: hello');
    expect(formatMessage(message({group: 'devs'}), context)).toBe('[09:41] bob → #devs: hello');
    expect(formatMessage(message({from: 'carol@beta', realmFrom: 'beta', realmTo: 'alpha'}), context)).toBe('[09:41] carol@beta → you: hello');
    expect(formatMessage(message({from: 'alice', to: 'carol@beta'}), context)).toBe('[09:41] you → carol@beta: hello');
    expect(formatMessage(message({from: 'alice', to: 'ops@beta', group: 'ops'}), context)).toBe('[09:41] you → #ops@beta: hello');
  });

  it('adds the date for other days and copes with a missing time', () => {
    expect(formatTime(at(9, 41, 19), now)).toBe('2025-05-19 09:41');
    expect(formatTime('', now)).toBe('--:--');
  });

  it('neutralises control characters and bidi overrides from other users', () => {
    expect(sanitize('hi\u001b[2Jthere\u202e\tx')).toBe('hi\ufffd[2Jthere\ufffd x');
    expect(formatMessage(message({text: '\u001b]0;pwned\u0007'}), context)).not.toContain('\u001b');
  });
});

describe('replies', () => {
  it('formats info as a key/value table and an empty inbox as one line', () => {
    const info = ok('User info', {user: {username: 'bob', nama: 'Bob B', negara: 'indonesia', realm: 'alpha', groups: ['devs'], created_at: '2025-05-01T00:00:00.000Z'}});
    expect(formatOk('info', [], info, context)).toEqual([
      'username  bob', 'name      Bob B', 'country   indonesia', 'realm     alpha', 'groups    #devs', 'joined    2025-05-01',
    ]);
    expect(formatOk('inbox', [], ok('Inbox', {messages: {}, more: false}), context)).toEqual(['No new messages.']);
    expect(formatOk('inbox', [], ok('Inbox', {messages: {bob: [{id: 1, msg_from: 'bob', msg_to: 'alice', msg: 'x', ts: at(9, 0)}]}, more: true}), context))
      .toEqual(['[09:00] bob → you: x', 'More unread messages are waiting: run "realmchat inbox" again.']);
  });

  it('says whether a realm send was delivered or queued', () => {
    expect(formatOk('sendprivaterealm', ['beta', 'carol', 'hi'], ok('Message sent to user in realm'), context))
      .toEqual(['Message sent to carol@beta.']);
    expect(formatOk('sendgrouprealm', ['beta', 'ops', 'hi'], ok('Message queued for group in realm', {queued: true}), context)[0])
      .toMatch(/^Message queued for #ops@beta: realm beta is not reachable now/);
    expect(formatOk('sendgrouprealm', ['beta', 'u1,u2', 'hi'], ok('Message sent to group in realm'), context))
      .toEqual(['Message sent to u1@beta, u2@beta.']);
  });

  it('lists realms with their link state', () => {
    const reply = ok('Realms', {realm: 'alpha', realms: [{name: 'beta', host: '127.0.0.1', port: 8890, state: 'ready', queued: 0}]});
    expect(formatOk('realms', [], reply, context)).toEqual([
      'This realm: alpha', 'REALM  ADDRESS         STATE  QUEUED', 'beta   127.0.0.1:8890  ready  0',
    ]);
  });

  it('aligns styled table cells by their visible width', () => {
    const style = createStyle(true);
    const lines = formatTable(['A', 'B'], [[style.green('yes'), 'x'], ['no', 'y']], style);
    expect(lines.slice(1).map((line) => stripStyle(line))).toEqual(['yes  x', 'no   y']);
  });
});

describe('shouldColor', () => {
  it('follows the flag, then NO_COLOR / FORCE_COLOR, then the terminal', () => {
    expect(shouldColor({isTTY: true, env: {}})).toBe(true);
    expect(shouldColor({isTTY: true, env: {NO_COLOR: '1'}})).toBe(false);
    expect(shouldColor({isTTY: true, env: {NO_COLOR: ''}})).toBe(true);
    expect(shouldColor({isTTY: true, env: {TERM: 'dumb'}})).toBe(false);
    expect(shouldColor({isTTY: false, env: {FORCE_COLOR: '1'}})).toBe(true);
    expect(shouldColor({isTTY: true, env: {NO_COLOR: '1'}, flag: true})).toBe(true);
    expect(shouldColor({isTTY: true, env: {}, flag: false})).toBe(false);
  });
});
