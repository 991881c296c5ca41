/**
 * Terminal hygiene, outside React: the alternate screen is entered before Ink renders and always left again (with
 * the cursor shown) on a normal exit, Ctrl+C, SIGTERM, SIGHUP, SIGINT and a crash. Ink 6 has no alternate-screen
 * option, and a SIGTERM with only an 'exit' handler leaves the terminal stuck in the alternate screen.
 */

export const ALT_SCREEN_ON = '\u001B[?1049h';
export const ALT_SCREEN_OFF = '\u001B[?1049l';
export const SHOW_CURSOR = '\u001B[?25h';
export const CLEAR_HOME = '\u001B[2J\u001B[H';
/** Bracketed paste: the terminal marks pasted text, so a pasted line break is not taken for Enter. */
export const PASTE_ON = '\u001B[?2004h';
export const PASTE_OFF = '\u001B[?2004l';
/** Mouse reporting: button presses and the wheel (1000), in SGR form (1006). Shift+drag still selects text. */
export const MOUSE_ON = '\u001B[?1000h\u001B[?1006h';
export const MOUSE_OFF = '\u001B[?1000l\u001B[?1006l';

export interface FullScreen {
  /** Leaves the alternate screen and shows the cursor; safe to call more than once. */
  leave(): void;
}

/** A terminal input stream (raw mode is what a TTY's stdin has). */
interface RawModeStream {
  isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
}

/**
 * Switches `stdout` to the alternate screen (with bracketed paste) and `stdin` to raw mode; the returned leave()
 * restores both (also on process exit). Raw mode is set here, before the first frame, because Ink sets it only in an
 * effect after its first render: keys typed in between would be echoed by the terminal and held back until Enter as
 * one line.
 */
export function enterFullScreen(stdout: NodeJS.WritableStream, stdin?: NodeJS.ReadableStream): FullScreen {
  const input = stdin as RawModeStream | undefined;
  let left = false;
  const leave = () => {
    if (left) return;
    left = true;
    process.off('exit', leave);
    try {
      if (input?.isTTY) input.setRawMode?.(false);
    } catch {
      // Already closed.
    }
    try {
      stdout.write(MOUSE_OFF + PASTE_OFF + ALT_SCREEN_OFF + SHOW_CURSOR);
    } catch {
      // The terminal is gone (SIGHUP): nothing left to restore.
    }
  };
  if (input?.isTTY) input.setRawMode?.(true);
  stdout.write(ALT_SCREEN_ON + CLEAR_HOME + PASTE_ON);
  process.on('exit', leave);
  return {leave};
}

/** Signals that end the client, with their numbers (exit code 128 + n). */
const SIGNALS = [['SIGTERM', 15], ['SIGHUP', 1], ['SIGINT', 2]] as const;

export interface GuardHandlers {
  /** A signal arrived: tidy up (synchronously) before the process exits with 128 + n. */
  onSignal(signal: NodeJS.Signals): void;
  /** An uncaught exception or unhandled rejection: tidy up before the process exits with 70. */
  onCrash(error: unknown): void;
}

/** Where guards listen and how they exit; injectable for tests. */
export interface GuardOptions {
  /** @default process.exit */
  readonly exit?: (code: number) => void;
  /** @default process */
  readonly events?: NodeJS.EventEmitter;
}

/**
 * Installs the handlers that restore the terminal on signals and crashes; returns the function that removes them.
 * The handlers exit the process themselves.
 */
export function installGuards(handlers: GuardHandlers, options: GuardOptions = {}): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const events = options.events ?? process;
  const signalHandlers = SIGNALS.map(([signal, number]) => {
    const handler = () => {
      try {
        handlers.onSignal(signal);
      } finally {
        exit(128 + number);
      }
    };
    events.on(signal, handler);
    return [signal, handler] as const;
  });
  const crash = (error: unknown) => {
    try {
      handlers.onCrash(error);
    } finally {
      exit(70);
    }
  };
  events.on('uncaughtException', crash);
  events.on('unhandledRejection', crash);
  return () => {
    for (const [signal, handler] of signalHandlers) events.off(signal, handler);
    events.off('uncaughtException', crash);
    events.off('unhandledRejection', crash);
  };
}
