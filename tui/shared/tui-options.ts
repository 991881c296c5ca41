/**
 * The contract between the command line and the full-screen client: tui/cli.ts hands runCli (shell/) a `StartTui`,
 * which is tui/app/main.tsx's `startTui`. Declared here so that neither face imports the other.
 */
import type {ServerAddress} from '../../common/client/address.js';
import type {SessionConfig} from './config.js';

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
  /** --mouse / --no-mouse, when given. */
  readonly mouse?: boolean | undefined;
}

/** Runs the full-screen client until it quits; resolves with the exit code (default 0). */
export type StartTui = (options: TuiOptions) => Promise<number | void> | number | void;
