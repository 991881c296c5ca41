/**
 * The hook for `realmchat` without arguments: the full-screen client lives in tui/app/main.tsx (built to
 * dist/tui/app/main.js), which must export `startTui` with this signature. Until it exists, realmchat prints how
 * to use the one-shot commands and the line mode instead.
 */
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import type {ServerAddress} from '../../common/client/address.js';
import type {SessionConfig} from '../config.js';

/** What realmchat hands the full-screen client. */
export interface TuiOptions {
  /** The daemon: --server, else the remembered one, else 127.0.0.1:8889 (already remembered when given). */
  readonly server: ServerAddress;
  /** The stored session (username, token); the TUI logs in and out through it like the shell does. */
  readonly config: SessionConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** --color / --no-color, when given. */
  readonly color: boolean | undefined;
  /** --bell / --no-bell (bell for direct messages), when given. */
  readonly bell?: boolean | undefined;
}

/** tui/app/main's export: runs the full-screen client until it quits; resolves with the exit code (default 0). */
export type StartTui = (options: TuiOptions) => Promise<number | void> | number | void;

/** Loads `startTui` from ../app/main.js, or undefined when the full-screen client is not built yet. */
export async function loadStartTui(): Promise<StartTui | undefined> {
  const url = new URL('../app/main.js', import.meta.url);
  // Checking the file first keeps a genuine import error inside the TUI from being mistaken for "not built".
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return undefined;
  const module = (await import(url.href)) as {startTui?: unknown};
  return typeof module.startTui === 'function' ? (module.startTui as StartTui) : undefined;
}
