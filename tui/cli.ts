#!/usr/bin/env node
/**
 * realmchat: the shell client's entry point. Everything lives in runCli (./shell/run.ts); this file only connects
 * it to the process: argv, streams, environment, and the exit code.
 */
import {runCli} from './shell/run.js';

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
  });
} catch (error) {
  process.stderr.write(`realmchat: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 70; // EX_SOFTWARE: a bug in realmchat, not a daemon ERROR (1)
}
