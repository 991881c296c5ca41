/** The help overlay's content: every key and command of the full-screen client (docs/TUI.md lists the same). */
import {COMMANDS} from '../../../common/protocol/commands.js';
import {CLIENT_COMMANDS} from './slash-commands.js';

export interface HelpEntry {
  readonly keys: string;
  readonly what: string;
}

export const KEY_HELP: readonly HelpEntry[] = [
  {keys: 'Alt+1/2/3, Ctrl+N/Ctrl+P', what: 'switch tab: Inbox, Groups, Realms'},
  {keys: '↑/↓', what: 'choose a conversation'},
  {keys: 'Ctrl+↑/↓ or Alt+↑/↓', what: 'recall earlier input; then ↑/↓ keep walking it until you edit, send or Esc'},
  {keys: 'Alt+A', what: 'jump to the next conversation with unread messages, at its ── new ── line'},
  {keys: 'PgUp/PgDn', what: 'scroll the history (PgUp at the top loads older messages)'},
  {keys: 'Enter', what: 'send the line to the conversation on screen, or run the /command'},
  {keys: 'Tab', what: 'complete a command, username, group or realm, or a local path after /file (Tab again: next match)'},
  {keys: 'Esc', what: 'clear the input'},
  {keys: '←/→ Home/End Ctrl+A/E', what: 'move in the line (Ctrl/Alt+←/→ by word)'},
  {keys: 'Ctrl+U/K/W', what: 'delete to start / to end / the word before the cursor'},
  {keys: '↑/↓ Enter Esc (search)', what: 'in /search results: choose one, jump to it, close them'},
  {keys: 'F1, or ? on an empty line', what: 'this help (↑/↓ PgUp/PgDn scroll it, any other key closes it)'},
  {keys: 'Ctrl+C, /quit', what: 'quit'},
];

/** The client's commands, then the protocol's (any of them works with a leading slash). */
export const COMMAND_HELP: readonly HelpEntry[] = [
  ...CLIENT_COMMANDS.map((command) => ({keys: command.usage, what: command.summary})),
  {keys: '//TEXT', what: 'send TEXT that starts with a slash'},
  // The protocol's, but those the client's own commands above stand for (/search is the client's).
  ...COMMANDS.filter((spec) => !['addgroup', 'addrealm', 'info', 'logout', 'search'].includes(spec.name))
    .map((spec) => ({keys: `/${spec.usage}`, what: spec.summary})),
];
