/**
 * sendgroupfilerealm without a link: to the daemon's own realm (like sendgroupfile for a group, one private file
 * each for a user list) and to a realm that is not linked (REALM_NOT_FOUND before any content is stored). The
 * realm-to-realm path is in test/federation/files.test.ts.
 */
import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Reply} from '../../common/protocol/replies.js';
import type {DaemonOptions} from '../../daemon/context.js';
import {LineClient, NO_SEND_LIMITS, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

const MAX = 64;
let server: TestDaemon;
beforeAll(async () => {
  server = await startDaemon({realm: 'alpha', maxFileBytes: MAX});
});
afterAll(async () => {
  await server.cleanup();
});

type WireMessage = {id: number; msg: string; msg_from: string; msg_to: string; group?: string; file_id?: number; file_name?: string;
  file_size?: number; file_content?: string};
const inboxOf = (reply: Reply) => reply.messages as Record<string, WireMessage[]>;
/** Whether the daemon's blob folder holds this content (blobs are named by their SHA-256). */
const blobStored = (daemon: TestDaemon, content: Buffer) => {
  const sha256 = createHash('sha256').update(content).digest('hex');
  return existsSync(join(daemon.dir, 'files', sha256.slice(0, 2), sha256));
};

/**
 * Runs `body` against a daemon of realm alpha of its own (limits that the shared one must not have), with the
 * users `<prefix>_a`, `<prefix>_b` and `<prefix>_c` logged in; closes them and removes the daemon afterwards.
 */
async function withOwnDaemon(options: Partial<DaemonOptions>, prefix: string,
  body: (daemon: TestDaemon, a: LineClient, b: LineClient, c: LineClient) => Promise<void>): Promise<void> {
  const daemon = await startDaemon({realm: 'alpha', ...options});
  const clients: LineClient[] = [];
  try {
    for (const name of ['a', 'b', 'c']) clients.push((await registerUser(daemon.port, `${prefix}_${name}`)).client);
    await body(daemon, clients[0]!, clients[1]!, clients[2]!);
  } finally {
    for (const client of clients) client.close();
    await daemon.cleanup();
  }
}

describe('sendgroupfilerealm to the own realm', () => {
  it('sends to a group like sendgroupfile: its reply, members only, no copy to the sender, any case of the realm', async () => {
    const {client: a} = await registerUser(server.port, 'gfo_a');
    const {client: b, token: bToken} = await registerUser(server.port, 'gfo_b');
    const {client: c} = await registerUser(server.port, 'gfo_c');
    expect(await a.request('addgroup gfo_crew')).toMatchObject({status: 'OK'});
    expect(await b.request('joingroup gfo_crew')).toMatchObject({status: 'OK'});
    const content = Buffer.from('group photo bytes');
    const reply = await a.request(`sendgroupfilerealm alpha gfo_crew /tmp/photo.png ${content.toString('base64')}`);
    expect(reply).toEqual({status: 'OK', message: 'File sent to group', id: reply.id, file_id: reply.id, file_name: 'photo.png',
      file_size: content.length});
    expect(Number.isInteger(reply.id)).toBe(true);
    const received = inboxOf(await b.request('inbox')).gfo_a!;
    expect(received).toEqual([expect.objectContaining({id: reply.id, msg: `[file] photo.png (${content.length} B)`, group: 'gfo_crew',
      file_id: reply.id, file_name: 'photo.png', file_size: content.length})]);
    expect(Buffer.from(received[0]!.file_content!, 'base64')).toEqual(content);
    expect(await b.request(`getfile ${bToken} ${reply.id}`)).toMatchObject({status: 'OK', file_name: 'photo.png'});
    expect(inboxOf(await a.request('inbox'))).toEqual({});

    const again = await a.request(`sendgroupfilerealm ALPHA group:GFO_CREW again.txt ${Buffer.from('again').toString('base64')}`);
    expect(again).toMatchObject({status: 'OK', message: 'File sent to group', file_name: 'again.txt', file_size: 5});
    expect(inboxOf(await b.request('inbox')).gfo_a!.map((m) => [m.id, m.file_name, m.group])).toEqual([[again.id, 'again.txt', 'gfo_crew']]);

    expect(await c.request('sendgroupfilerealm alpha gfo_crew x.txt eA==')).toEqual(
      {status: 'ERROR', message: 'User bukan anggota group', code: 'NOT_A_MEMBER'});
    expect(await a.request('sendgroupfilerealm alpha gfo_nogroup x.txt eA==')).toEqual(
      {status: 'ERROR', message: 'Group tidak ditemukan', code: 'GROUP_NOT_FOUND'});
    for (const client of [a, b, c]) client.close();
  });

  it('sends to a user list one private file each (ids in order, one stored content); all or nothing', async () => {
    const {client: a, token: aToken} = await registerUser(server.port, 'gfl_a');
    const {client: b, token: bToken} = await registerUser(server.port, 'gfl_b');
    const {client: c, token: cToken} = await registerUser(server.port, 'gfl_c');
    const refused = Buffer.from('never stored, a user is missing');
    expect(await a.request(`sendgroupfilerealm alpha gfl_b,gfl_nobody lost.txt ${refused.toString('base64')}`)).toEqual(
      {status: 'ERROR', message: 'User tidak ditemukan', code: 'USER_NOT_FOUND'});
    expect(blobStored(server, refused)).toBe(false);
    expect(inboxOf(await b.request('inbox'))).toEqual({});

    const content = Buffer.from([0, 1, 2, 250, 255]);
    const reply = await a.request(`sendgroupfilerealm alpha gfl_b,GFL_C,gfl_b /x/list.bin b'${content.toString('base64')}'`);
    expect(reply).toEqual({status: 'OK', message: 'File sent to group in realm', ids: reply.ids, file_name: 'list.bin', file_size: 5});
    const ids = reply.ids as number[];
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(Number.isInteger(id)).toBe(true);
    expect(ids[1]!).toBeGreaterThan(ids[0]!);
    expect(blobStored(server, content)).toBe(true);
    for (const [client, token, name, id] of [[b, bToken, 'gfl_b', ids[0]], [c, cToken, 'gfl_c', ids[1]]] as const) {
      const received = inboxOf(await client.request('inbox')).gfl_a!;
      expect(received).toEqual([expect.objectContaining({id, msg: '[file] list.bin (5 B)', msg_from: 'gfl_a', msg_to: name, file_id: id,
        file_name: 'list.bin', file_size: 5})]);
      expect(received[0]!.group).toBeUndefined();
      expect(Buffer.from(received[0]!.file_content!, 'base64')).toEqual(content);
      expect(await client.request(`getfile ${token} ${id}`)).toMatchObject({status: 'OK', file_name: 'list.bin', msg_to: name});
    }
    // The sender's copies: each is its own file message.
    expect(await a.request(`getfile ${aToken} ${ids[1]}`)).toMatchObject({status: 'OK', msg_from: 'gfl_a', msg_to: 'gfl_c'});
    for (const client of [a, b, c]) client.close();
  });

  it('checks the file as sendfile does, before anything is delivered: BAD_FILE, FILE_TOO_LARGE', async () => {
    const {client: a} = await registerUser(server.port, 'gfc_a');
    const {client: b} = await registerUser(server.port, 'gfc_b');
    await registerUser(server.port, 'gfc_c');
    expect(await a.request('sendgroupfilerealm alpha gfc_b,gfc_c bad.bin b\'not base64!\'')).toEqual(
      {status: 'ERROR', message: 'Isi file bukan base64 yang valid', code: 'BAD_FILE'});
    const tooBig = Buffer.alloc(MAX + 1, 7);
    expect(await a.request(`sendgroupfilerealm alpha gfc_b,gfc_c big.bin ${tooBig.toString('base64')}`)).toEqual(
      {status: 'ERROR', message: 'File terlalu besar', code: 'FILE_TOO_LARGE', max_file_bytes: MAX});
    expect(blobStored(server, tooBig)).toBe(false);
    expect(inboxOf(await b.request('inbox'))).toEqual({});
    a.close();
    b.close();
  });

  it('counts the file against every listed recipient\'s unread allowance', async () => {
    // Files may leave 8 unread bytes per recipient: a 5-byte file fits once, the second does not.
    const fileLimits = {...NO_SEND_LIMITS, unreadBytesPerRecipient: 8};
    await withOwnDaemon({fileLimits}, 'gfu', async (limited, a) => {
      const first = Buffer.from('first');
      expect(await a.request(`sendgroupfilerealm alpha gfu_b,gfu_c one.txt ${first.toString('base64')}`)).toMatchObject({status: 'OK'});
      const second = Buffer.from('again');
      expect(await a.request(`sendgroupfilerealm alpha gfu_c,gfu_b two.txt ${second.toString('base64')}`)).toEqual(
        {status: 'ERROR', message: 'Terlalu banyak pesan, coba lagi nanti', code: 'RATE_LIMITED', retry_after: 60});
      expect(blobStored(limited, second)).toBe(false);
    });
  });
});

describe('a user list on the own realm past the sender\'s message allowance', () => {
  it('sends to the users it may and answers null for the others, for files and text alike', async () => {
    // One message allowed, never refilled during the test.
    const sendLimits = {...NO_SEND_LIMITS, messages: {perSecond: 1e-6, burst: 1}};
    await withOwnDaemon({sendLimits}, 'gfn', async (_limited, a, b, c) => {
      const reply = await a.request(`sendgroupfilerealm alpha gfn_b,gfn_c one.txt ${Buffer.from('one').toString('base64')}`);
      expect(reply).toEqual({status: 'OK', message: 'File sent to group in realm', ids: [expect.any(Number), null], file_name: 'one.txt',
        file_size: 3});
      expect(inboxOf(await b.request('inbox')).gfn_a!.map((m) => m.id)).toEqual([(reply.ids as number[])[0]]);
      expect(inboxOf(await c.request('inbox'))).toEqual({});
      expect(await a.request('sendgrouprealm alpha gfn_c,gfn_b text')).toEqual({status: 'OK', message: 'Message sent to group in realm', ids: [null, null]});
    });
  });
});

describe('sendgroupfilerealm to a realm that is not linked', () => {
  it('answers Realm tidak ditemukan before any content is stored or any file allowance is taken', async () => {
    // One file allowed, never refilled during the test: a refusal that took it would refuse the next file.
    const fileLimits = {...NO_SEND_LIMITS, messages: {perSecond: 1e-6, burst: 1}};
    await withOwnDaemon({fileLimits}, 'gfr', async (lone, a) => {
      const content = Buffer.from('for a realm nobody linked');
      const notFound = {status: 'ERROR', message: 'Realm tidak ditemukan', code: 'REALM_NOT_FOUND'};
      for (const line of [`sendgroupfilerealm nowhere crew a.txt ${content.toString('base64')}`,
        `sendgroupfilerealm NOWHERE bob,carol a.txt ${content.toString('base64')}`]) {
        expect(await a.request(line), line).toEqual(notFound);
      }
      expect(blobStored(lone, content)).toBe(false);
      expect(await a.request(`sendgroupfilerealm alpha gfr_b,gfr_c a.txt ${content.toString('base64')}`)).toMatchObject(
        {status: 'OK', ids: [expect.any(Number), expect.any(Number)]});
      expect(blobStored(lone, content)).toBe(true);
      expect(await a.request(`sendgroupfilerealm alpha gfr_b,gfr_c b.txt ${content.toString('base64')}`)).toMatchObject(
        {status: 'ERROR', code: 'RATE_LIMITED'});
    });
  });
});
