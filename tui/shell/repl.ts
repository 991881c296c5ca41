/**
 * `realmchat repl`: the course CLI's line mode. One connection stays open (reconnecting when it drops); each line is
 * a command as in the one-shot form; the session is kept in the config as with one-shot commands. On a terminal it
 * shows a prompt with readline's editing and ↑/↓ history (kept in memory only: auth lines hold passwords); with
 * piped input it prints no prompt and runs the lines in order.
 */
import {createInterface} from 'node:readline';
import {formatServerAddress} from '../../common/client/address.js';
import type {ClientState} from '../../common/client/chat-client.js';
import {findCommand} from '../../common/protocol/commands.js';
import {COMMAND_WORDS} from './command-words.js';
import {EXIT, type ExitCode} from './exit-codes.js';
import {notACommand} from './unknown-command.js';
import {executeCommand, writeLines, type ShellContext} from './execute.js';
import {splitLine} from '../shared/text.js';
import {commandHelp, commandList, findHelpTopic} from './help.js';
import {planSearch} from './search-command.js';

/** What the repl needs besides a command's context. */
export interface ReplOptions extends ShellContext {
  readonly stdin: NodeJS.ReadableStream;
  /** Where readline echoes and prompts (the terminal). */
  readonly terminalOutput: NodeJS.WritableStream;
  /** stdin is a terminal: prompt, line editing and history. */
  readonly interactive: boolean;
}

const QUIT_WORDS = new Set(['quit', 'exit', '/quit', '/exit']);

function promptOf(username: string | undefined): string {
  return `${username ?? 'realmchat'}> `;
}

/**
 * What the line mode says about the connection: the first failure of a streak (the retries after it are quiet: a
 * command typed meanwhile says when the next attempt is) and the reconnection. Undefined: nothing to say.
 */
function describeState(state: ClientState, address: string, firstFailure: boolean): string | undefined {
  switch (state.state) {
    case 'reconnecting':
      // The error names the address already: "connection to … lost: …", "cannot connect to …: …".
      return firstFailure ? `${state.error.message}; reconnecting in ${(state.inMs / 1000).toFixed(1)} s` : undefined;
    case 'connected':
      return `connected to ${address} again`;
    default:
      return undefined;
  }
}

/**
 * Reads commands until `quit`, `exit`, Ctrl+D, Ctrl+C or the end of the input. The client must be connected.
 * Resolves with 0 on a terminal; with piped input, 0 when every line succeeded, else the code of the last failure.
 */
export async function runRepl(options: ReplOptions): Promise<ExitCode> {
  const {client, stdout, stderr, style, interactive} = options;
  const address = formatServerAddress(options.server);
  const rl = createInterface({
    input: options.stdin,
    output: interactive ? options.terminalOutput : undefined,
    terminal: interactive,
    prompt: promptOf(client.username),
    historySize: 500,
    removeHistoryDuplicates: true,
  });
  // Ctrl+C ends the line mode, like the course CLI's KeyboardInterrupt.
  rl.on('SIGINT', () => rl.close());
  let lost = false;
  // A command is running: its output owns the screen, and the prompt comes back when it is done.
  let busy = false;
  const onState = (state: ClientState) => {
    if (state.state === 'connected' && !lost) return;
    const text = describeState(state, address, !lost);
    if (state.state === 'reconnecting') lost = true;
    if (state.state === 'connected') lost = false;
    if (!text) return;
    // Between commands the prompt and what is typed after it are on screen: the note goes above them, and they are
    // drawn again below it (readline keeps the typed text).
    const atPrompt = interactive && !busy;
    if (atPrompt) options.terminalOutput.write('\r\u001B[K');
    writeLines(stderr, [style.yellow(text)]);
    if (atPrompt) rl.prompt(true);
  };
  const onSession = () => rl.setPrompt(promptOf(client.username));
  client.on('state', onState);
  client.on('session', onSession);

  if (interactive) {
    writeLines(stdout, [style.dim(`Connected to ${address}. Type help for the commands, quit or Ctrl+D to leave.`)]);
    rl.prompt();
  }
  let exitCode: ExitCode = EXIT.OK;
  let quitTyped = false;
  try {
    for await (const line of rl) {
      busy = true;
      const code = await runLine(options, line);
      busy = false;
      if (code === 'quit') {
        quitTyped = true;
        break;
      }
      if (code !== EXIT.OK) exitCode = code;
      if (interactive) rl.prompt();
    }
  } finally {
    client.off('state', onState);
    client.off('session', onSession);
    rl.close();
  }
  // Ctrl+D or Ctrl+C leave the cursor after the prompt: the shell's prompt goes on a line of its own.
  if (interactive && !quitTyped) options.terminalOutput.write('\n');
  return interactive ? EXIT.OK : exitCode;
}

async function runLine(options: ReplOptions, line: string): Promise<ExitCode | 'quit'> {
  const {stdout, stderr, style} = options;
  const parsed = splitLine(line);
  if (!parsed) return EXIT.OK;
  const word = parsed.command.toLowerCase();
  if (QUIT_WORDS.has(word)) return 'quit';
  if (word === 'help' || word === '?') {
    const topic = parsed.args[0] === undefined ? undefined : findHelpTopic(parsed.args[0]);
    if (parsed.args[0] !== undefined && !topic) {
      writeLines(stderr, notACommand(parsed.args[0], COMMAND_WORDS, ''));
      return EXIT.USAGE;
    }
    stdout.write(topic ? commandHelp(topic, style) : [...commandList(style, ['repl']), `  ${style.bold('quit')}  leave the line mode (also exit, Ctrl+D)`, ''].join('\n'));
    return EXIT.OK;
  }
  if (!findCommand(word)) {
    writeLines(stderr, [...notACommand(parsed.command, COMMAND_WORDS.filter((command) => command !== 'repl'), ''), style.dim('Type help for the commands.')]);
    return EXIT.USAGE;
  }
  if (word === 'search') {
    const search = planSearch(parsed.args);
    if (search.kind === 'usage') {
      stderr.write(search.text);
      return EXIT.USAGE;
    }
    return executeCommand(options, word, search.args);
  }
  return executeCommand(options, word, parsed.args);
}
