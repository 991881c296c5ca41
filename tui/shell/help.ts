/** Help texts, generated from the protocol's command table (usage, summary and example per command). */
import {COMMANDS, type CommandSpec} from '../../common/protocol/commands.js';
import type {Style} from './style.js';

/** The commands realmchat itself adds around the protocol's. */
export const SHELL_COMMANDS: readonly Pick<CommandSpec, 'name' | 'usage' | 'summary' | 'example'>[] = [
  {name: 'repl', usage: 'repl', summary: 'line mode: type commands at a prompt on one connection (also reads piped lines)', example: 'repl'},
  {name: 'config', usage: 'config [get [NAME] | set NAME VALUE]', summary: 'show or change a setting: bell, color, time, notify, mouse', example: 'config set time 12h'},
  {name: 'help', usage: 'help [command]', summary: 'show help, or the usage and an example of one command', example: 'help send'},
];

/** Aligned `usage  summary` lines of every command (but the `except` ones). */
export function commandList(style: Style, except: readonly string[] = []): string[] {
  const all = [...COMMANDS, ...SHELL_COMMANDS].filter((spec) => !except.includes(spec.name));
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
export function findHelpTopic(name: string): Pick<CommandSpec, 'usage' | 'summary' | 'example'> | undefined {
  const lower = name.toLowerCase();
  return COMMANDS.find((spec) => spec.name === lower) ?? SHELL_COMMANDS.find((spec) => spec.name === lower);
}
