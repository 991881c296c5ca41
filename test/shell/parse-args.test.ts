import {describe, expect, it} from 'vitest';
import {parseArgs} from '../../tui/shell/parse-args.js';
import {splitLine} from '../../tui/shared/text.js';

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
