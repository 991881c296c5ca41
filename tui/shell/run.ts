/**
 * runCli: the whole `realmchat` command line as a function of argv and injected streams, environment and config, so
 * tests run it in-process. tui/cli.ts only wires it to the process.
 */
import {ChatClient} from '../../common/client/chat-client.js';
import {formatServerAddress, parseServerAddress, type ServerAddress} from '../../common/client/address.js';
import {ConnectionError} from '../../common/client/errors.js';
import type {Reply} from '../../common/protocol/replies.js';
import {SessionConfig} from '../shared/config.js';
import {EXIT} from './exit-codes.js';
import {executeCommand, unreachableText, usageProblem, writeLines, type ShellContext, type ShellRequestOptions} from './execute.js';
import {downloadDir, planFileCommand, saveFile, savedText} from './file-transfer.js';
import {commandHelp, commandList, findHelpTopic, generalHelp} from './help.js';
import type {GlobalFlags} from './parse-args.js';
import {COMMAND_WORDS} from './command-words.js';
import {parseSimpleArgs} from './simple-args.js';
import {shellProgress} from './progress-line.js';
import {notACommand} from './unknown-command.js';
import {planSearch} from './search-command.js';
import {shouldColor} from '../shared/color.js';
import type {StartTui} from '../shared/tui-options.js';
import {createStyle, type Style} from './style.js';

/** The process around realmchat, injectable for tests. */
export interface RunCliOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Lines for `realmchat repl`. @default process.stdin */
  stdin?: NodeJS.ReadableStream;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** stdout is a terminal: colors, and the full-screen client when there are no arguments. @default false */
  isTTY?: boolean;
  /** stderr is a terminal: a file transfer over 1 MiB shows its progress there. @default false */
  stderrIsTTY?: boolean;
  /** stdin is a terminal: the repl prompts and edits lines. @default isTTY */
  stdinIsTTY?: boolean;
  /** The folder of config.json (tests); otherwise XDG_CONFIG_HOME of `env`, else conf's default. */
  configDir?: string;
  /** A ready config; wins over configDir. */
  config?: SessionConfig;
  /** The clock for "today" in message times. */
  now?: () => Date;
  /** ChatClient timeouts, in ms. */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** The full-screen client (tui/cli.ts passes tui/app/main's); without one, `realmchat` alone explains the commands. */
  startTui?: StartTui | null;
}

const NO_TUI_MESSAGE = [
  'realmchat: no command given.',
  'Run one command, e.g.   realmchat inbox   or   realmchat send bob hello',
  'type commands at a prompt with   realmchat repl',
  'or see all commands with   realmchat --help',
  '',
].join('\n');

/** Runs realmchat with `argv` (the words after the program name); resolves with the exit code. */
export async function runCli(argv: readonly string[], options: RunCliOptions): Promise<number> {
  const {stdout, stderr} = options;
  const env = options.env ?? process.env;
  // meow, the line mode's readline and the full-screen client load only when used: a one-shot command starts quickly.
  const parsed = parseSimpleArgs(argv) ?? (await import('./parse-args.js')).parseArgs(argv);
  const style = createStyle(shouldColor({isTTY: options.isTTY ?? false, env, flag: 'flags' in parsed ? parsed.flags.color : undefined}));

  switch (parsed.kind) {
    case 'version':
      writeLines(stdout, [parsed.version]);
      return EXIT.OK;
    case 'usage-error':
      stderr.write(`realmchat: ${parsed.message}\nTry 'realmchat --help'.\n`);
      return EXIT.USAGE;
    case 'unknown-command':
      stderr.write(unknownCommandText(parsed.word, style));
      return EXIT.USAGE;
    case 'help': {
      if (parsed.topic === undefined) {
        stdout.write(generalHelp(style, tryOpenConfig(options, env)?.path));
        return EXIT.OK;
      }
      const topic = findHelpTopic(parsed.topic);
      if (!topic) {
        stderr.write(unknownCommandText(parsed.topic, style));
        return EXIT.USAGE;
      }
      stdout.write(commandHelp(topic, style));
      return EXIT.OK;
    }
    case 'command':
      return runCommand(parsed.command, parsed.args, parsed.flags, style, options, env);
  }
}

/** Not a command: in English, the close ones, then every command (exit 2). */
function unknownCommandText(word: string, style: Style): string {
  return [...notACommand(word, COMMAND_WORDS), '', 'Commands:', ...commandList(style), '', "Try 'realmchat help <command>' for one command's usage.", ''].join('\n');
}

function openConfig(options: RunCliOptions, env: NodeJS.ProcessEnv): SessionConfig {
  return options.config ?? new SessionConfig({env, ...(options.configDir === undefined ? {} : {configDir: options.configDir})});
}

function tryOpenConfig(options: RunCliOptions, env: NodeJS.ProcessEnv): SessionConfig | undefined {
  try {
    return openConfig(options, env);
  } catch {
    return undefined;
  }
}

async function runCommand(
  command: string | undefined, args: string[], flags: GlobalFlags, style: Style, options: RunCliOptions, env: NodeJS.ProcessEnv,
): Promise<number> {
  const {stdout, stderr} = options;
  let server: ServerAddress | undefined;
  if (flags.server !== undefined) {
    server = parseServerAddress(flags.server);
    if (!server) {
      stderr.write(flags.server === ''
        ? 'realmchat: --server needs a value: HOST:PORT (e.g. 127.0.0.1:8889)\n'
        : `realmchat: --server must be HOST:PORT (e.g. 127.0.0.1:8889), not "${flags.server}"\n`);
      return EXIT.USAGE;
    }
  }
  // The shell's own file forms: read the file to send, or save the file fetched.
  const plan = command === undefined ? undefined : planFileCommand(command, args);
  if (plan?.kind === 'usage') {
    stderr.write(plan.text);
    return EXIT.USAGE;
  }
  if (plan?.kind === 'send') {
    command = plan.command;
    args = plan.args;
  } else if (plan?.kind === 'get') {
    args = [plan.id];
  }
  if (command === 'search') {
    // The shell's form: words, --in, --limit (meow took the options out of the words; they go back for planSearch).
    const search = planSearch([...args, ...(flags.in === undefined ? [] : ['--in', flags.in]), ...(flags.limit === undefined ? [] : ['--limit', flags.limit])]);
    if (search.kind === 'usage') {
      stderr.write(search.text);
      return EXIT.USAGE;
    }
    args = search.args;
  }
  if (command !== undefined && command !== 'repl' && command !== 'config') {
    const problem = usageProblem(command, args);
    if (problem !== undefined) {
      stderr.write(problem);
      return EXIT.USAGE;
    }
  }
  if (command === 'repl' && args.length > 0) {
    stderr.write('realmchat repl takes no arguments: it reads commands from its input.\n');
    return EXIT.USAGE;
  }

  let config: SessionConfig;
  try {
    config = openConfig(options, env);
  } catch (error) {
    stderr.write(`realmchat: cannot use the config file: ${(error as Error).message}\n` +
      'Fix or delete the file (it holds only the server, username and session token).\n');
    return EXIT.USAGE;
  }
  const target = server ?? config.serverOrDefault();
  if (command === 'config') {
    const {runConfigCommand} = await import('./config-command.js');
    return runConfigCommand(args, config, stdout, stderr);
  }

  if (command === undefined) return startFullScreen(options, env, config, target, flags, server !== undefined);

  // The stored token belongs to the stored server; another daemon gets no token.
  const sameServer = config.server !== undefined && formatServerAddress(config.server) === formatServerAddress(target);
  const client = new ChatClient({
    ...target,
    ...(sameServer && config.token !== undefined ? {token: config.token, username: config.username} : {}),
    ...(options.connectTimeoutMs === undefined ? {} : {connectTimeoutMs: options.connectTimeoutMs}),
    ...(options.requestTimeoutMs === undefined ? {} : {requestTimeoutMs: options.requestTimeoutMs}),
    // The line mode keeps its connection across daemon restarts; a one-shot command just reports the failure.
    reconnect: command === 'repl',
  });
  try {
    try {
      await client.connect();
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error;
      stderr.write(unreachableText(error, target));
      return EXIT.UNREACHABLE;
    }
    // Remembered only once the daemon answered, so a mistyped --server does not replace a working one.
    if (server !== undefined) noteDroppedSession(config.rememberServer(server), stderr, style);
    const context: ShellContext = {
      client, config, server: target, stdout, stderr, style, json: flags.json, now: options.now ?? (() => new Date()),
    };
    if (command === 'repl') {
      const stdinIsTTY = options.stdinIsTTY ?? options.isTTY ?? false;
      const {runRepl} = await import('./repl.js');
      return await runRepl({...context, stdin: options.stdin ?? process.stdin, terminalOutput: stdout, interactive: stdinIsTTY});
    }
    const progress = plan?.kind === 'get' || plan?.kind === 'send' ? shellProgress(plan, stderr, options.stderrIsTTY ?? false) : undefined;
    const request = progress ? {onProgress: progress.onProgress, onSettled: () => progress.line.clear()} : {};
    if (plan?.kind === 'get') return await getFile(context, plan.id, plan.dir ?? downloadDir(env), request);
    return await executeCommand(context, command, args, {}, request);
  } finally {
    await client.close();
  }
}

function noteDroppedSession(result: {droppedSessionOf?: string}, stderr: NodeJS.WritableStream, style: Style): void {
  if (result.droppedSessionOf !== undefined) {
    writeLines(stderr, [style.dim(`(switched daemon: the stored session of ${result.droppedSessionOf} on the previous one was forgotten)`)]);
  }
}

async function startFullScreen(
  options: RunCliOptions, env: NodeJS.ProcessEnv, config: SessionConfig, server: ServerAddress, flags: GlobalFlags, serverGiven: boolean,
): Promise<number> {
  const startTui = options.isTTY ? options.startTui : undefined;
  if (!startTui) {
    options.stderr.write(NO_TUI_MESSAGE);
    return EXIT.USAGE;
  }
  if (serverGiven) config.rememberServer(server);
  const code = await startTui({
    server, config, env, color: flags.color, bell: flags.bell, mouse: flags.mouse,
    stdin: options.stdin ?? process.stdin, stdout: options.stdout, stderr: options.stderr,
  });
  return typeof code === 'number' ? code : EXIT.OK;
}

/** getfile: asks for the file (errors as for any command), then writes it into `dir`. */
async function getFile(context: ShellContext, id: string, dir: string, request: ShellRequestOptions): Promise<number> {
  const fetched: {reply?: Reply} = {};
  const code = await executeCommand({...context, stdout: {write: () => true}, json: false}, 'getfile', [id], fetched, request);
  if (code !== EXIT.OK || !fetched.reply) {
    if (context.json && fetched.reply) writeLines(context.stdout, [JSON.stringify(fetched.reply)]);
    return code;
  }
  let saved;
  try {
    saved = saveFile(fetched.reply, dir);
  } catch (error) {
    context.stderr.write(`realmchat getfile: cannot save into ${dir}: ${(error as Error).message}\n`);
    return EXIT.DAEMON_ERROR;
  }
  const {file_content: _content, ...rest} = fetched.reply;
  writeLines(context.stdout, [context.json ? JSON.stringify({...rest, saved_to: saved.path}) : savedText(saved)]);
  return EXIT.OK;
}
