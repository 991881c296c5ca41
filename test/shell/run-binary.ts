/** Runs the built `realmchat` binary (dist/tui/cli.js; `npm run build` first) with pipes, as a script would. */
import {spawn} from 'node:child_process';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const BINARY = join(fileURLToPath(new URL('../../', import.meta.url)), 'dist', 'tui', 'cli.js');

/** What one run gave. */
export interface BinaryRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the binary with `args` in `env`, `input` on stdin; resolves when it has exited. */
export function runBinary(args: readonly string[], env: NodeJS.ProcessEnv, input = ''): Promise<BinaryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BINARY, ...args], {env, stdio: ['pipe', 'pipe', 'pipe']});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({code, stdout, stderr}));
    child.stdin.end(input);
  });
}
