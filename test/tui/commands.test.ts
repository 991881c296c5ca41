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
    expect(complete('/sendg')).toEqual(['/sendgroup ', '/sendgroupfile ', '/sendgroupfilerealm ', '/sendgrouprealm ']);
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

describe('files: /file and /save', () => {
  it('parses /file PATH (spaces kept) and /save [N] [DIR]', () => {
    expect(parseInput('/file ~/my notes.txt')).toEqual({kind: 'file', path: '~/my notes.txt'});
    expect(parseInput('/file')).toMatchObject({kind: 'usage', message: expect.stringContaining('/file PATH')});
    expect(parseInput('/save')).toEqual({kind: 'save', index: 1, dir: undefined});
    expect(parseInput('/save 3')).toEqual({kind: 'save', index: 3, dir: undefined});
    expect(parseInput('/save 2 /tmp/down loads')).toEqual({kind: 'save', index: 2, dir: '/tmp/down loads'});
    expect(parseInput('/save 2024-files')).toEqual({kind: 'save', index: 1, dir: '2024-files'});
    expect(parseInput('/save 0')).toMatchObject({kind: 'usage'});
    expect(slashUsage('save')).toBe('/save [N] [DIR]');
  });

  it('completes local paths after /file (files and folders, ~ expanded) and folders after /save', () => {
    const tree: Record<string, {name: string; directory: boolean}[]> = {
      '.': [{name: 'notes.txt', directory: false}, {name: 'notebooks', directory: true}, {name: '.hidden', directory: false}],
      '/home/me/': [{name: 'Downloads', directory: true}, {name: 'doc.pdf', directory: false}],
      '/srv/': [{name: 'a b.bin', directory: false}],
    };
    const data: CompletionData = {users: ['bob'], remoteUsers: [], myGroups: [], allGroups: [], realms: [],
      paths: {list: (dir) => tree[dir] ?? [], home: '/home/me'}};
    const complete = (line: string) => completionSource(data)(line, line.length);
    expect(complete('/file no')).toEqual({start: 6, matches: ['notebooks/', 'notes.txt']});
    expect(complete('/file ').matches).toEqual(['notebooks/', 'notes.txt']);
    expect(complete('/file .').matches).toEqual(['.hidden']);
    expect(complete('/file ~').matches).toEqual(['~/']);
    expect(complete('/file ~/d').matches).toEqual(['~/doc.pdf']);
    expect(complete('/FILE ~/').matches).toEqual(['~/Downloads/', '~/doc.pdf']);
    expect(complete('/file /srv/a').matches).toEqual(['/srv/a b.bin']);
    expect(complete('/save ~/').matches).toEqual(['~/Downloads/']);
    expect(complete('/save 2 ~/D').matches).toEqual(['~/Downloads/']);
    // Not a path position: the usual completion.
    expect(complete('/msg b').matches).toEqual(['bob ']);
  });
});
