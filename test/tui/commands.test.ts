import {describe, expect, it} from 'vitest';
import {completionSource, type CompletionData} from '../../tui/app/commands/completion.js';
import {COMMAND_WORDS, parseInput, slashUsage} from '../../tui/app/commands/slash-commands.js';
import {COMMANDS} from '../../common/protocol/commands.js';

describe('input line commands', () => {
  it('treats plain text as a message and // as a literal slash', () => {
    expect(parseInput('hello  there')).toEqual({kind: 'text', text: 'hello  there'});
    expect(parseInput('//not a command')).toEqual({kind: 'text', text: '/not a command'});
    expect(parseInput('   ')).toEqual({kind: 'none'});
  });

  it('reads the client commands', () => {
    expect(parseInput('/msg bob hello  world')).toEqual({kind: 'msg', target: 'bob', text: 'hello  world'});
    expect(parseInput('/msg carol@beta')).toEqual({kind: 'msg', target: 'carol@beta', text: undefined});
    expect(parseInput('/msg')).toEqual({kind: 'usage', message: 'usage: /msg USER [TEXT]'});
    expect(parseInput('/QUIT')).toEqual({kind: 'quit'});
    expect(parseInput('/exit')).toEqual({kind: 'quit'});
    expect(parseInput('/help')).toEqual({kind: 'help'});
    expect(parseInput('/bell off')).toEqual({kind: 'bell', on: false});
    expect(parseInput('/bell')).toEqual({kind: 'bell', on: undefined});
    expect(parseInput('/join devs')).toEqual({kind: 'protocol', command: 'joingroup', args: ['devs'], typed: 'join'});
    expect(parseInput('/close')).toEqual({kind: 'close', target: undefined});
    expect(parseInput('/close #devs')).toEqual({kind: 'close', target: '#devs'});
    expect(parseInput('/set time 12h')).toEqual({kind: 'set', name: 'time', value: '12h'});
  });

  it('passes any protocol command through with its words, message text as one argument', () => {
    expect(parseInput('/sendprivaterealm beta carol hi  there')).toEqual({kind: 'protocol', command: 'sendprivaterealm', args: ['beta', 'carol', 'hi  there']});
    expect(parseInput('/addrealm beta 127.0.0.1 8890')).toEqual({kind: 'protocol', command: 'addrealm', args: ['beta', '127.0.0.1', '8890']});
    expect(parseInput('/INBOX')).toEqual({kind: 'protocol', command: 'inbox', args: []});
    expect(parseInput('/frob x')).toEqual({kind: 'unknown', word: 'frob'});
    expect(slashUsage('send')).toBe('/send <username> <message>');
    for (const spec of COMMANDS) expect(COMMAND_WORDS).toContain(spec.name);
  });
});

describe('tab completion', () => {
  const data: CompletionData = {
    users: ['alice', 'bob', 'bonnie'], remoteUsers: ['carol@beta', 'cyril@gamma'], myGroups: ['devs'], allGroups: ['devs', 'ops'],
    realms: ['beta', 'gamma'],
  };
  const complete = (line: string) => completionSource(data)(line, line.length).matches;

  it('completes command names after /', () => {
    expect(complete('/ms')).toEqual(['/msg ']);
    expect(complete('/sendg')).toEqual(['/sendgroup ', '/sendgroupfile ', '/sendgrouprealm ']);
  });

  it('completes what each command expects', () => {
    expect(complete('/msg b')).toEqual(['bob ', 'bonnie ']);
    expect(complete('/msg c')).toEqual(['carol@beta ', 'cyril@gamma ']);
    expect(complete('/msg #')).toEqual(['#devs ']);
    expect(complete('/join o')).toEqual(['ops ']);
    expect(complete('/sendgroup d')).toEqual(['devs ']);
    expect(complete('/sendprivaterealm g')).toEqual(['gamma ']);
    expect(complete('/sendprivaterealm beta c')).toEqual(['carol ']);
    expect(complete('/history group:')).toEqual(['group:devs ']);
  });

  it('completes usernames in text, not on an empty word', () => {
    expect(complete('thanks BO')).toEqual(['bob ', 'bonnie ']);
    expect(complete('thanks ')).toEqual([]);
    expect(complete('')).toEqual([]);
  });
});
