import type {Key} from 'ink';
import {describe, expect, it} from 'vitest';
import {editAction, keyToCommand, type KeyContext} from '../../tui/app/input/keymap.js';

const none: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};
const key = (flags: Partial<Key> = {}): Key => ({...none, ...flags});
const idle: KeyContext = {inputEmpty: true, recalling: false, helpOpen: false};

describe('keymap', () => {
  it('switches tabs with Alt+1/2/3 and Ctrl+N/Ctrl+P', () => {
    expect(keyToCommand('2', key({meta: true}), idle)).toEqual({type: 'tab', tab: 'groups'});
    expect(keyToCommand('3', key({meta: true}), idle)).toEqual({type: 'tab', tab: 'realms'});
    expect(keyToCommand('n', key({ctrl: true}), idle)).toEqual({type: 'cycleTab', delta: 1});
    expect(keyToCommand('p', key({ctrl: true}), idle)).toEqual({type: 'cycleTab', delta: -1});
  });

  it('uses ↑/↓ for the conversation list, and for the input history with Ctrl/Alt or while recalling', () => {
    expect(keyToCommand('', key({upArrow: true}), idle)).toEqual({type: 'select', delta: -1});
    expect(keyToCommand('', key({downArrow: true}), {...idle, inputEmpty: false})).toEqual({type: 'select', delta: 1});
    expect(keyToCommand('', key({upArrow: true, ctrl: true}), idle)).toEqual({type: 'edit', action: {type: 'recallPrevious'}});
    expect(keyToCommand('', key({upArrow: true, meta: true}), idle)).toEqual({type: 'edit', action: {type: 'recallPrevious'}});
    expect(keyToCommand('', key({downArrow: true}), {...idle, recalling: true})).toEqual({type: 'edit', action: {type: 'recallNext'}});
  });

  it('maps Enter, Tab, Esc, PgUp/PgDn, Alt+A and Ctrl+C', () => {
    expect(keyToCommand('\r', key({return: true}), idle)).toEqual({type: 'submit'});
    expect(keyToCommand('', key({tab: true}), idle)).toEqual({type: 'complete'});
    expect(keyToCommand('', key({tab: true, shift: true}), idle)).toEqual({type: 'none'});
    // A lone Esc arrives with meta set too.
    expect(keyToCommand('', key({escape: true, meta: true}), idle)).toEqual({type: 'edit', action: {type: 'clear'}});
    expect(keyToCommand('', key({pageUp: true}), idle)).toEqual({type: 'scroll', pages: 1});
    expect(keyToCommand('', key({pageDown: true}), idle)).toEqual({type: 'scroll', pages: -1});
    expect(keyToCommand('a', key({meta: true}), idle)).toEqual({type: 'nextUnread'});
    expect(keyToCommand('c', key({ctrl: true}), {...idle, helpOpen: true})).toEqual({type: 'quit'});
  });

  it('opens the help with ? only on an empty line; in the help, arrows scroll and other keys close', () => {
    expect(keyToCommand('?', key(), idle)).toEqual({type: 'openHelp'});
    expect(keyToCommand('?', key(), {...idle, inputEmpty: false})).toEqual({type: 'edit', action: {type: 'insert', text: '?'}});
    const help = {...idle, helpOpen: true};
    expect(keyToCommand('x', key(), help)).toEqual({type: 'closeHelp'});
    expect(keyToCommand('', key({downArrow: true}), help)).toEqual({type: 'helpScroll', lines: 1, page: false});
    expect(keyToCommand('', key({pageUp: true}), help)).toEqual({type: 'helpScroll', lines: -1, page: true});
    // F1 reaches useInput as nothing at all; its own handler toggles the help.
    expect(keyToCommand('', key(), help)).toEqual({type: 'none'});
  });

  it('edits the line: Ctrl chords are commands, never inserted letters', () => {
    expect(editAction('a', key({ctrl: true}))).toEqual({type: 'home'});
    expect(editAction('w', key({ctrl: true}))).toEqual({type: 'deleteWordLeft'});
    expect(editAction('u', key({ctrl: true}))).toEqual({type: 'killToStart'});
    expect(editAction('x', key({ctrl: true}))).toBeUndefined();
    expect(editAction('', key({delete: true}))).toEqual({type: 'deleteLeft'});
    expect(editAction('', key({leftArrow: true, ctrl: true}))).toEqual({type: 'wordLeft'});
    expect(editAction('b', key({meta: true}))).toEqual({type: 'wordLeft'});
    expect(editAction('é', key())).toEqual({type: 'insert', text: 'é'});
  });
});
