/** Files across realms: sendfilerealm and sendgroupfilerealm, bytes intact, limits of the receiving realm, blob GC. */
import {existsSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {BlobFolder} from '../../daemon/store/blob-folder.js';
import type {TestDaemon} from '../helpers/daemon.js';
import {link, login, realmEntry, startRealm, texts, user, waitFor, type TestUser} from './helpers.js';

/** Beta's file limit: small, so "at the limit" and "over it" stay cheap. */
const BETA_MAX = 600 * 1024;

let alpha: TestDaemon;
let beta: TestDaemon;
let alice: TestUser;
let bob: TestUser;
let budi: TestUser;

beforeAll(async () => {
  alpha = await startRealm('alpha');
  beta = await startRealm('beta', {daemon: {maxFileBytes: BETA_MAX}});
  alice = await user(alpha.port, 'alice');
  bob = await user(beta.port, 'bob');
  budi = await user(beta.port, 'budi');
  await link({port: alpha.port, client: alice.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
});

afterAll(async () => {
  for (const u of [alice, bob, budi]) u?.client.close();
  await Promise.all([alpha, beta].map((daemon) => daemon?.cleanup()));
});

const EVERY_BYTE = Buffer.from(Array.from({length: 256}, (_, i) => i));
const sha = (content: Buffer) => BlobFolder.hash(content);
const blobPath = (daemon: TestDaemon, content: Buffer) => join(daemon.dir, 'files', sha(content).slice(0, 2), sha(content));

/** Bob's realm inbox entries from alpha. */
async function filesFromAlpha(client: TestUser['client']): Promise<Array<Record<string, unknown>>> {
  const reply = await client.request('getrealminbox alpha');
  return reply.messages as Array<Record<string, unknown>>;
}

describe('sendfilerealm', () => {
  it('carries every byte value to a user of the other realm, as the course client sends it (b\'…\')', async () => {
    const reply = await alice.client.request(`sendfilerealm ${alice.token} beta bob /home/u/every byte.bin b'${EVERY_BYTE.toString('base64')}'`);
    expect(reply).toMatchObject({status: 'OK', message: 'File sent to user in realm', realm: 'beta', file_name: 'every byte.bin', file_size: 256});
    const [message] = await filesFromAlpha(bob.client);
    expect(message).toMatchObject({msg_from: 'alice@alpha', msg_to: 'bob', file_name: 'every byte.bin', file_size: 256, msg: '[file] every byte.bin (256 B)'});
    expect(Buffer.from(message!.file_content as string, 'base64')).toEqual(EVERY_BYTE);
    const fetched = await bob.client.request(`getfile ${message!.file_id as number}`);
    expect(Buffer.from(fetched.file_content as string, 'base64')).toEqual(EVERY_BYTE);
    // The sender keeps its copy, which it may fetch too.
    expect(Buffer.from((await alice.client.request(`getfile ${reply.file_id as number}`)).file_content as string, 'base64')).toEqual(EVERY_BYTE);
  });

  it('carries a 0-byte file', async () => {
    expect(await alice.client.request('sendfilerealm beta bob empty.txt ')).toMatchObject({status: 'ERROR'}); // no content word
    expect(await alice.client.request("sendfilerealm beta bob empty.txt b''")).toMatchObject({status: 'OK', file_size: 0});
    const [message] = await filesFromAlpha(bob.client);
    expect(message).toMatchObject({file_name: 'empty.txt', file_size: 0, file_content: ''});
  });

  it('carries a file of exactly the receiving realm\'s limit, in several chunks', async () => {
    const content = Buffer.alloc(BETA_MAX, 7);
    content.write('start', 0);
    content.write('end', BETA_MAX - 3);
    expect(await alice.client.request(`sendfilerealm beta bob big.bin ${content.toString('base64')}`)).toMatchObject({status: 'OK'});
    const [message] = await filesFromAlpha(bob.client);
    expect(message).toMatchObject({file_size: BETA_MAX});
    expect(Buffer.from(message!.file_content as string, 'base64').equals(content)).toBe(true);
    expect(existsSync(blobPath(beta, content))).toBe(true);
  });

  it('refuses a file over the receiving realm\'s limit: FILE_TOO_LARGE, and the sender keeps no copy nor blob', async () => {
    const content = Buffer.alloc(BETA_MAX + 1, 9);
    const reply = await alice.client.request(`sendfilerealm beta bob huge.bin ${content.toString('base64')}`);
    expect(reply).toMatchObject({status: 'ERROR', code: 'FILE_TOO_LARGE'});
    expect((await alice.client.request('history bob@beta 50')).messages).not.toContainEqual(expect.objectContaining({file_name: 'huge.bin'}));
    // The refused copy went and with it the blob (collected once the drop committed).
    await waitFor(() => !existsSync(blobPath(alpha, content)), 5000, 'the refused blob to be collected');
    expect(existsSync(blobPath(beta, content))).toBe(false);
  });

  it('answers the text commands\' errors: unknown realm, unknown user, bad base64', async () => {
    expect(await alice.client.request('sendfilerealm gamma bob a.txt aGk=')).toMatchObject({code: 'REALM_NOT_FOUND'});
    expect(await alice.client.request('sendfilerealm beta nobody a.txt aGk=')).toMatchObject({code: 'USER_NOT_FOUND'});
    expect(await alice.client.request('sendfilerealm beta bob a.txt not*base64')).toMatchObject({code: 'BAD_FILE'});
  });

  it('works like sendfile for one\'s own realm', async () => {
    const andi = await user(alpha.port, 'andi');
    expect(await alice.client.request('sendfilerealm alpha andi ../x.txt aGk=')).toMatchObject({status: 'OK', file_name: 'x.txt'});
    const inbox = await andi.client.request('inbox');
    expect(Object.values(inbox.messages as Record<string, unknown[]>).flat()).toEqual([expect.objectContaining({file_name: 'x.txt', file_content: 'aGk='})]);
    andi.client.close();
  });
});

describe('sendgroupfilerealm', () => {
  it('reaches every member of a group of the other realm, one blob there', async () => {
    await bob.client.request('addgroup crew');
    await budi.client.request('joingroup crew');
    const content = Buffer.concat([EVERY_BYTE, Buffer.from('group')]);
    expect(await alice.client.request(`sendgroupfilerealm beta crew photo.png ${content.toString('base64')}`))
      .toMatchObject({status: 'OK', message: 'File sent to group in realm', file_name: 'photo.png'});
    for (const member of [bob, budi]) {
      const [message] = await filesFromAlpha(member.client);
      expect(message).toMatchObject({group: 'crew', msg_to: member.name, file_name: 'photo.png'});
      expect(Buffer.from(message!.file_content as string, 'base64')).toEqual(content);
    }
    expect(readdirSync(join(beta.dir, 'files', sha(content).slice(0, 2)))).toEqual([sha(content)]);
  });

  it('reaches a list of users (all or nothing) and refuses an unknown group', async () => {
    const reply = await alice.client.request('sendgroupfilerealm beta bob,budi list.txt bGlzdA==');
    expect(reply).toMatchObject({status: 'OK', ids: [expect.any(Number), expect.any(Number)]});
    for (const member of [bob, budi]) expect(await filesFromAlpha(member.client)).toEqual([expect.objectContaining({file_name: 'list.txt', file_content: 'bGlzdA=='})]);
    expect(await alice.client.request('sendgroupfilerealm beta bob,nobody list.txt bGlzdA==')).toMatchObject({code: 'USER_NOT_FOUND'});
    expect(await alice.client.request('sendgroupfilerealm beta nogroup list.txt bGlzdA==')).toMatchObject({code: 'GROUP_NOT_FOUND'});
  });
});

describe('a realm that is down', () => {
  it('gets a queued file when it is back; one over its limit comes back to the sender as a notice', async () => {
    await beta.stop();
    await waitFor(async () => (await realmEntry(alice.client, 'beta'))?.state === 'backoff', 10_000, 'alpha to see beta down');
    const fits = Buffer.concat([EVERY_BYTE, EVERY_BYTE]);
    const tooBig = Buffer.alloc(BETA_MAX + 1, 4);
    expect(await alice.client.request(`sendfilerealm beta bob fits.bin ${fits.toString('base64')}`))
      .toMatchObject({status: 'OK', queued: true, message: 'File queued for user in realm', file_name: 'fits.bin'});
    expect(await alice.client.request(`sendgroupfilerealm beta crew toobig.bin ${tooBig.toString('base64')}`))
      .toMatchObject({status: 'OK', queued: true, message: 'File queued for group in realm'});
    beta = await beta.restart();
    const bob2 = await login(beta.port, 'bob');
    try {
      const [message] = await waitFor(async () => {
        const messages = await filesFromAlpha(bob2);
        return messages.length > 0 ? messages : undefined;
      }, 10_000, 'the queued file at bob');
      expect(Buffer.from(message!.file_content as string, 'base64')).toEqual(fits);
      const notice = await waitFor(async () => texts(await alice.client.request('inbox')).find((text) => text.startsWith('Delivery failed')),
        10_000, 'the notice for the refused file');
      expect(notice).toContain('File terlalu besar');
      expect(notice).toContain('toobig.bin');
      // Nothing more comes (each file once), and the refused file's blob is not kept at beta.
      expect(await filesFromAlpha(bob2)).toEqual([]);
      expect(existsSync(blobPath(beta, tooBig))).toBe(false);
    } finally {
      bob2.close();
    }
  });
});
