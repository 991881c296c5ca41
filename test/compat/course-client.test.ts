/** The course's client behaviour (per-chunk decoding, its exact request bytes) against a real daemon, in Python. */
import {spawn, spawnSync} from 'node:child_process';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startDaemon, type TestDaemon} from '../helpers/daemon.js';

const SCRIPT = join(import.meta.dirname, 'course_client.py');
const hasPython = spawnSync('python3', ['--version']).status === 0;

let server: TestDaemon;
beforeAll(async () => {
  server = await startDaemon();
});
afterAll(async () => {
  await server.cleanup();
});

/** Runs the client as a child process (asynchronously: the daemon runs in this process and must keep serving). */
async function runCourseClient(commands: string[]): Promise<Array<Record<string, unknown>>> {
  const child = spawn('python3', [SCRIPT, String(server.port)], {stdio: ['pipe', 'pipe', 'pipe']});
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(commands.join('\n') + '\n');
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return stdout.trim().split('\n').map((line) => JSON.parse(line));
}

describe.skipIf(!hasPython)('a course-style Python client', () => {
  it('registers, sends non-ASCII text in 64-byte chunks, reads its inbox and logs out', async () => {
    const long = 'ü日本🎉'.repeat(300); // multi-byte characters across many 64-byte recv() boundaries
    const sender = await runCourseClient([
      'register budi rahasia Budi_Santoso indonesia',
      'register ani rahasia Ani_Wijaya indonesia',
      'auth budi rahasia',
      `send ani halo ${long}`,
      'addgroup kelas',
      'info',
      'logout',
    ]);
    expect(sender.map((r) => r.status)).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'OK']);
    const reader = await runCourseClient(['auth ani rahasia', 'joingroup kelas', 'inbox', 'inbox']);
    expect(reader[0]).toMatchObject({status: 'OK'});
    const messages = reader[2]!.messages as Record<string, Array<{msg: string}>>;
    expect(messages.budi![0]!.msg).toBe(`halo ${long}`);
    expect(reader[3]!.messages).toEqual({});
  });
});
