/** Every command of the single-realm table over real loopback sockets, with the exact seed strings. */
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

let server: TestDaemon;
beforeAll(async () => {
  server = await startDaemon({realm: 'alpha'});
});
afterAll(async () => {
  await server.cleanup();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('auth and register', () => {
  it('registers (auto-login), then auths with the right password only', async () => {
    const c = await LineClient.connect(server.port);
    const registered = await c.request('register alice s3cret Alice_Liddell indonesia');
    expect(registered).toMatchObject({status: 'OK', message: 'Register successful', username: 'alice', realm: 'alpha'});
    expect(registered.tokenid).toMatch(UUID);
    expect(await c.request('register alice other A b')).toEqual(
      {status: 'ERROR', message: 'User sudah ada', code: 'USER_EXISTS'});
    expect(await c.request('register ALICE other A b')).toMatchObject({message: 'User sudah ada'});
    expect(await c.request('auth nobody x')).toEqual({status: 'ERROR', message: 'User Tidak Ada', code: 'AUTH_UNKNOWN_USER'});
    expect(await c.request('auth alice wrong')).toEqual(
      {status: 'ERROR', message: 'Password Salah', code: 'AUTH_WRONG_PASSWORD'});
    const authed = await c.request('auth alice s3cret');
    expect(authed).toMatchObject({status: 'OK', username: 'alice', realm: 'alpha'});
    expect(authed.tokenid).toMatch(UUID);
    expect(authed.tokenid).not.toBe(registered.tokenid);
    c.close();
  });

  it('answers parameter tidak ada / parameter salah for register', async () => {
    const c = await LineClient.connect(server.port);
    expect(await c.request('register')).toMatchObject({status: 'ERROR', message: 'parameter tidak ada'});
    expect(await c.request('register bob pw Bob')).toMatchObject({message: 'parameter tidak ada'});
    expect(await c.request('register b@d pw Bob id')).toMatchObject({message: 'parameter salah', code: 'BAD_PARAMETER'});
    expect(await c.request('register 3b193b5a-6b3c-4c57-9e29-e4c840d39408 pw Bob id')).toMatchObject({message: 'parameter salah'});
    c.close();
  });

  it('shows a multi-word or underscored name with spaces in info', async () => {
    const {client} = await registerUser(server.port, 'vano');
    const c = await LineClient.connect(server.port);
    await c.request('register duevano akuganteng vano_orangganteng indonesia');
    await c.request('register ana pw Ana Maria Lopez spain');
    expect((await client.request('info duevano')).user).toMatchObject({nama: 'vano orangganteng', negara: 'indonesia'});
    expect((await client.request('info ana')).user).toMatchObject({nama: 'Ana Maria Lopez', negara: 'spain'});
    client.close();
    c.close();
  });
});

describe('session forms', () => {
  it('accepts the token inline (course clients) and the connection-bound session', async () => {
    const {token} = await registerUser(server.port, 'tok1');
    await registerUser(server.port, 'tok2');
    const fresh = await LineClient.connect(server.port);
    expect(await fresh.request(`send ${token} tok2 inline works`)).toMatchObject({status: 'OK', message: 'Message sent'});
    expect(await fresh.request('send tok2 no session here')).toEqual(
      {status: 'ERROR', message: 'Session tidak ditemukan', code: 'NO_SESSION'});
    await fresh.request('auth tok1 pw');
    expect(await fresh.request('send tok2 bound works')).toMatchObject({status: 'OK'});
    fresh.close();
  });

  it('checks the session before the parameters', async () => {
    const c = await LineClient.connect(server.port);
    for (const command of ['send', 'sendgroup', 'addgroup', 'joingroup', 'inbox', 'logout', 'info', 'groups', 'history',
      'addrealm', 'sendprivaterealm', 'sendgrouprealm', 'getrealminbox', 'realms']) {
      expect(await c.request(command), command).toMatchObject({status: 'ERROR', message: 'Session tidak ditemukan'});
    }
    expect(await c.request('inbox 00000000-0000-4000-8000-000000000000')).toMatchObject({message: 'Session tidak ditemukan'});
    c.close();
  });

  it('kills the token at once on logout, on every connection', async () => {
    const {client, token} = await registerUser(server.port, 'leaver');
    const other = await LineClient.connect(server.port);
    expect(await other.request(`inbox ${token}`)).toMatchObject({status: 'OK'});
    expect(await client.request('logout')).toEqual({status: 'OK', message: 'Logout successful'});
    expect(await other.request(`inbox ${token}`)).toMatchObject({message: 'Session tidak ditemukan'});
    expect(await client.request('inbox')).toMatchObject({message: 'Session tidak ditemukan'});
    expect(await client.request(`logout ${token}`)).toMatchObject({message: 'Session tidak ditemukan'});
    client.close();
    other.close();
  });
});

describe('groups', () => {
  it('adds, joins, lists and sends to groups with the exact strings', async () => {
    const {client: a} = await registerUser(server.port, 'g_a');
    const {client: b} = await registerUser(server.port, 'g_b');
    const {client: c} = await registerUser(server.port, 'g_c');
    expect(await a.request('addgroup devs')).toMatchObject({status: 'OK', message: 'Add group successful'});
    expect(await b.request('addgroup devs')).toEqual({status: 'ERROR', message: 'Group sudah ada', code: 'GROUP_EXISTS'});
    expect(await a.request('joingroup devs')).toEqual(
      {status: 'ERROR', message: 'User sudah dalam group', code: 'ALREADY_MEMBER'});
    expect(await b.request('joingroup nogroup')).toEqual(
      {status: 'ERROR', message: 'Group tidak ditemukan', code: 'GROUP_NOT_FOUND'});
    expect(await b.request('joingroup devs')).toMatchObject({status: 'OK', message: 'Join group successful'});
    expect(await c.request('sendgroup devs hi')).toEqual(
      {status: 'ERROR', message: 'User bukan anggota group', code: 'NOT_A_MEMBER'});
    expect(await c.request('sendgroup nogroup hi')).toMatchObject({message: 'Group tidak ditemukan'});
    expect(await a.request('sendgroup devs  hello team ')).toMatchObject({status: 'OK', message: 'Message sent to group'});
    expect(await b.request('sendgroup group:devs course form')).toMatchObject({status: 'OK'});

    const inboxB = await b.request('inbox');
    expect(inboxB.messages).toEqual({g_a: [expect.objectContaining({msg_from: 'g_a', msg_to: 'g_b', msg: 'hello team', group: 'devs'})]});
    // The sender gets no copy of its own group message.
    const inboxA = await a.request('inbox');
    expect(Object.keys(inboxA.messages as object)).toEqual(['g_b']);
    expect((await c.request('groups')).groups).toEqual(
      expect.arrayContaining([{name: 'devs', members: 2, member: false}]));
    expect((await a.request('groups')).groups).toEqual(expect.arrayContaining([{name: 'devs', members: 2, member: true}]));
    for (const client of [a, b, c]) client.close();
  });
});

describe('send, inbox, info, history', () => {
  it('sends, drains the inbox keyed by sender in arrival order, and keeps history', async () => {
    const {client: a} = await registerUser(server.port, 'sender1');
    const {client: b, token: tokenB} = await registerUser(server.port, 'reader1');
    expect(await a.request('send nobody hi')).toEqual({status: 'ERROR', message: 'User tidak ditemukan', code: 'USER_NOT_FOUND'});
    expect(await a.request('send reader1 first')).toMatchObject({status: 'OK', message: 'Message sent'});
    expect(await a.request('send reader1 second one')).toMatchObject({status: 'OK'});
    await b.request('send sender1 reply');

    const inbox = await b.request(`inbox ${tokenB}`);
    expect(inbox.status).toBe('OK');
    const fromA = (inbox.messages as Record<string, Array<Record<string, unknown>>>).sender1!;
    expect(fromA.map((m) => m.msg)).toEqual(['first', 'second one']);
    expect(fromA[0]).toMatchObject({msg_from: 'sender1', msg_to: 'reader1'});
    expect(typeof fromA[0]!.id).toBe('number');
    expect(new Date(fromA[0]!.ts as string).toISOString()).toBe(fromA[0]!.ts);
    expect(inbox.more).toBe(false);
    expect((await b.request('inbox')).messages).toEqual({});

    const history = await b.request('history sender1');
    expect((history.messages as Array<{msg: string}>).map((m) => m.msg)).toEqual(['first', 'second one', 'reply']);
    // `read` is about messages the reader received; its own messages carry none.
    expect((history.messages as Array<{read?: boolean}>).map((m) => m.read)).toEqual([true, true, undefined]);
    const page = await b.request('history sender1 2');
    expect((page.messages as Array<{msg: string}>).map((m) => m.msg)).toEqual(['second one', 'reply']);
    expect(page.more).toBe(true);
    const firstId = (page.messages as Array<{id: number}>)[0]!.id;
    const older = await b.request(`history sender1 2 ${firstId}`);
    expect((older.messages as Array<{msg: string}>).map((m) => m.msg)).toEqual(['first']);
    expect(older.more).toBe(false);
    expect(await b.request('history nobody')).toMatchObject({message: 'User tidak ditemukan'});
    a.close();
    b.close();
  });

  it('describes users without any secret, and the caller with no name', async () => {
    const {client, token} = await registerUser(server.port, 'infouser', 'sekret');
    const me = await client.request('info');
    expect(me.user).toMatchObject({username: 'infouser', nama: 'infouser Name', negara: 'indonesia', realm: 'alpha'});
    const text = JSON.stringify(me);
    expect(text).not.toContain('sekret');
    expect(text).not.toContain(token);
    expect(text).not.toMatch(/scrypt|verifier|password/i);
    expect(await client.request('info ghost')).toEqual({status: 'ERROR', message: 'User tidak ditemukan', code: 'USER_NOT_FOUND'});
    client.close();
  });

  it('returns at most inboxMaxMessages per reply and says more', async () => {
    const small = await startDaemon({inboxMaxMessages: 3});
    const {client: a} = await registerUser(small.port, 'many_a');
    const {client: b} = await registerUser(small.port, 'many_b');
    for (let i = 0; i < 5; i++) a.write(`send many_b m${i}\r\n`);
    for (let i = 0; i < 5; i++) await a.next();
    const first = await b.request('inbox');
    expect((first.messages as Record<string, unknown[]>).many_a).toHaveLength(3);
    expect(first.more).toBe(true);
    const second = await b.request('inbox');
    expect((second.messages as Record<string, Array<{msg: string}>>).many_a!.map((m) => m.msg)).toEqual(['m3', 'm4']);
    expect(second.more).toBe(false);
    a.close();
    b.close();
    await small.cleanup();
  });

  it('keys the inbox by any valid username, including names of Object.prototype members', async () => {
    const {client: reader} = await registerUser(server.port, 'proto_reader');
    const senders = ['constructor', '__proto__', 'toString'];
    for (const name of senders) {
      const {client} = await registerUser(server.port, name);
      expect(await client.request(`send proto_reader from ${name}`)).toMatchObject({status: 'OK'});
      client.close();
    }
    const inbox = await reader.request('inbox');
    expect(inbox).toMatchObject({status: 'OK', message: 'Inbox', more: false});
    const messages = inbox.messages as Record<string, Array<{msg: string}>>;
    expect(Object.keys(messages)).toEqual(senders);
    for (const name of senders) expect(messages[name]!.map((m) => m.msg)).toEqual([`from ${name}`]);
    reader.close();
  });

  it('marks nothing read when the inbox reply cannot be built (the messages are not lost)', async () => {
    const {client: reader} = await registerUser(server.port, 'fragile_reader');
    const {client: sender} = await registerUser(server.port, 'fragile_sender');
    expect(await sender.request('send fragile_reader kept')).toMatchObject({status: 'OK'});
    // A stored row the reply cannot show (a time no Date holds), as a bug or an old version might leave behind.
    const {store} = server.daemon.services;
    await store.storeMessage({sender: 'fragile_sender', recipient: 'fragile_reader', body: 'unshowable', ts: 9e15}, ['fragile_reader']);
    await store.settled();
    expect(await reader.request('inbox')).toMatchObject({status: 'ERROR', code: 'INTERNAL'});
    const unread = (await store.unread('fragile_reader', {maxMessages: 10, maxBytes: 1 << 20})).messages.map((m) => m.body);
    expect(unread).toEqual(['kept', 'unshowable']);
    reader.close();
    sender.close();
  });

  it('long-polls: inbox N waits for the first message and answers at once when it arrives', async () => {
    const {client: waiter, token} = await registerUser(server.port, 'poller');
    const {client: sender} = await registerUser(server.port, 'poker');
    const pending = waiter.request(`inbox ${token} 20`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(waiter.pending).toBe(0);
    await sender.request('send poller wake up');
    const reply = await pending;
    expect((reply.messages as Record<string, Array<{msg: string}>>).poker![0]!.msg).toBe('wake up');
    // With something unread it answers without waiting; with a zero wait it answers at once too.
    expect((await waiter.request('inbox 0')).messages).toEqual({});
    waiter.close();
    sender.close();
  });
});

describe('long poll and history limits', () => {
  it('answers a waiting inbox with Session tidak ditemukan at once when its session logs out', async () => {
    const {client: waiter, token} = await registerUser(server.port, 'lp_logout');
    const other = await LineClient.connect(server.port);
    const pending = waiter.request(`inbox ${token} 30`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = Date.now();
    expect(await other.request(`logout ${token}`)).toMatchObject({status: 'OK'});
    expect(await pending).toMatchObject({status: 'ERROR', message: 'Session tidak ditemukan'});
    expect(Date.now() - t0).toBeLessThan(5000);
    waiter.close();
    other.close();
  });

  it('keeps a long poll waiting after a wake-up that finds nothing, until a message or the deadline', async () => {
    const {client: waiter} = await registerUser(server.port, 'lp_spurious');
    const {client: sender} = await registerUser(server.port, 'lp_spurious_from');
    let answered = false;
    const pending = waiter.request('inbox 30').then((reply) => { answered = true; return reply; });
    const waiters = server.daemon.services.inboxWaiters;
    await vi.waitFor(() => expect(waiters.size).toBe(1));
    // A hint is only a hint: one whose messages are gone (read by another connection, a failed batch) wakes the poll.
    waiters.notify('lp_spurious');
    await vi.waitFor(() => expect(waiters.size).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    expect(await sender.request('send lp_spurious still here')).toMatchObject({status: 'OK'});
    const inbox = await pending;
    expect((inbox.messages as Record<string, Array<{msg: string}>>).lp_spurious_from![0]!.msg).toBe('still here');
    const timeout = await waiter.request('inbox 1');
    expect(timeout).toMatchObject({status: 'OK', messages: {}});
    waiter.close();
    sender.close();
  });

  it('stops a history page at historyMaxBytes of text and says more', async () => {
    const small = await startDaemon({historyMaxBytes: 250});
    const {client: a} = await registerUser(small.port, 'hb_a');
    await registerUser(small.port, 'hb_b');
    for (let i = 0; i < 5; i++) await a.request(`send hb_b ${String(i).repeat(100)}`);
    const page = await a.request('history hb_b');
    expect((page.messages as Array<{msg: string}>).map((m) => m.msg[0])).toEqual(['3', '4']);
    expect(page.more).toBe(true);
    const firstId = (page.messages as Array<{id: number}>)[0]!.id;
    const older = await a.request(`history hb_b 50 ${firstId}`);
    expect((older.messages as Array<{msg: string}>).map((m) => m.msg[0])).toEqual(['1', '2']);
    a.close();
    await small.cleanup();
  });
});

describe('unknown and malformed input', () => {
  it('answers unknown commands, ignores blank lines, and stays usable after errors', async () => {
    const c = await LineClient.connect(server.port);
    c.write('\r\n   \r\n\n');
    expect(await c.request('frobnicate')).toEqual(
      {status: 'ERROR', message: '*Maaf, command tidak benar', code: 'UNKNOWN_COMMAND'});
    expect(await c.request('AUTH nobody x')).toMatchObject({message: 'User Tidak Ada'});
    c.write(Buffer.from([0x61, 0x75, 0x74, 0x68, 0x20, 0xff, 0x0d, 0x0a]));
    expect(await c.next()).toMatchObject({status: 'ERROR', code: 'INVALID_UTF8'});
    c.write('send ' + 'x'.repeat(70 * 1024) + '\r\n');
    expect(await c.next()).toMatchObject({status: 'ERROR', code: 'LINE_TOO_LONG'});
    expect(await c.request('auth nobody x')).toMatchObject({message: 'User Tidak Ada'});
    expect(c.pending).toBe(0);
    c.close();
  });

  it('answers pipelined requests in order, one reply each', async () => {
    const {client: a} = await registerUser(server.port, 'pipe_a');
    await registerUser(server.port, 'pipe_b');
    a.write('addgroup pipes\r\nsendgroup pipes solo\r\nsend pipe_b one\r\nbogus\r\nsend nobody x\r\ninfo pipe_b\r\n');
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push(await a.next());
    expect(replies.map((r) => r.message)).toEqual([
      'Add group successful', 'Message sent to group', 'Message sent', '*Maaf, command tidak benar',
      'User tidak ditemukan', 'User info: pipe_b (pipe b Name, indonesia), realm alpha']);
    a.close();
  });
});
