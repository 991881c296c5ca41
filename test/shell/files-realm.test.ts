/** realmchat sendfile to user@realm and #group@realm: files to another realm from the shell client, bytes intact. */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {TestDaemon} from '../helpers/daemon.js';
import {link, startRealm, user, type TestUser} from '../federation/helpers.js';
import {cli, tempConfigDir} from './cli-helpers.js';

let alpha: TestDaemon;
let beta: TestDaemon;
let bob: TestUser;
let budi: TestUser;
let files: string;
let config: {dir: string; remove: () => void};

beforeAll(async () => {
  alpha = await startRealm('alpha');
  beta = await startRealm('beta');
  files = mkdtempSync(join(tmpdir(), 'realmchat-files-realm-'));
  config = tempConfigDir();
  await cli(['--server', `127.0.0.1:${alpha.port}`, 'register', 'alice', 'pw', 'Alice', 'id'], config.dir);
  bob = await user(beta.port, 'bob');
  budi = await user(beta.port, 'budi');
  const alice = await user(alpha.port, 'alice2');
  await link({port: alpha.port, client: alice.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
  alice.client.close();
});

afterAll(async () => {
  for (const u of [bob, budi]) u?.client.close();
  await Promise.all([alpha, beta].map((daemon) => daemon?.cleanup()));
  rmSync(files, {recursive: true, force: true});
  config?.remove();
});

describe('realmchat sendfile across realms', () => {
  it('sends to user@realm (sendfilerealm) and #group@realm (sendgroupfilerealm)', async () => {
    const content = Buffer.from(Array.from({length: 256}, (_, i) => 255 - i));
    writeFileSync(join(files, 'bytes.bin'), content);
    const toBob = await cli(['sendfile', 'bob@beta', join(files, 'bytes.bin')], config.dir);
    expect(toBob).toMatchObject({code: 0, stdout: 'Sent bytes.bin (256 B) to bob@beta.\n'});
    const [message] = (await bob.client.request('getrealminbox alpha')).messages as Array<{file_content: string; msg_from: string}>;
    expect(message!.msg_from).toBe('alice@alpha');
    expect(Buffer.from(message!.file_content, 'base64')).toEqual(content);

    await bob.client.request('addgroup crew');
    await budi.client.request('joingroup crew');
    const toCrew = await cli(['--json', 'sendfile', '#crew@beta', join(files, 'bytes.bin')], config.dir);
    expect(toCrew.code).toBe(0);
    expect(JSON.parse(toCrew.stdout)).toMatchObject({status: 'OK', message: 'File sent to group in realm', realm: 'beta', file_name: 'bytes.bin'});
    const [forBudi] = (await budi.client.request('getrealminbox alpha')).messages as Array<{file_content: string; group: string}>;
    expect(forBudi).toMatchObject({group: 'crew', file_content: content.toString('base64')});
  });
});
