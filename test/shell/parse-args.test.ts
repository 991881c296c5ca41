import {describe, expect, it} from 'vitest';
import {parseArgs} from '../../tui/shell/parse-args.js';
import {booleanFlag, FLAG_SPELLINGS, FLAGS, VALUE_FLAG_SPELLINGS} from '../../tui/shared/flags.js';
import {splitLine} from '../../tui/shared/text.js';

describe('the flag table', () => {
  it('gives every spelling of every option, and the ones that take a value', () => {
    expect([...FLAG_SPELLINGS].sort()).toEqual([
      '--bell', '--color', '--help', '--in', '--json', '--limit', '--mouse', '--no-bell', '--no-color', '--no-json', '--no-mouse', '--server',
      '--version', '-h', '-s', '-v',
    ]);
    expect([...VALUE_FLAG_SPELLINGS].sort()).toEqual(['--in', '--limit', '--server', '-s']);
  });

  it('reads a boolean option from command-line words as the shell does', () => {
    expect(booleanFlag([], 'bell')).toBeUndefined();
    expect(booleanFlag(['--no-bell'], 'bell')).toBe(false);
    expect(booleanFlag(['--no-bell', '--bell'], 'bell')).toBe(true);
    expect(booleanFlag(['send', 'bob', '--', '--no-bell'], 'bell')).toBeUndefined();
    expect(() => booleanFlag([], 'server' as keyof typeof FLAGS)).toThrow(TypeError);
  });

  it('lets every spelling of the table through the shell before a command', () => {
    for (const spelling of FLAG_SPELLINGS) {
      // --in and --limit belong to search; every other option goes with any command.
      const command = spelling === '--in' || spelling === '--limit' ? 'search' : 'groups';
      const words = VALUE_FLAG_SPELLINGS.has(spelling) ? [spelling, 'h:1', command] : [spelling, command];
      expect(parseArgs(words).kind, spelling).not.toBe('usage-error');
    }
  });

  it("refuses search's options with another command, and without a value", () => {
    expect(parseArgs(['send', 'bob', 'hi', '--in', 'bob'])).toMatchObject({kind: 'usage-error', message: '--in belongs to realmchat search'});
    expect(parseArgs(['inbox', '--limit=3'])).toMatchObject({kind: 'usage-error', message: '--limit belongs to realmchat search'});
    expect(parseArgs(['search', 'hello', 'world', '--in', '#devs', '--limit', '5'])).toMatchObject({
      kind: 'command', command: 'search', args: ['hello', 'world'], flags: {in: '#devs', limit: '5'},
    });
  });
});

describe('parseArgs', () => {
  it('splits the command from its arguments, with options before or after it', () => {
    expect(parseArgs(['send', 'bob', 'hello', 'world'])).toEqual({kind: 'command', command: 'send', args: ['bob', 'hello', 'world'], flags: {json: false}});
    expect(parseArgs(['-s', 'h:1', 'inbox', '--json'])).toEqual({kind: 'command', command: 'inbox', args: [], flags: {server: 'h:1', json: true}});
    expect(parseArgs(['send', 'bob', 'hi', '--server=h:2'])).toMatchObject({flags: {server: 'h:2'}});
    expect(parseArgs(['SEND', 'bob', 'hi'])).toMatchObject({command: 'send'});
  });

  it('keeps words after -- and numbers as typed', () => {
    expect(parseArgs(['send', 'bob', '--', '-x', '--y'])).toMatchObject({args: ['bob', '-x', '--y']});
    expect(parseArgs(['history', 'bob', '007'])).toMatchObject({args: ['bob', '007']});
  });

  it('recognises help, version, no command and mistakes', () => {
    expect(parseArgs(['--help'])).toMatchObject({kind: 'help', topic: undefined});
    expect(parseArgs(['help', 'send'])).toMatchObject({kind: 'help', topic: 'send'});
    expect(parseArgs(['inbox', '-h'])).toMatchObject({kind: 'help', topic: 'inbox'});
    expect(parseArgs(['--version'])).toMatchObject({kind: 'version', version: expect.stringMatching(/^\d+\.\d+\.\d+/)});
    expect(parseArgs([])).toMatchObject({kind: 'command', command: undefined});
    expect(parseArgs(['--no-color'])).toMatchObject({kind: 'command', command: undefined, flags: {color: false}});
    expect(parseArgs(['--no-bell'])).toMatchObject({kind: 'command', command: undefined, flags: {bell: false}});
    expect(parseArgs(['nope'])).toMatchObject({kind: 'unknown-command', word: 'nope'});
    expect(parseArgs(['--weird', 'send', 'bob', 'hi'])).toMatchObject({kind: 'usage-error'});
    expect(parseArgs(['send', 'bob', '-x'])).toMatchObject({kind: 'usage-error', message: expect.stringContaining('-- -x')});
  });
});

describe('splitLine (repl)', () => {
  it('keeps message text as typed and splits the rest into words', () => {
    expect(splitLine('  send bob  a   b ')).toEqual({command: 'send', args: ['bob', 'a   b']});
    expect(splitLine('sendprivaterealm beta carol hi  there')).toEqual({command: 'sendprivaterealm', args: ['beta', 'carol', 'hi  there']});
    expect(splitLine('send bob')).toEqual({command: 'send', args: ['bob']});
    expect(splitLine('register a pw Alice Liddell id')).toEqual({command: 'register', args: ['a', 'pw', 'Alice', 'Liddell', 'id']});
    expect(splitLine('   ')).toBeUndefined();
  });
});
