/**
 * startTui: `realmchat` with no arguments, in a terminal. tui/cli.ts hands it to runCli, which calls it with the
 * parsed options; it resolves with the exit code once the user quits.
 *
 * Terminal hygiene lives here, outside React: the alternate screen is entered before Ink renders and left (cursor
 * shown) on every way out: /quit, Ctrl+C, SIGTERM, SIGHUP, SIGINT, and an uncaught exception.
 */
import {render, type Instance} from 'ink';
import {parseServerAddress, type ServerAddress} from '../../common/client/address.js';
import {SessionConfig} from '../shared/config.js';
import {shouldColor} from '../shared/color.js';
import {booleanFlag} from '../shared/flags.js';
import type {StartTui} from '../shared/tui-options.js';
import {App} from './app.js';
import {ChatStore} from './store/chat-store.js';
import {notificationSequence, notificationStyle} from './notifications.js';
import {enterFullScreen, installGuards, MOUSE_OFF, MOUSE_ON} from './terminal.js';

/** What startTui accepts: tui/shared/tui-options.ts's TuiOptions, every field optional, plus the bell switch. */
export interface StartTuiOptions {
  /** The daemon (`host:port` or an address); default: the stored one, else 127.0.0.1:8889. */
  readonly server?: ServerAddress | string;
  /** The stored session; default: the config of XDG_CONFIG_HOME (or ~/.config/realmchat). */
  readonly config?: SessionConfig;
  readonly env?: NodeJS.ProcessEnv;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
  /** --color / --no-color; default: on unless NO_COLOR (or TERM=dumb). */
  readonly color?: boolean;
  /** --no-bell: no terminal bell for direct messages. */
  readonly noBell?: boolean;
  /** The same switch the other way round (`bell: false` = `noBell: true`). */
  readonly bell?: boolean;
  /** --mouse / --no-mouse, when given. */
  readonly mouse?: boolean;
  /** Command-line words to read `--bell` / `--no-bell` from (through the flag table). @default none */
  readonly argv?: readonly string[];
}

/** Exit codes (as the one-shot commands use them). */
const EXIT = {OK: 0, USAGE: 2, SOFTWARE: 70} as const;

export const NO_TTY_MESSAGE = [
  'realmchat: the full-screen client needs a terminal (both input and output).',
  'Without one, use the one-shot commands, e.g.   realmchat inbox   or   realmchat send bob hello',
  'or type commands line by line with   realmchat repl',
  'All commands: realmchat --help',
  '',
].join('\n');

const isTTY = (stream: NodeJS.ReadableStream | NodeJS.WritableStream) => (stream as {isTTY?: boolean}).isTTY === true;

/** Whether the bell is off: an option, `--no-bell` on the command line, or REALMCHAT_NO_BELL in the environment. */
export function bellDisabled(options: Pick<StartTuiOptions, 'noBell' | 'bell' | 'argv'>, env: NodeJS.ProcessEnv): boolean {
  if (options.noBell !== undefined) return options.noBell;
  if (options.bell !== undefined) return !options.bell;
  const flag = options.argv === undefined ? undefined : booleanFlag(options.argv, 'bell');
  if (flag !== undefined) return !flag;
  const quiet = env.REALMCHAT_NO_BELL;
  return quiet !== undefined && quiet !== '' && quiet !== '0';
}

function serverOf(server: StartTuiOptions['server'], config: SessionConfig): ServerAddress {
  if (typeof server === 'string') return parseServerAddress(server) ?? config.serverOrDefault();
  return server ?? config.serverOrDefault();
}

/** Runs the full-screen client until the user quits; resolves with the exit code. */
export async function startTui(options: StartTuiOptions = {}): Promise<number> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  if (!isTTY(stdin) || !isTTY(stdout)) {
    stderr.write(NO_TTY_MESSAGE);
    return EXIT.USAGE;
  }
  let config: SessionConfig;
  try {
    config = options.config ?? new SessionConfig({env});
  } catch (error) {
    stderr.write(`realmchat: cannot use the config file: ${(error as Error).message}\n`);
    return EXIT.USAGE;
  }
  const server = serverOf(options.server, config);
  // The flags and the environment win for this run; otherwise the settings in config.json (realmchat config set).
  const color = options.color ?? shouldColor({isTTY: true, env});
  const bellFlag = options.argv === undefined ? undefined : booleanFlag(options.argv, 'bell');
  const bell = bellDisabled(options, env) ? false : (options.bell ?? bellFlag);
  const mouse = options.mouse ?? (options.argv === undefined ? undefined : booleanFlag(options.argv, 'mouse'));
  const notifySequence = notificationStyle(env);

  const store = new ChatStore({
    server, config, ...(bell === undefined ? {} : {bell}), ...(mouse === undefined ? {} : {mouse}),
    ringBell: () => stdout.write('\u0007'),
    notify: (notification) => {
      const sequence = notificationSequence(notification, notifySequence);
      if (sequence) stdout.write(sequence);
    },
  });
  const screen = enterFullScreen(stdout, stdin);
  // Mouse reporting follows the mouse setting (/set mouse off gives the mouse back to the terminal at once).
  let mouseOn = false;
  const followMouse = () => {
    const wanted = store.getState().mouse;
    if (wanted === mouseOn) return;
    mouseOn = wanted;
    stdout.write(wanted ? MOUSE_ON : MOUSE_OFF);
  };
  followMouse();
  const unsubscribeMouse = store.subscribe(followMouse);
  let instance: Instance | undefined;
  const tidy = () => {
    try {
      instance?.unmount();
    } catch {
      // Already unmounted.
    }
    void store.close();
    screen.leave();
  };
  const removeGuards = installGuards({
    onSignal: tidy,
    onCrash: (error) => {
      tidy();
      stderr.write(`realmchat: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    },
  });
  try {
    instance = render(<App store={store} color={color} />, {
      stdin: stdin as NodeJS.ReadStream, stdout: stdout as NodeJS.WriteStream, stderr: stderr as NodeJS.WriteStream,
      // Not incrementalRendering: in Ink 6.8 it redraws one row too low when the frame ends with a newline (as a
      // frame one row shorter than the terminal does), which scrolls the alternate screen. The standard renderer
      // erases and redraws the frame inside synchronized-update markers instead.
      exitOnCtrlC: false, patchConsole: false,
    });
    store.start();
    await instance.waitUntilExit();
    return EXIT.OK;
  } catch (error) {
    screen.leave();
    stderr.write(`realmchat: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.SOFTWARE;
  } finally {
    unsubscribeMouse();
    await store.close();
    screen.leave();
    removeGuards();
  }
}

// runCli calls this through tui/shared/tui-options.ts's StartTui: the compiler keeps the two in step.
const _fitsTheCli: StartTui = startTui;
