#!/usr/bin/env node
/**
 * realmchat: the entry point, the one module above both faces. The command line lives in runCli (./shell/run.ts);
 * the full-screen client (./app/main.tsx) is handed to it as `startTui` and loaded only when it is used, so a
 * one-shot command never loads Ink. This file connects them to the process: argv, streams, environment, exit code.
 */
import {runCli} from './shell/run.js';
import type {TuiOptions} from './shared/tui-options.js';

/** `realmchat` alone, in a terminal: the full-screen client. */
async function startTui(options: TuiOptions): Promise<number> {
  const app = await import('./app/main.js');
  return app.startTui(options);
}

// `realmchat inbox | head -1` closes stdout early; that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    isTTY: process.stdout.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    startTui,
  });
} catch (error) {
  process.stderr.write(`realmchat: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 70; // EX_SOFTWARE: a bug in realmchat, not a daemon ERROR (1)
}
