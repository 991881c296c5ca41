/**
 * The keys of the main screen as data: one Ink keypress in, one command out. Pure, so every binding is tested
 * without a terminal; docs/TUI.md and the help overlay list the same bindings.
 *
 * ↑/↓ do two jobs, resolved like this: they choose the conversation, unless the input is walking its history.
 * Ctrl+↑ or Alt+↑ (and Ctrl/Alt+↓) start walking the history; from then on plain ↑/↓ keep walking until the line
 * is edited, sent or cleared (Esc), or ↓ goes past the newest entry.
 */
import type {Key} from 'ink';
import type {TabId} from '../store/types.js';
import type {LineEditorAction} from './line-editor.js';

export type KeyCommand =
  | {readonly type: 'none'}
  | {readonly type: 'quit'}
  | {readonly type: 'openHelp'}
  | {readonly type: 'closeHelp'}
  /** ↑/↓ (one line) and PgUp/PgDn (a page) inside the help overlay. */
  | {readonly type: 'helpScroll'; readonly lines: 1 | -1; readonly page: boolean}
  | {readonly type: 'tab'; readonly tab: TabId}
  | {readonly type: 'cycleTab'; readonly delta: 1 | -1}
  /** ↑ is -1 (towards the top of the list). */
  | {readonly type: 'select'; readonly delta: 1 | -1}
  /** PgUp is +1 (older messages). */
  | {readonly type: 'scroll'; readonly pages: 1 | -1}
  | {readonly type: 'nextUnread'}
  /** ↑/↓ in the search results (↑ is -1). */
  | {readonly type: 'searchMove'; readonly delta: 1 | -1}
  /** Enter on an empty line while search results are shown: jump to the chosen one. */
  | {readonly type: 'searchOpen'}
  /** Esc while search results are shown. */
  | {readonly type: 'closeSearch'}
  | {readonly type: 'submit'}
  | {readonly type: 'complete'}
  | {readonly type: 'edit'; readonly action: LineEditorAction};

/** What the keymap needs to know about the screen. */
export interface KeyContext {
  readonly inputEmpty: boolean;
  /** The input is showing an entry of its history (↑/↓ walk it). */
  readonly recalling: boolean;
  readonly helpOpen: boolean;
  /** `/search` results are on screen: ↑/↓ choose one, Enter (on an empty line) jumps to it, Esc closes them. */
  readonly searchOpen?: boolean;
}

const TAB_KEYS: Readonly<Record<string, TabId>> = {'1': 'inbox', '2': 'groups', '3': 'realms'};

const CTRL_EDITS: Readonly<Record<string, LineEditorAction['type']>> = {
  a: 'home', e: 'end', b: 'left', f: 'right', u: 'killToStart', k: 'killToEnd', w: 'deleteWordLeft', h: 'deleteLeft',
  d: 'deleteRight',
};

const edit = (type: LineEditorAction['type']): KeyCommand => ({type: 'edit', action: {type} as LineEditorAction});

/**
 * The editing keys shared by every text field (the main input and the login form): ←/→, Home/End, Ctrl+A/E/B/F,
 * Alt+B/F, Ctrl+U/K/W/H/D, Backspace, and printable text. Undefined for any other key.
 */
export function editAction(input: string, key: Key): LineEditorAction | undefined {
  if (key.leftArrow) return {type: key.ctrl || key.meta ? 'wordLeft' : 'left'};
  if (key.rightArrow) return {type: key.ctrl || key.meta ? 'wordRight' : 'right'};
  if (key.home) return {type: 'home'};
  if (key.end) return {type: 'end'};
  // Backspace arrives as 0x7f, which Ink 6 reports as delete; the Delete key cannot be told apart, so both delete left.
  if (key.backspace || key.delete) return {type: 'deleteLeft'};
  if (key.meta) {
    const letter = input.toLowerCase();
    return letter === 'b' ? {type: 'wordLeft'} : letter === 'f' ? {type: 'wordRight'} : undefined;
  }
  if (key.ctrl) {
    const type = CTRL_EDITS[input.toLowerCase()];
    return type ? ({type} as LineEditorAction) : undefined;
  }
  if (input === '' || key.escape || key.return || key.tab || key.upArrow || key.downArrow || key.pageUp || key.pageDown) return undefined;
  return {type: 'insert', text: input};
}

export function keyToCommand(input: string, key: Key, context: KeyContext): KeyCommand {
  if (key.ctrl && input === 'c') return {type: 'quit'};
  if (context.helpOpen) {
    // F1 and other keys Ink does not name arrive as nothing at all; F1 has its own handler (useF1).
    if (input === '' && !Object.entries(key).some(([name, value]) => value === true && name !== 'eventType')) return {type: 'none'};
    if (key.upArrow || key.downArrow) return {type: 'helpScroll', lines: key.downArrow ? 1 : -1, page: false};
    if (key.pageUp || key.pageDown) return {type: 'helpScroll', lines: key.pageDown ? 1 : -1, page: true};
    return {type: 'closeHelp'};
  }
  if (context.searchOpen) {
    if (key.escape) return {type: 'closeSearch'};
    if ((key.upArrow || key.downArrow) && !key.ctrl && !key.meta && !context.recalling) return {type: 'searchMove', delta: key.upArrow ? -1 : 1};
    if (key.return && context.inputEmpty) return {type: 'searchOpen'};
  }
  // A lone Esc also sets meta: test it first.
  if (key.escape) return edit('clear');
  if (key.upArrow || key.downArrow) {
    const walk = key.ctrl || key.meta || context.recalling;
    if (walk) return edit(key.upArrow ? 'recallPrevious' : 'recallNext');
    return {type: 'select', delta: key.upArrow ? -1 : 1};
  }
  if (key.pageUp) return {type: 'scroll', pages: 1};
  if (key.pageDown) return {type: 'scroll', pages: -1};
  if (key.return) return {type: 'submit'};
  if (key.tab) return key.shift ? {type: 'none'} : {type: 'complete'};
  if (key.meta && !key.leftArrow && !key.rightArrow) {
    const tab = TAB_KEYS[input];
    if (tab) return {type: 'tab', tab};
    if (input.toLowerCase() === 'a') return {type: 'nextUnread'};
  }
  if (key.ctrl && input === 'n') return {type: 'cycleTab', delta: 1};
  if (key.ctrl && input === 'p') return {type: 'cycleTab', delta: -1};
  if (input === '?' && context.inputEmpty && !key.ctrl && !key.meta) return {type: 'openHelp'};
  const action = editAction(input, key);
  return action ? {type: 'edit', action} : {type: 'none'};
}
