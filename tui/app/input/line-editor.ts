/**
 * The input line as a reducer: editing (emacs keys), input history with recall, and Tab completion that cycles.
 * Pure, so key handling is tested without a terminal; components hold the state in a ref so that keys arriving
 * faster than React re-renders never see a stale value.
 */

/** An active completion: what Tab inserted last, so the next Tab can replace it with the next match. */
export interface CompletionState {
  readonly start: number;
  readonly end: number;
  readonly matches: readonly string[];
  readonly index: number;
}

export interface LineEditorState {
  readonly value: string;
  /** Cursor position, a UTF-16 index into value. */
  readonly cursor: number;
  /** Lines entered before, oldest first. */
  readonly history: readonly string[];
  /** Set while ↑/↓ walk the history: which entry is shown and the line that was being typed. */
  readonly recall: {readonly index: number; readonly draft: string} | undefined;
  readonly completion: CompletionState | undefined;
}

/** Where completion starts and what may go there, for the line and cursor given. */
export type CompletionSource = (value: string, cursor: number) => {start: number; matches: readonly string[]};

export type LineEditorAction =
  | {readonly type: 'insert'; readonly text: string}
  | {readonly type: 'left' | 'right' | 'home' | 'end'}
  | {readonly type: 'wordLeft' | 'wordRight'}
  | {readonly type: 'deleteLeft' | 'deleteRight' | 'deleteWordLeft' | 'killToStart' | 'killToEnd'}
  /** Esc: empty line, leave recall. */
  | {readonly type: 'clear'}
  | {readonly type: 'recallPrevious' | 'recallNext'}
  /** Enter: the line goes to the history (unless `remember` is false) and the input empties. */
  | {readonly type: 'submit'; readonly remember?: boolean}
  | {readonly type: 'set'; readonly value: string}
  | {readonly type: 'complete'; readonly source: CompletionSource};

/** Most lines kept in the history. */
export const HISTORY_LIMIT = 100;

export const emptyEditor: LineEditorState = {value: '', cursor: 0, history: [], recall: undefined, completion: undefined};

/** Index of the code point before `index` (steps over surrogate pairs). */
function previousIndex(value: string, index: number): number {
  if (index <= 0) return 0;
  const code = value.charCodeAt(index - 1);
  return code >= 0xdc00 && code <= 0xdfff && index >= 2 ? index - 2 : index - 1;
}

function nextIndex(value: string, index: number): number {
  if (index >= value.length) return value.length;
  const code = value.charCodeAt(index);
  return code >= 0xd800 && code <= 0xdbff && index + 1 < value.length ? index + 2 : index + 1;
}

function wordStart(value: string, index: number): number {
  let i = index;
  while (i > 0 && value[i - 1] === ' ') i--;
  while (i > 0 && value[i - 1] !== ' ') i--;
  return i;
}

function wordEnd(value: string, index: number): number {
  let i = index;
  while (i < value.length && value[i] === ' ') i++;
  while (i < value.length && value[i] !== ' ') i++;
  return i;
}

/**
 * Typed or pasted text as one line: a trailing line break is dropped, inner ones and tabs become spaces, other
 * control characters go.
 */
export function cleanInsert(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\r\n]+$/, '').replace(/\r\n|\r|\n|\t/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
}

/** An edit: new value and cursor; leaves recall and completion. */
function edit(state: LineEditorState, value: string, cursor: number): LineEditorState {
  return {...state, value, cursor, recall: undefined, completion: undefined};
}

function move(state: LineEditorState, cursor: number): LineEditorState {
  return {...state, cursor, completion: undefined};
}

export function lineEditorReducer(state: LineEditorState, action: LineEditorAction): LineEditorState {
  const {value, cursor} = state;
  switch (action.type) {
    case 'insert': {
      const text = cleanInsert(action.text);
      if (text === '') return state;
      return edit(state, value.slice(0, cursor) + text + value.slice(cursor), cursor + text.length);
    }
    case 'left': return move(state, previousIndex(value, cursor));
    case 'right': return move(state, nextIndex(value, cursor));
    case 'home': return move(state, 0);
    case 'end': return move(state, value.length);
    case 'wordLeft': return move(state, wordStart(value, cursor));
    case 'wordRight': return move(state, wordEnd(value, cursor));
    case 'deleteLeft': {
      if (cursor === 0) return state;
      const from = previousIndex(value, cursor);
      return edit(state, value.slice(0, from) + value.slice(cursor), from);
    }
    case 'deleteRight': {
      if (cursor >= value.length) return state;
      return edit(state, value.slice(0, cursor) + value.slice(nextIndex(value, cursor)), cursor);
    }
    case 'deleteWordLeft': {
      const from = wordStart(value, cursor);
      return from === cursor ? state : edit(state, value.slice(0, from) + value.slice(cursor), from);
    }
    case 'killToStart': return cursor === 0 ? state : edit(state, value.slice(cursor), 0);
    case 'killToEnd': return cursor === value.length ? state : edit(state, value.slice(0, cursor), cursor);
    case 'clear': return edit(state, '', 0);
    case 'set': return edit(state, action.value, action.value.length);
    case 'recallPrevious': {
      const {history, recall} = state;
      if (history.length === 0) return state;
      const index = recall === undefined ? history.length - 1 : Math.max(0, recall.index - 1);
      const shown = history[index]!;
      return {...state, value: shown, cursor: shown.length, recall: {index, draft: recall?.draft ?? value}, completion: undefined};
    }
    case 'recallNext': {
      const {history, recall} = state;
      if (recall === undefined) return state;
      if (recall.index + 1 >= history.length) {
        return {...state, value: recall.draft, cursor: recall.draft.length, recall: undefined, completion: undefined};
      }
      const shown = history[recall.index + 1]!;
      return {...state, value: shown, cursor: shown.length, recall: {index: recall.index + 1, draft: recall.draft}, completion: undefined};
    }
    case 'submit': {
      const line = value.trim();
      const remember = action.remember !== false && line !== '' && state.history.at(-1) !== value;
      const history = remember ? [...state.history, value].slice(-HISTORY_LIMIT) : state.history;
      return {value: '', cursor: 0, history, recall: undefined, completion: undefined};
    }
    case 'complete': return complete(state, action.source);
  }
}

/** Tab: insert the first match for the word at the cursor; Tab again replaces it with the next one. */
function complete(state: LineEditorState, source: CompletionSource): LineEditorState {
  const active = state.completion;
  if (active && active.end === state.cursor && active.matches.length > 1) {
    const index = (active.index + 1) % active.matches.length;
    const inserted = active.matches[index]!;
    const value = state.value.slice(0, active.start) + inserted + state.value.slice(active.end);
    const end = active.start + inserted.length;
    return {...state, value, cursor: end, completion: {...active, end, index}};
  }
  const {start, matches} = source(state.value, state.cursor);
  if (matches.length === 0) return {...state, completion: undefined};
  const inserted = matches[0]!;
  const value = state.value.slice(0, start) + inserted + state.value.slice(state.cursor);
  const end = start + inserted.length;
  return {...state, value, cursor: end, recall: undefined, completion: {start, end, matches, index: 0}};
}
