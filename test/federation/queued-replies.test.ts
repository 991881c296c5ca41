/**
 * The realm send commands' exact replies while the other realm is down (queued), and the checks the sending realm
 * makes on its own before anything is queued: rules that the full mutation run of daemon/handlers found unguarded.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {TestDaemon} from '../helpers/daemon.js';
import {link, realmEntry, startRealm, user, waitFor, type TestUser} from './helpers.js';

const MAX = 64;
let alpha: TestDaemon;
let alice: TestUser;
let dan: TestUser;

/** alpha linked to beta, then beta stopped: alpha queues whatever goes to beta. */
beforeAll(async () => {
  alpha = await startRealm('alpha', {daemon: {maxFileBytes: MAX, fileLimits: {
    messages: {perSecond: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY},
    bytes: {perSecond: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY},
    // Far below the files sent here: a file for a user of this realm would be refused, one for another realm is not.
    unreadBytesPerRecipient: 2,
  }}});
  const beta = await startRealm('beta');
  alice = await user(alpha.port, 'alice');
  dan = await user(alpha.port, 'dan');
  const bob = await user(beta.port, 'bob');
  await link({port: alpha.port, client: alice.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
  bob.client.close();
  await beta.cleanup();
  await waitFor(async () => (await realmEntry(alice.client, 'beta'))?.state === 'backoff', 10_000, 'alpha to see beta down');
});
afterAll(async () => {
  alice.client.close();
  dan.client.close();
  await alpha.cleanup();
});

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('queued replies name what was queued', () => {
  it('sendgrouprealm to a group: one id; to a user list: ids', async () => {
    const group = await alice.client.request('sendgrouprealm beta crew hello crew');
    expect(group).toEqual({status: 'OK', message: 'Message queued for group in realm', id: group.id, realm: 'beta', queued: true});
    expect(Number.isInteger(group.id)).toBe(true);
    const list = await alice.client.request('sendgrouprealm beta bob,budi hello both');
    expect(list).toEqual({status: 'OK', message: 'Message queued for group in realm', ids: list.ids, realm: 'beta', queued: true});
    expect(list.ids).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('sendgroupfilerealm to a group: its id and file_id; to a user list: ids and no file_id', async () => {
    const group = await alice.client.request(`sendgroupfilerealm beta crew plan.txt ${base64('the plan')}`);
    expect(group).toEqual({status: 'OK', message: 'File queued for group in realm', id: group.id, file_id: group.id, realm: 'beta',
      file_name: 'plan.txt', file_size: 8, queued: true});
    expect(Number.isInteger(group.id)).toBe(true);
    const list = await alice.client.request(`sendgroupfilerealm beta bob,budi list.txt ${base64('a list')}`);
    expect(list).toEqual({status: 'OK', message: 'File queued for group in realm', ids: list.ids, realm: 'beta', file_name: 'list.txt',
      file_size: 6, queued: true});
    expect(list.ids).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('sendfilerealm: its id and file_id', async () => {
    const sent = await alice.client.request(`sendfilerealm beta bob one.txt ${base64('one')}`);
    expect(sent).toEqual({status: 'OK', message: 'File queued for user in realm', id: sent.id, file_id: sent.id, realm: 'beta',
      file_name: 'one.txt', file_size: 3, queued: true});
  });
});

describe('the sending realm\'s own checks before a file is queued', () => {
  it('refuses a bad or too large file to another realm\'s group or users with the exact error', async () => {
    const badFile = {status: 'ERROR', message: 'Isi file bukan base64 yang valid', code: 'BAD_FILE'};
    const tooLarge = {status: 'ERROR', message: 'File terlalu besar', code: 'FILE_TOO_LARGE', max_file_bytes: MAX};
    const big = Buffer.alloc(MAX + 1, 1).toString('base64');
    const before = (await realmEntry(alice.client, 'beta'))!.queued;
    for (const target of ['crew', 'bob,budi']) {
      expect(await alice.client.request(`sendgroupfilerealm beta ${target} bad.bin b'not base64!'`), target).toEqual(badFile);
      expect(await alice.client.request(`sendgroupfilerealm beta ${target} big.bin ${big}`), target).toEqual(tooLarge);
    }
    expect(await alice.client.request('sendfilerealm beta bob bad.bin b\'not base64!\'')).toEqual(badFile);
    expect((await realmEntry(alice.client, 'beta'))!.queued).toBe(before);
  });

  it('leaves the unread bound per recipient to the receiving realm: a file to another realm is not held to ours', async () => {
    expect(await alice.client.request(`sendgroupfilerealm beta crew notes.txt ${base64('longer than two bytes')}`)).toMatchObject(
      {status: 'OK', queued: true});
    // Ours applies to a user of this realm (2 bytes here).
    expect(await alice.client.request(`sendfile dan notes.txt ${base64('longer than two bytes')}`)).toMatchObject(
      {status: 'ERROR', code: 'RATE_LIMITED'});
  });
});

describe('getfile of a file sent to another realm\'s group', () => {
  it('gives it to its sender, never to a member of a local group of the same name', async () => {
    const sent = await alice.client.request(`sendgroupfilerealm beta crew crew.txt ${base64('for crew@beta')}`);
    expect(sent).toMatchObject({status: 'OK', queued: true});
    expect(await dan.client.request('addgroup crew')).toMatchObject({status: 'OK'});
    expect(await dan.client.request(`getfile ${sent.file_id}`)).toEqual(
      {status: 'ERROR', message: 'File tidak ditemukan', code: 'FILE_NOT_FOUND'});
    expect(await alice.client.request(`getfile ${sent.file_id}`)).toMatchObject({status: 'OK', file_name: 'crew.txt'});
  });
});
