import {describe, expect, it} from 'vitest';
import {cleanInsert, emptyEditor, lineEditorReducer, type LineEditorAction, type LineEditorState} from '../../tui/app/input/line-editor.js';

const run = (state: LineEditorState, ...actions: LineEditorAction[]) => actions.reduce(lineEditorReducer, state);
const typed = (text: string) => run(emptyEditor, {type: 'insert', text});

describe('line editor', () => {
  it('inserts at the cursor and moves over surrogate pairs as one character', () => {
    const state = run(typed('hllo'), {type: 'home'}, {type: 'right'}, {type: 'insert', text: 'e'});
    expect(state).toMatchObject({value: 'hello', cursor: 2});
    const emoji = run(typed('a😀b'), {type: 'left'}, {type: 'left'});
    expect(emoji.cursor).toBe(1);
    expect(run(emoji, {type: 'deleteRight'}).value).toBe('ab');
    expect(run(typed('a😀'), {type: 'deleteLeft'}).value).toBe('a');
  });

  it('has the emacs kills: to start, to end, word before the cursor', () => {
    const line = typed('send bob hello world');
    expect(run(line, {type: 'deleteWordLeft'}).value).toBe('send bob hello ');
    expect(run(line, {type: 'wordLeft'}, {type: 'wordLeft'}, {type: 'killToEnd'}).value).toBe('send bob ');
    expect(run(line, {type: 'wordLeft'}, {type: 'killToStart'})).toMatchObject({value: 'world', cursor: 0});
    expect(run(line, {type: 'clear'}).value).toBe('');
  });

  it('turns pasted line breaks and tabs into spaces and drops a trailing newline and control characters', () => {
    expect(cleanInsert('one\ntwo\tthree\r\n')).toBe('one two three');
    expect(cleanInsert('a\u0007b\u001bc')).toBe('abc');
    expect(typed('\u0001').value).toBe('');
  });

  it('keeps a history: submit stores the line, recall walks back and forward to the draft', () => {
    let state = run(typed('first'), {type: 'submit'}, {type: 'insert', text: 'second'}, {type: 'submit'});
    expect(state.history).toEqual(['first', 'second']);
    state = run(state, {type: 'insert', text: 'draft'}, {type: 'recallPrevious'});
    expect(state).toMatchObject({value: 'second', recall: {index: 1, draft: 'draft'}});
    state = run(state, {type: 'recallPrevious'}, {type: 'recallPrevious'});
    expect(state.value).toBe('first');
    state = run(state, {type: 'recallNext'}, {type: 'recallNext'});
    expect(state).toMatchObject({value: 'draft', recall: undefined});
    // Editing a recalled line leaves recall mode.
    expect(run(state, {type: 'recallPrevious'}, {type: 'insert', text: '!'}).recall).toBeUndefined();
  });

  it('does not store secrets or repeats in the history', () => {
    const state = run(typed('/auth alice pw'), {type: 'submit', remember: false}, {type: 'insert', text: 'hi'}, {type: 'submit'},
      {type: 'insert', text: 'hi'}, {type: 'submit'});
    expect(state.history).toEqual(['hi']);
  });

  it('completes the word at the cursor and cycles through the matches on repeated Tab', () => {
    const source = (value: string, cursor: number) => {
      const start = value.lastIndexOf(' ', cursor - 1) + 1;
      return {start, matches: ['bob ', 'bobby ', 'bonnie '].filter((name) => name.startsWith(value.slice(start, cursor)))};
    };
    let state = run(typed('/msg bo'), {type: 'complete', source});
    expect(state.value).toBe('/msg bob ');
    state = run(state, {type: 'complete', source});
    expect(state.value).toBe('/msg bobby ');
    state = run(state, {type: 'complete', source}, {type: 'complete', source});
    expect(state.value).toBe('/msg bob ');
    // Typing ends the cycle: the next Tab completes afresh.
    state = run(state, {type: 'insert', text: 'x'}, {type: 'complete', source});
    expect(state.value).toBe('/msg bob x');
  });
});
