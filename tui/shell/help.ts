/** Help texts, generated from the protocol's command table (usage, summary and example per command). */
import {COMMANDS, type CommandSpec} from '../../common/protocol/commands.js';
import type {Style} from './style.js';

/** The commands realmchat itself adds around the protocol's. */
export const SHELL_COMMANDS: readonly Pick<CommandSpec, 'name' | 'usage' | 'summary' | 'example'>[] = [
  {name: 'repl', usage: 'repl', summary: 'line mode: type commands at a prompt on one connection (also reads piped lines)', example: 'repl'},
  {name: 'config', usage: 'config [get [NAME] | set NAME VALUE]', summary: 'show or change a setting: bell, color, time, notify, mouse', example: 'config set time 12h'},
  {name: 'help', usage: 'help [command]', summary: 'show help, or the usage and an example of one command', example: 'help send'},
];

/** Protocol commands the shell takes in a form of its own (`search` joins its words with `+` itself). */
const SHELL_FORMS: Readonly<Record<string, Pick<CommandSpec, 'name' | 'usage' | 'summary' | 'example'>>> = {
  search: {name: 'search', usage: 'search <words…> [--in <conversation>] [--limit N]',
    summary: 'search your messages, best match first (every word must occur; the last one also as a prefix)',
    example: 'search hello world --in #devs'},
  conversations: {name: 'conversations', usage: 'conversations [limit] [before]',
    summary: 'your conversations, newest first, with unread and mention counts and the last message',
    example: 'conversations'},
};

/** The commands as the shell shows them: the protocol's (in the shell's form where it has one), then its own. */
const shellCommands = () => [...COMMANDS.map((spec) => SHELL_FORMS[spec.name] ?? spec), ...SHELL_COMMANDS];

/** Aligned `usage  summary` lines of every command (but the `except` ones). */
export function commandList(style: Style, except: readonly string[] = []): string[] {
  const all = shellCommands().filter((spec) => !except.includes(spec.name));
  const width = Math.max(...all.map((spec) => spec.usage.length));
  return all.map((spec) => `  ${style.bold(spec.usage)}${' '.repeat(width - spec.usage.length)}  ${spec.summary}`);
}

/** `realmchat --help`. */
export function generalHelp(style: Style, configPath: string | undefined): string {
  return [
    `${style.bold('realmchat')}: the shell client of the realmchat chat system.`,
    '',
    'Usage',
    '  realmchat <command> [arguments] [options]   one command, then exit',
    '  realmchat repl                              type commands at a prompt',
    '  realmchat                                   full-screen client (in a terminal)',
    '',
    'Commands',
    ...commandList(style),
    '',
    'Options',
    '  -s, --server HOST:PORT  the daemon to use, remembered for later commands (default 127.0.0.1:8889)',
    '  --json                  print the daemon\'s reply as JSON',
    '  --in CONVERSATION       search: only this conversation (bob, #devs, carol@beta)',
    '  --limit N               search: at most N results (default 20, at most 100)',
    '  --no-color, --color     turn colors off or on (default: on a terminal, unless NO_COLOR is set)',
    '  --no-bell               full-screen client: no terminal bell for direct messages and mentions',
    '  --no-mouse              full-screen client: leave the mouse to the terminal (text selection)',
    '  -h, --help              show this help; realmchat help <command> shows one command',
    '  -v, --version           show the version',
    '',
    'Examples',
    '  realmchat register alice s3cret Alice_Liddell indonesia',
    '  realmchat send bob hello world',
    '  realmchat inbox',
    '  realmchat conversations',
    '  realmchat search hello world --in #devs',
    '  realmchat --server 127.0.0.1:8890 auth carol s3cret',
    '',
    'Exit codes: 0 OK, 1 the daemon answered ERROR, 2 usage error, 3 cannot reach the daemon.',
    `Session: ${configPath ?? '$XDG_CONFIG_HOME/realmchat/config.json'} (server, username and token; never the password).`,
    '',
  ].join('\n');
}

/** `realmchat help <command>`. */
export function commandHelp(spec: Pick<CommandSpec, 'usage' | 'summary' | 'example'>, style: Style): string {
  return [
    `Usage: realmchat ${style.bold(spec.usage)}`,
    '',
    `  ${spec.summary}`,
    '',
    'Example:',
    `  realmchat ${spec.example}`,
    '',
  ].join('\n');
}

/** The help of a command by name, protocol or shell; undefined when there is none. */
export function findHelpTopic(name: string): Pick<CommandSpec, 'name' | 'usage' | 'summary' | 'example'> | undefined {
  const lower = name.toLowerCase();
  return shellCommands().find((spec) => spec.name === lower);
}
