/**
 * Drives a real program in a pseudo-terminal (@lydell/node-pty: node-pty with prebuilt binaries) and keeps the screen
 * in a headless xterm (@xterm/headless), so tests wait on what a user would see. CI and CONTINUOUS_INTEGRATION are
 * removed from the child's environment: with them Ink renders nothing until exit.
 */
import pty from '@lydell/node-pty';
import xterm from '@xterm/headless';

export interface PtySession {
  readonly term: xterm.Terminal;
  /** The visible screen as text, one line per row (trailing spaces trimmed). */
  screen(): string;
  /** Every byte the program wrote so far, escapes included (what was drawn and then erased too). */
  output(): string;
  /** Waits (bounded) until the screen contains `text` (or passes the check); throws with the screen otherwise. */
  waitFor(text: string | RegExp | ((screen: string) => boolean), ms?: number): Promise<void>;
  /** Writes bytes (keys) to the program. */
  write(data: string): void;
  /** Writes text, then waits until `expect` (default: the text) is on screen: keys never run into each other. */
  type(text: string, expect?: string | RegExp): Promise<void>;
  resize(columns: number, rows: number): void;
  kill(signal?: string): void;
  /** The exit code (128 + n after a signal the program handled; `signal` set when it did not). */
  readonly exited: Promise<{exitCode: number; signal?: number}>;
}

export function startPty(args: readonly string[], options: {columns?: number; rows?: number; env?: NodeJS.ProcessEnv; cwd?: string} = {}): PtySession {
  const columns = options.columns ?? 100;
  const rows = options.rows ?? 30;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({...process.env, ...options.env, TERM: 'xterm-256color'})) {
    if (value !== undefined && key !== 'CI' && key !== 'CONTINUOUS_INTEGRATION') env[key] = value;
  }
  const term = new xterm.Terminal({cols: columns, rows, allowProposedApi: true});
  const child = pty.spawn(process.execPath, [...args], {name: 'xterm-256color', cols: columns, rows, env, ...(options.cwd ? {cwd: options.cwd} : {})});
  const written: string[] = [];
  child.onData((data) => {
    written.push(data);
    term.write(data);
  });
  const exited = new Promise<{exitCode: number; signal?: number}>((resolve) => child.onExit((event) => resolve(event)));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const screen = () => {
    const buffer = term.buffer.active;
    return Array.from({length: term.rows}, (_, i) => buffer.getLine(buffer.viewportY + i)?.translateToString(true) ?? '').join('\n');
  };
  const flushed = () => new Promise<void>((resolve) => term.write('', resolve));
  const waitFor = async (text: string | RegExp | ((screen: string) => boolean), ms = 8000) => {
    const end = Date.now() + ms;
    for (;;) {
      await flushed();
      const shown = screen();
      if (typeof text === 'string' ? shown.includes(text) : typeof text === 'function' ? text(shown) : text.test(shown)) return;
      if (Date.now() > end) throw new Error(`the screen does not show ${String(text)}${done ? ' (the program has exited)' : ''}:\n${shown}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  return {
    term, screen, waitFor, exited,
    output: () => written.join(''),
    write: (data) => child.write(data),
    type: async (text, expect) => {
      child.write(text);
      await waitFor(expect ?? text);
    },
    resize: (c, r) => {
      child.resize(c, r);
      term.resize(c, r);
    },
    kill: (signal) => {
      if (done) return;
      try {
        child.kill(signal);
      } catch {
        // Already gone.
      }
    },
  };
}
