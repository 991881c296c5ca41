/**
 * Rules of the handlers that the full mutation run of daemon/handlers (issue 9) found no test noticed: the file
 * allowance per recipient, sendgroupfile's file checks, a long poll with messages already unread, a history page
 * of exactly historyMaxBytes, and two registrations of one name at once.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {messagesOf} from '../../common/protocol/reply-shapes.js';
import type {Reply} from '../../common/protocol/replies.js';
import {LineClient, NO_SEND_LIMITS, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

const MAX = 64;
/** Files may leave 8 unread bytes per recipient here. */
const UNREAD_FILE_BYTES = 8;
let server: TestDaemon;
beforeAll(async () => {
  server = await startDaemon({maxFileBytes: MAX, historyMaxBytes: 10,
    fileLimits: {...NO_SEND_LIMITS, unreadBytesPerRecipient: UNREAD_FILE_BYTES}});
});
afterAll(async () => {
  await server.cleanup();
});

const base64 = (text: string) => Buffer.from(text).toString('base64');
const texts = (reply: Reply) => (reply.messages as Array<{msg: string}>).map((message) => message.msg);

describe('files and the unread allowance', () => {
  it('counts a file to a user against that user\'s unread allowance', async () => {
    const {client: a} = await registerUser(server.port, 'fu_a');
    await registerUser(server.port, 'fu_b');
    expect(await a.request(`sendfile fu_b one.txt ${base64('12345')}`)).toMatchObject({status: 'OK'});
    expect(await a.request(`sendfile fu_b two.txt ${base64('12345')}`)).toEqual(
      {status: 'ERROR', message: 'Terlalu banyak pesan, coba lagi nanti', code: 'RATE_LIMITED', retry_after: 60});
    a.close();
  });

  it('gives the allowance back once the recipient read the file', async () => {
    const {client: a} = await registerUser(server.port, 'fr_a');
    const {client: b} = await registerUser(server.port, 'fr_b');
    expect(await a.request(`sendfile fr_b one.txt ${base64('12345')}`)).toMatchObject({status: 'OK'});
    expect(await a.request(`sendfile fr_b two.txt ${base64('12345')}`)).toMatchObject({code: 'RATE_LIMITED'});
    expect(messagesOf(await b.request('inbox')).map((message) => message.file?.name)).toEqual(['one.txt']);
    expect(await a.request(`sendfile fr_b two.txt ${base64('12345')}`)).toMatchObject({status: 'OK'});
    a.close();
    b.close();
  });

  it('holds a group file to the rates only, not to any unread allowance', async () => {
    const {client: a} = await registerUser(server.port, 'fg_a');
    expect(await a.request('addgroup fg_crew')).toMatchObject({status: 'OK'});
    const big = 'more than eight bytes';
    expect(big.length).toBeGreaterThan(UNREAD_FILE_BYTES);
    expect(await a.request(`sendgroupfile fg_crew big.txt ${base64(big)}`)).toMatchObject({status: 'OK', file_size: big.length});
    a.close();
  });
});

describe('sendgroupfile', () => {
  it('checks the file once the group checks passed: BAD_FILE, FILE_TOO_LARGE, nothing sent', async () => {
    const {client: a} = await registerUser(server.port, 'sgf_a');
    const {client: b} = await registerUser(server.port, 'sgf_b');
    expect(await a.request('addgroup sgf_crew')).toMatchObject({status: 'OK'});
    expect(await b.request('joingroup sgf_crew')).toMatchObject({status: 'OK'});
    expect(await a.request('sendgroupfile sgf_crew bad.bin b\'not base64!\'')).toEqual(
      {status: 'ERROR', message: 'Isi file bukan base64 yang valid', code: 'BAD_FILE'});
    expect(await a.request(`sendgroupfile sgf_crew big.bin ${Buffer.alloc(MAX + 1).toString('base64')}`)).toEqual(
      {status: 'ERROR', message: 'File terlalu besar', code: 'FILE_TOO_LARGE', max_file_bytes: MAX});
    expect(await b.request('inbox')).toMatchObject({status: 'OK', messages: {}});
    a.close();
    b.close();
  });
});

describe('inbox with a wait', () => {
  it('answers at once with what is already unread, without waiting for more', async () => {
    const {client: a} = await registerUser(server.port, 'lw_a');
    const {client: b} = await registerUser(server.port, 'lw_b');
    expect(await a.request('send lw_b waiting already')).toMatchObject({status: 'OK'});
    // Nothing else is sent: a long poll that waited would get no reply before the client gives up.
    const reply = await b.request('inbox 60');
    expect(reply).toMatchObject({status: 'OK', more: false});
    expect((reply.messages as Record<string, Array<{msg: string}>>).lw_a!.map((m) => m.msg)).toEqual(['waiting already']);
    a.close();
    b.close();
  });
});

describe('history and historyMaxBytes (10 here)', () => {
  it('keeps a page of exactly historyMaxBytes whole, and stops one byte past it', async () => {
    const {client: a} = await registerUser(server.port, 'hx_a');
    await registerUser(server.port, 'hx_b');
    for (const text of ['12345', '67890']) expect(await a.request(`send hx_b ${text}`)).toMatchObject({status: 'OK'});
    const exact = await a.request('history hx_b');
    expect(texts(exact)).toEqual(['12345', '67890']);
    expect(exact.more).toBe(false);
    expect(await a.request('send hx_b x')).toMatchObject({status: 'OK'});
    const past = await a.request('history hx_b');
    expect(texts(past)).toEqual(['67890', 'x']);
    expect(past.more).toBe(true);
    a.close();
  });
});

describe('register', () => {
  it('gives a name to one of two registrations that ask for it at once; the other gets User sudah ada', async () => {
    // A real password cost, so that both requests are read while the first one's hash is still running.
    const slow = await startDaemon({scryptCost: {N: 16384, r: 8, p: 1}});
    try {
      const clients = await Promise.all([LineClient.connect(slow.port), LineClient.connect(slow.port)]);
      for (const client of clients) client.write('register twin pw Twin_Name indonesia\r\n');
      const replies = await Promise.all(clients.map((client) => client.next(30_000)));
      expect(replies.map((reply) => reply.status).sort()).toEqual(['ERROR', 'OK']);
      expect(replies.find((reply) => reply.status === 'ERROR')).toEqual({status: 'ERROR', message: 'User sudah ada', code: 'USER_EXISTS'});
      for (const client of clients) client.close();
    } finally {
      await slow.cleanup();
    }
  });
});
