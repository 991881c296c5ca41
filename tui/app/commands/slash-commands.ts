/**
 * What a line typed in the input means: text for the selected conversation, one of the client's own commands
 * (`/msg`, `/join`, `/quit`, …), or any protocol command with a leading slash (`/sendprivaterealm beta carol hi`),
 * which is sent through ChatClient.request and so built by the protocol's buildRequest. Pure: no I/O.
 */
import {COMMANDS, findCommand} from '../../../common/protocol/commands.js';
import {splitLine} from '../../shared/text.js';

/** A command of the full-screen client (besides the protocol's). */
export interface ClientCommand {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  /** Other names it answers to. */
  readonly aliases?: readonly string[];
}

/** The client's own commands, in the order the help shows them. */
export const CLIENT_COMMANDS: readonly ClientCommand[] = [
  {name: 'msg', usage: '/msg USER [TEXT]', summary: 'open a conversation (bob, carol@beta, #devs) and send TEXT'},
  {name: 'join', usage: '/join GROUP', summary: 'join a group (joingroup)'},
  {name: 'addgroup', usage: '/addgroup GROUP', summary: 'create a group and join it'},
  {name: 'addrealm', usage: '/addrealm REALM [HOST PORT]', summary: 'link another realm'},
  {name: 'file', usage: '/file PATH', summary: 'send a local file to the conversation on screen (Tab completes the path)'},
  {name: 'save', usage: '/save [N] [DIR]', summary: 'save the newest file of the conversation (N: the N-th newest) into DIR or the download folder'},
  {name: 'info', usage: '/info [USER]', summary: 'show a user (yourself without a name)'},
  {name: 'bell', usage: '/bell [on|off]', summary: 'ring the terminal bell for direct messages, or not'},
  {name: 'close', usage: '/close [CONVERSATION]', summary: 'hide a conversation from the list until it has new messages'},
  {name: 'search', usage: '/search WORDS [in CONVERSATION]', summary: 'search your messages (all conversations, or one); Enter jumps to a result'},
  {name: 'set', usage: '/set [SETTING [VALUE]]', summary: 'show or change a setting: bell, color, time, notify, mouse (kept in the config file)'},
  {name: 'logout', usage: '/logout', summary: 'end the session and go back to the login screen'},
  {name: 'help', usage: '/help', summary: 'show keys and commands (also F1, or ? on an empty line)'},
  {name: 'quit', usage: '/quit', summary: 'leave realmchat (also Ctrl+C)', aliases: ['exit']},
];

/** What a typed line asks for. */
export type InputAction =
  | {readonly kind: 'none'}
  /** Text for the selected conversation. */
  | {readonly kind: 'text'; readonly text: string}
  /** `/msg TARGET [TEXT]`. */
  | {readonly kind: 'msg'; readonly target: string; readonly text: string | undefined}
  | {readonly kind: 'help'}
  | {readonly kind: 'quit'}
  | {readonly kind: 'bell'; readonly on: boolean | undefined}
  /** `/close [TARGET]`: the conversation on screen without a target. */
  | {readonly kind: 'close'; readonly target: string | undefined}
  /** `/set [NAME [VALUE]]`. */
  | {readonly kind: 'set'; readonly name: string | undefined; readonly value: string | undefined}
  /** `/file PATH`: a local file for the conversation on screen (PATH as typed, `~` not expanded yet). */
  | {readonly kind: 'file'; readonly path: string}
  /** `/save [N] [DIR]`: the N-th newest file of the conversation on screen (1 = newest) into DIR. */
  | {readonly kind: 'save'; readonly index: number; readonly dir: string | undefined}
  /** `/search WORDS [in CONVERSATION]`. */
  | {readonly kind: 'search'; readonly words: string; readonly target: string | undefined}
  /** A protocol command: the words after it, message text as one last argument; `typed`: the word used (`join`). */
  | {readonly kind: 'protocol'; readonly command: string; readonly args: readonly string[]; readonly typed?: string}
  /** Wrong use noticed before sending anything. */
  | {readonly kind: 'usage'; readonly message: string}
  | {readonly kind: 'unknown'; readonly word: string};

/** Every command word the input accepts after `/`, for completion. */
export const COMMAND_WORDS: readonly string[] = [...new Set([
  ...CLIENT_COMMANDS.flatMap((command) => [command.name, ...(command.aliases ?? [])]),
  ...COMMANDS.map((spec) => spec.name),
])].sort();

/** Parses one line of the input. */
export function parseInput(line: string): InputAction {
  if (line.trim() === '') return {kind: 'none'};
  if (!line.startsWith('/')) return {kind: 'text', text: line};
  // `//text` sends text that starts with a slash.
  if (line.startsWith('//')) return {kind: 'text', text: line.slice(1)};
  const body = line.slice(1).trim();
  const word = (body.split(/\s+/)[0] ?? '').toLowerCase();
  const rest = body.slice(word.length).trim();
  switch (word) {
    case '':
      return {kind: 'usage', message: 'type a command after "/" (/help lists them), or "//" to send text starting with "/"'};
    case 'msg':
    case 'query': {
      const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(rest);
      if (!match) return {kind: 'usage', message: 'usage: /msg USER [TEXT]'};
      const text = match[2]?.trim();
      return {kind: 'msg', target: match[1]!, text: text === '' ? undefined : text};
    }
    case 'help':
      return {kind: 'help'};
    case 'quit':
    case 'exit':
      return {kind: 'quit'};
    case 'bell': {
      const value = rest.toLowerCase();
      if (value === '') return {kind: 'bell', on: undefined};
      if (value === 'on' || value === 'off') return {kind: 'bell', on: value === 'on'};
      return {kind: 'usage', message: 'usage: /bell [on|off]'};
    }
    case 'close': {
      const words = rest.split(/\s+/).filter((word) => word !== '');
      if (words.length > 1) return {kind: 'usage', message: 'usage: /close [CONVERSATION]'};
      return {kind: 'close', target: words[0]};
    }
    case 'set': {
      const [name, ...value] = rest.split(/\s+/).filter((word) => word !== '');
      return {kind: 'set', name: name?.toLowerCase(), value: value.length > 0 ? value.join(' ') : undefined};
    }
    case 'join':
      return joinAction(rest);
    case 'file':
      return rest === '' ? {kind: 'usage', message: 'usage: /file PATH (Tab completes local paths)'} : {kind: 'file', path: rest};
    case 'save':
      return saveAction(rest);
    case 'search':
      return searchAction(rest);
    default:
      return findCommand(word) ? protocol(word, rest) : {kind: 'unknown', word};
  }
}

/** `/save [N] [DIR]`: N is a positive whole number first; everything else is the folder (it may hold spaces). */
function saveAction(rest: string): InputAction {
  const match = /^(\d+)(?:\s+([\s\S]*))?$/.exec(rest);
  const index = match ? Number(match[1]) : 1;
  const dir = (match ? match[2] ?? '' : rest).trim();
  if (index < 1) return {kind: 'usage', message: 'usage: /save [N] [DIR] (N = 1 is the newest file)'};
  return {kind: 'save', index, dir: dir === '' ? undefined : dir};
}

/** `/search WORDS [in CONVERSATION]`: `in X` at the end names the conversation (`/search log in` searches two words). */
function searchAction(rest: string): InputAction {
  const words = rest.split(/\s+/).filter((word) => word !== '');
  const scoped = words.length >= 3 && words.at(-2)!.toLowerCase() === 'in';
  const searched = scoped ? words.slice(0, -2) : words;
  if (searched.length === 0) return {kind: 'usage', message: 'usage: /search WORDS [in CONVERSATION]'};
  return {kind: 'search', words: searched.join(' '), target: scoped ? words.at(-1) : undefined};
}

/** `/join GROUP`: the protocol's joingroup, with /join's own usage in errors. */
function joinAction(rest: string): InputAction {
  const action = protocol('joingroup', rest);
  return action.kind === 'protocol' ? {...action, typed: 'join'} : action;
}

function protocol(command: string, rest: string): InputAction {
  const split = splitLine(`${command} ${rest}`)!;
  return {kind: 'protocol', command: findCommand(split.command)!.name, args: split.args};
}

/** A command's usage as typed in the input: `/send <username> <message>`, or the client's own (`/join GROUP`). */
export function slashUsage(command: string): string | undefined {
  const own = CLIENT_COMMANDS.find((entry) => entry.name === command);
  if (own) return own.usage;
  const spec = findCommand(command);
  return spec ? `/${spec.usage}` : undefined;
}
