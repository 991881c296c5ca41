import {describe, expect, it} from 'vitest';
import {historyLines} from '../../tui/app/format/history-lines.js';
import {padEnd, textWidth, truncate, wrapText} from '../../tui/app/format/wrap.js';
import {visibleWindow} from '../../tui/app/components/text-field.js';
import {maxScroll, visibleLines} from '../../tui/app/components/history-pane.js';

describe('wrapping', () => {
  it('wraps on spaces, breaks long words, and measures wide characters as two columns', () => {
    expect(wrapText('the quick brown fox', 10)).toEqual(['the quick', 'brown fox']);
    expect(wrapText('abcdefghijkl', 5)).toEqual(['abcde', 'fghij', 'kl']);
    expect(wrapText('', 5)).toEqual(['']);
    expect(textWidth('日本')).toBe(4);
    expect(wrapText('日本語のテキスト', 6)).toEqual(['日本語', 'のテキ', 'スト']);
    expect(truncate('abcdefgh', 5)).toBe('abcd…');
    expect(padEnd('ab', 4)).toBe('ab  ');
  });

  it('lays out messages: a day line, then time, sender and text, continuation lines indented', () => {
    const ts = new Date(2026, 0, 31, 9, 41).toISOString();
    const lines = historyLines([{id: 1, from: 'bob', to: 'alice', text: 'one two three four five six', ts}], {width: 24, me: 'alice', realm: 'alpha'});
    expect(lines[0]).toMatchObject({kind: 'day', text: '2026-01-31'});
    expect(lines[1]).toMatchObject({kind: 'first', time: '09:41', sender: 'bob', own: false, text: 'one two three'});
    expect(lines[2]).toMatchObject({kind: 'more', indent: 10, text: 'four five six'});
  });

  it('marks a file message with its file id (its own colour on screen)', () => {
    const ts = new Date(2026, 0, 31, 9, 41).toISOString();
    const lines = historyLines([
      {id: 5, from: 'bob', to: 'alice', text: '[file] a.bin (3 B)', ts, file: {name: 'a.bin', size: 3, id: 5}},
      {id: 6, from: 'bob', to: 'alice', text: 'plain', ts},
    ], {width: 80, me: 'alice', realm: 'alpha'});
    expect(lines[1]).toMatchObject({kind: 'first', text: '[file] a.bin (3 B)', fileId: 5});
    expect(lines[2]!.fileId).toBeUndefined();
  });

  it('neutralises control characters in message text', () => {
    const lines = historyLines([{id: 1, from: 'bob', to: 'alice', text: 'evil\u001b[2Jtext', ts: new Date().toISOString()}], {width: 80, me: 'alice', realm: undefined});
    expect(lines[1]!.text).not.toContain('\u001b');
  });

  it('windows the history by lines from the bottom', () => {
    const lines = Array.from({length: 10}, (_, i) => i);
    expect(visibleLines(lines, 3, 0)).toEqual([7, 8, 9]);
    expect(visibleLines(lines, 3, 4)).toEqual([3, 4, 5]);
    expect(visibleLines(lines, 3, 99)).toEqual([]);
    expect(maxScroll(10, 3)).toBe(7);
    expect(maxScroll(2, 3)).toBe(0);
  });

  it('scrolls a long input sideways to keep the cursor in view', () => {
    expect(visibleWindow('hello', 5, 10)).toEqual({before: 'hello', at: ' ', after: ''});
    expect(visibleWindow('hello world', 0, 5)).toEqual({before: '', at: 'h', after: 'ello'});
    const end = visibleWindow('abcdefghij', 10, 5);
    expect(end.before).toBe('ghij');
  });
});

describe('status line summaries', () => {
  it('summarises inbox, groups and realms replies in one line', async () => {
    const {groupsSummary, newMessagesSummary, realmsSummary} = await import('../../tui/app/store/summaries.js');
    expect(newMessagesSummary(0)).toBe('No new messages');
    expect(newMessagesSummary(1)).toBe('1 new message');
    expect(groupsSummary([{name: 'devs', members: 3, member: true}, {name: 'ops', members: 2, member: false}])).toBe('Groups: devs (3, member), ops (2)');
    expect(realmsSummary('alpha', [{name: 'beta', host: 'h', port: 1, state: 'backoff', queued: 2}])).toBe('Realm alpha; links: beta backoff (2 queued)');
    expect(realmsSummary('alpha', [])).toBe('Realm alpha; no linked realms');
  });
});
