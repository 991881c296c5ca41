/**
 * The course client's file verbs across realms (sendfilerealm, sendgroupfilerealm), in Python with its exact bytes
 * (`<cmd> <token> <realm> <to> <path> b'…'`), against two linked in-process realms: bytes intact at the receiver.
 */
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {TestDaemon} from '../helpers/daemon.js';
import {link, startRealm, user, type TestUser} from '../federation/helpers.js';

const SCRIPT = join(import.meta.dirname, 'course_client.py');
const hasPython = spawnSync('python3', ['--version']).status === 0;

let alpha: TestDaemon;
let beta: TestDaemon;
let bob: TestUser;
let budi: TestUser;
let files: string;

beforeAll(async () => {
  alpha = await startRealm('alpha');
  beta = await startRealm('beta');
  files = mkdtempSync(join(tmpdir(), 'realmchat-course-files-'));
  bob = await user(beta.port, 'bob');
  budi = await user(beta.port, 'budi');
  const linker = await user(alpha.port, 'linker');
  await link({port: alpha.port, client: linker.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
  linker.client.close();
  await bob.client.request('addgroup kelas');
  await budi.client.request('joingroup kelas');
});

afterAll(async () => {
  for (const u of [bob, budi]) u?.client.close();
  await Promise.all([alpha, beta].map((daemon) => daemon?.cleanup()));
  rmSync(files, {recursive: true, force: true});
});

async function runCourseClient(port: number, commands: string[]): Promise<Array<Record<string, unknown>>> {
  const child = spawn('python3', [SCRIPT, String(port)], {stdio: ['pipe', 'pipe', 'pipe']});
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

describe.skipIf(!hasPython)('the course client\'s realm file verbs', () => {
  it('sendfilerealm and sendgroupfilerealm deliver every byte value to the other realm', async () => {
    const content = Buffer.from(Array.from({length: 512}, (_, i) => (i * 31) & 0xff));
    const path = join(files, 'foto.png');
    writeFileSync(path, content);
    const results = await runCourseClient(alpha.port, [
      'register budi2 rahasia Budi_Santoso indonesia',
      `sendfilerealm beta bob ${path}`,
      `sendgroupfilerealm beta kelas ${path}`,
      `sendgroupfilerealm beta bob,budi ${path}`,
      `sendfilerealm beta nobody ${path}`,
      `sendfilerealm gamma bob ${path}`,
    ]);
    expect(results.map((r) => r.status)).toEqual(['OK', 'OK', 'OK', 'OK', 'ERROR', 'ERROR']);
    expect(results[1]).toMatchObject({message: 'File sent to user in realm', file_name: 'foto.png', file_size: 512});
    expect(results[4]).toMatchObject({message: 'User tidak ditemukan'});
    expect(results[5]).toMatchObject({message: 'Realm tidak ditemukan'});
    const atBob = (await bob.client.request('getrealminbox alpha')).messages as Array<{file_content: string; msg_from: string}>;
    expect(atBob).toHaveLength(3);
    for (const message of atBob) {
      expect(message.msg_from).toBe('budi2@alpha');
      expect(Buffer.from(message.file_content, 'base64')).toEqual(content);
    }
    expect((await budi.client.request('getrealminbox alpha')).messages).toHaveLength(2);
  });
});
