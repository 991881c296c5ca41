/** Durability across restarts, course-client bytes, load, slow readers, shutdown and our own bugs. */
import {afterEach, describe, expect, it} from 'vitest';
import {Canary} from '../helpers/canary.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import type {Logger} from '../../daemon/logger.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import {join} from 'node:path';

const started: TestDaemon[] = [];

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
async function start(...args: Parameters<typeof startDaemon>): Promise<TestDaemon> {
  const daemon = await startDaemon(...args);
  started.push(daemon);
  return daemon;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((daemon) => daemon.cleanup()));
});

describe('the course client', () => {
  it('works with its exact bytes: trailing and double spaces, token inline', async () => {
    const server = await start({}, {});
    await registerUser(server.port, 'messi', 'surabaya');
    await registerUser(server.port, 'henderson', 'surabaya');
    const c = await LineClient.connect(server.port);
    c.write('auth messi surabaya \r\n');
    const auth = await c.next();
    expect(auth).toMatchObject({status: 'OK'});
    c.write(`send ${auth.tokenid} henderson  hello world \r\n`);
    expect(await c.next()).toMatchObject({status: 'OK', message: 'Message sent'});
    const h = await LineClient.connect(server.port);
    h.write('auth henderson surabaya \r\n');
    const token = (await h.next()).tokenid;
    h.write(`inbox ${token} \r\n`);
    const inbox = await h.next();
    expect((inbox.messages as Record<string, Array<{msg: string}>>).messi![0]!.msg).toBe('hello world');
    // Each reply is exactly one JSON object and CRLF CRLF, ASCII only.
    expect(h.raw.toString('latin1')).toMatch(/^(\{[\x20-\x7e]*\}\r\n\r\n){2}$/);
    c.close();
    h.close();
  });

  it('round-trips unicode text while the wire stays ASCII', async () => {
    const server = await start();
    const {client: a} = await registerUser(server.port, 'uni_a');
    const {client: b} = await registerUser(server.port, 'uni_b');
    const text = 'héllo 日本語 🎉 \u00a0ok';
    await a.request(`send uni_b ${text}`);
    const before = b.raw.length;
    const inbox = await b.request('inbox');
    expect((inbox.messages as Record<string, Array<{msg: string}>>).uni_a![0]!.msg).toBe(text);
    expect([...b.raw.subarray(before)].every((byte) => byte < 0x80)).toBe(true);
    a.close();
    b.close();
  });
});

describe('durability', () => {
  it('keeps users, groups, unread messages and tokens across a restart', async () => {
    let server = await start();
    const {client: a, token: tokenA} = await registerUser(server.port, 'dur_a', 'pa');
    const {client: b, token: tokenB} = await registerUser(server.port, 'dur_b', 'pb');
    await a.request('addgroup durables');
    await b.request('joingroup durables');
    await a.request('send dur_b kept across restarts');
    await a.request('sendgroup durables group kept');
    a.close();
    b.close();
    server = await server.restart();
    started.push(server);

    const c = await LineClient.connect(server.port);
    const inbox = await c.request(`inbox ${tokenB}`);
    expect((inbox.messages as Record<string, Array<{msg: string}>>).dur_a!.map((m) => m.msg)).toEqual(
      ['kept across restarts', 'group kept']);
    expect(await c.request(`groups ${tokenA}`)).toMatchObject({groups: [{name: 'durables', members: 2, member: true}]});
    expect(await c.request('auth dur_a pa')).toMatchObject({status: 'OK'});
    expect(await c.request('auth dur_a wrong')).toMatchObject({message: 'Password Salah'});
    // Read messages stay as history; they are not unread again.
    expect((await c.request(`inbox ${tokenB}`)).messages).toEqual({});
    expect(((await c.request(`history ${tokenB} dur_a`)).messages as unknown[]).length).toBe(1);
    c.close();
  });

  it('stores no token and no password in the database', async () => {
    const server = await start();
    const {client, token} = await registerUser(server.port, 'secretive', 'hunter2hunter2');
    client.close();
    await server.stop();
    const store = new SqliteStore({file: join(server.dir, 'realmchat.db')});
    const dump = JSON.stringify([
      store.db.prepare('SELECT * FROM users').all(),
      store.db.prepare('SELECT hex(token_hash) AS h, username FROM sessions').all(),
    ]);
    await store.close();
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.replace(/-/g, '').toUpperCase());
    expect(dump).not.toContain('hunter2hunter2');
    expect(dump).toContain('scrypt$');
  });
});

describe('load and flow control', () => {
  it('serves 200 concurrent connections', async () => {
    const server = await start();
    await registerUser(server.port, 'crowd_target');
    const clients = await Promise.all(Array.from({length: 200}, () => LineClient.connect(server.port)));
    const auth = await LineClient.connect(server.port);
    const {token} = await registerUser(server.port, 'crowd_sender');
    const replies = await Promise.all(clients.map((client, i) => client.request(`send ${token} crowd_target msg ${i}`)));
    expect(replies.every((reply) => reply.status === 'OK')).toBe(true);
    expect(server.daemon.connectionCount).toBeGreaterThanOrEqual(200);
    const {client: target} = await LineClient.connect(server.port).then(async (c) => {
      await c.request('auth crowd_target pw');
      return {client: c};
    });
    const inbox = await target.request('inbox');
    expect((inbox.messages as Record<string, unknown[]>).crowd_sender).toHaveLength(200);
    for (const client of [...clients, auth, target]) client.close();
  });

  it('disconnects a client that never reads its replies, without growing memory', async () => {
    const server = await start({drainTimeoutMs: 300, maxQueuedBytes: 256 * 1024});
    const canary = await Canary.register(server.port);
    const {client, token} = await registerUser(server.port, 'nonreader');
    await client.request(`send ${token} nonreader ${'z'.repeat(60_000)}`);
    client.socket.pause(); // stop reading: replies pile up in the kernel, then in the daemon
    const line = `history ${token} nonreader\r\n`;
    // The canary's connection stays open throughout: the non-reader's is the other one.
    for (let i = 0; i < 400 && server.daemon.connectionCount > 1; i++) {
      if (!client.socket.write(line)) await new Promise((resolve) => setTimeout(resolve, 5));
      if (i === 10) await canary.isServed('while a client does not read');
    }
    // The daemon cut the connection (it had stopped reading requests and waited in vain for the client to read).
    await until(() => server.daemon.connectionCount === 1);
    client.close();
    // The daemon still serves everybody else.
    await canary.isServed('after the non-reader was cut');
    const other = await LineClient.connect(server.port);
    expect(await other.request('auth nonreader pw')).toMatchObject({status: 'OK'});
    other.close();
    await canary.assertNothingLost();
    canary.close();
  });
});

describe('pipelining and fairness', () => {
  it('answers a pipeline in request order with few socket writes, each reply after its commit', async () => {
    // A slice long enough for the whole pipeline on a loaded machine: this is about writes, not fairness.
    const server = await start({sliceMs: 60_000});
    const {token} = await registerUser(server.port, 'pipe_target');
    const {client} = await registerUser(server.port, 'pipe_sender');
    let writes = 0;
    client.socket.on('data', () => writes++);
    // 64 sends, a read of what they wrote, and a request that fails, in one TCP write.
    const lines = Array.from({length: 64}, (_, i) => `send pipe_target n${i}\r\n`).join('') + `history pipe_target 100\r\nfrobnicate\r\n`;
    client.write(lines);
    const replies = [];
    for (let i = 0; i < 66; i++) replies.push(await client.next());
    const ids = replies.slice(0, 64).map((reply) => reply.id as number);
    expect(replies.slice(0, 64).every((reply) => reply.status === 'OK')).toBe(true);
    expect(ids).toEqual([...ids].sort((a, b) => a - b)); // in request order
    expect((replies[64]!.messages as Array<{msg: string}>).map((m) => m.msg)).toEqual(Array.from({length: 64}, (_, i) => `n${i}`));
    expect(replies[65]).toMatchObject({code: 'UNKNOWN_COMMAND'});
    // One commit and one write for the lot (the kernel may split a write in two reads; 66 reads means none of that).
    expect(writes).toBeLessThanOrEqual(4);
    const target = await LineClient.connect(server.port);
    target.write(`inbox ${token}\r\n`);
    expect(((await target.next()).messages as Record<string, unknown[]>).pipe_sender).toHaveLength(64);
    client.close();
    target.close();
  });

  it('answers a pipeline within one turn: its requests share one batch and one commit', async () => {
    // A slice long enough for the whole pipeline: this is about turns, not fairness.
    const server = await start({sliceMs: 60_000});
    await registerUser(server.port, 'batch_target');
    const {client} = await registerUser(server.port, 'batch_sender');
    const store = server.daemon.services.store as SqliteStore;
    // Every handler awaits the store; with SQLite those promises settle in microtasks, inside the turn.
    const batches = new Set<unknown>();
    const original = store.storeMessage.bind(store);
    store.storeMessage = (message, recipients) => {
      const id = original(message, recipients);
      batches.add(store.currentBatch());
      return id;
    };
    const commit = store.commit.bind(store);
    let commits = 0;
    store.commit = () => {
      // Only the commits of batches holding the pipeline's messages: the search indexer's slice, 10 ms after a
      // commit, makes a batch of its own, which a slow machine may commit before the last reply is read.
      const batch = store.currentBatch();
      if (batch.state === 'pending' && batches.has(batch)) commits++;
      commit();
    };
    client.write(Array.from({length: 32}, (_, i) => `send batch_target p${i}\r\n`).join(''));
    for (let i = 0; i < 32; i++) expect(await client.next()).toMatchObject({status: 'OK'});
    expect(batches.size).toBe(1);
    expect(commits).toBe(1);
    client.close();
  });

  it('answers a waiting long poll from the batch of the send that woke it: one commit carries both', async () => {
    const server = await start();
    const {client: receiver} = await registerUser(server.port, 'poll_receiver');
    const {client: sender} = await registerUser(server.port, 'poll_sender');
    const store = server.daemon.services.store as SqliteStore;
    const batchOf = new Map<string, unknown>();
    const storeMessage = store.storeMessage.bind(store);
    store.storeMessage = (message, recipients) => {
      const id = storeMessage(message, recipients);
      batchOf.set('send', store.currentBatch());
      return id;
    };
    const takeUnread = store.takeUnread.bind(store);
    store.takeUnread = (username, limits, from) => {
      const page = takeUnread(username, limits, from);
      if (page.messages.length > 0) batchOf.set('inbox', store.currentBatch());
      return page;
    };
    receiver.write('inbox 25\r\n');
    await until(() => server.daemon.services.inboxWaiters.size === 1);
    expect(await sender.request('send poll_receiver wake up')).toMatchObject({status: 'OK'});
    const inbox = await receiver.next();
    expect((inbox.messages as Record<string, Array<{msg: string}>>).poll_sender![0]!.msg).toBe('wake up');
    // Woken after the commit, the drain would open a second batch and wait for a later commit.
    expect(batchOf.get('inbox')).toBe(batchOf.get('send'));
    receiver.close();
    sender.close();
  });

  it('answers a failed commit with INTERNAL for every request in it, never OK', async () => {
    const logged: string[] = [];
    const logger: Logger = {debug() {}, info() {}, warn() {}, error: (message) => logged.push(message)};
    const server = await start({}, {logger});
    await registerUser(server.port, 'commit_target');
    const {client} = await registerUser(server.port, 'commit_sender');
    const store = server.daemon.services.store as SqliteStore;
    // Fault injection: the first send also leaves a dangling row whose foreign key SQLite checks only at COMMIT, so
    // that COMMIT really fails (as a full disk would make it) and rolls the whole batch back.
    const original = store.storeMessage.bind(store);
    let inject = true;
    store.storeMessage = (message, recipients) => {
      const id = original(message, recipients);
      if (inject) {
        inject = false;
        store.db.pragma('defer_foreign_keys = ON');
        store.db.prepare('INSERT INTO unread (recipient, message_id) VALUES (?, ?)').run('nobody', 987654321);
      }
      return id;
    };
    client.write('send commit_target a\r\nsend commit_target b\r\n');
    const replies = [await client.next(), await client.next()];
    expect(replies[0]).toMatchObject({status: 'ERROR', code: 'INTERNAL'});
    expect(logged).toContain('commit failed');
    // b shares a's batch (and its fate) when both lines were read in one turn; either way its reply tells the truth.
    const kept = ['c', ...(replies[1]!.status === 'OK' ? ['b'] : [])];
    expect(await client.request('send commit_target c')).toMatchObject({status: 'OK'});
    const history = (await client.request('history commit_target')).messages as Array<{msg: string}>;
    expect(history.map((m) => m.msg).sort()).toEqual(kept.sort());
    client.close();
  });

  it('serves another client while one connection pipelines expensive requests', async () => {
    const server = await start();
    const {client: flooder, token} = await registerUser(server.port, 'flooder');
    await registerUser(server.port, 'flood_peer');
    // A conversation whose history pages are about 1 MiB of text each.
    const big = 'x'.repeat(16_000);
    for (let i = 0; i < 70; i++) flooder.write(`send flood_peer ${big}\r\n`);
    for (let i = 0; i < 70; i++) expect(await flooder.next()).toMatchObject({status: 'OK'});
    // Count the flooder's replies without keeping them: 150 pages is some 150 MiB.
    const flood = await LineClient.connect(server.port);
    let answered = 0;
    let pending = Buffer.alloc(0);
    flood.socket.removeAllListeners('data');
    flood.socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      let end;
      while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
        answered++;
        pending = pending.subarray(end + 4);
      }
    });
    const requests = 150;
    flood.write(`history ${token} flood_peer 500\r\n`.repeat(requests));
    await until(() => answered > 0);
    const canary = await LineClient.connect(server.port);
    const reply = await canary.request(`info ${token}`);
    expect(reply).toMatchObject({status: 'OK'});
    // The canary was answered while most of the pipeline was still waiting: no connection holds the event loop.
    expect(answered).toBeLessThan(requests / 2);
    await until(() => answered === requests, 30_000);
    for (const client of [flooder, flood, canary]) client.close();
  });
});

describe('shutdown and bugs', () => {
  it('answers what is in flight on close, long polls included, then closes connections', async () => {
    const server = await start();
    const {client, token} = await registerUser(server.port, 'closer');
    const polling = client.request(`inbox ${token} 30`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const t0 = Date.now();
    await server.stop();
    expect(await polling).toMatchObject({status: 'OK', messages: {}});
    await client.closed;
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('closes idle and long-polling connections at once on stop, without waiting out the grace period', async () => {
    const warnings: string[] = [];
    const logger: Logger = {debug() {}, info() {}, warn: (message) => warnings.push(message), error() {}};
    const server = await start({shutdownGraceMs: 10_000}, {logger});
    const {client: idle} = await registerUser(server.port, 'idle_one');
    const {client: polling, token} = await registerUser(server.port, 'poller');
    const poll = polling.request(`inbox ${token} 30`);
    await until(() => server.daemon.services.inboxWaiters.size === 1);
    const stopped = server.stop();
    expect(await poll).toMatchObject({status: 'OK'});
    // As the full-screen client does: poll again at once, before the daemon's FIN arrives.
    polling.write(`inbox ${token} 30\r\n`);
    await Promise.all([idle.closed, polling.closed]);
    await stopped;
    // Had a connection stayed open (its FIN unread on a paused socket), the stop would have waited 10 s and said so.
    expect(warnings).not.toContain('cutting connections still busy at shutdown');
  });

  it('logs a handler bug with its stack, answers a generic ERROR and keeps serving', async () => {
    const logged: Array<{message: string; fields?: Record<string, unknown>}> = [];
    const logger: Logger = {debug() {}, info() {}, warn() {}, error: (message, fields) => logged.push({message, fields})};
    const server = await start({}, {logger});
    const {client} = await registerUser(server.port, 'buggy');
    // Fault injection: the store breaks for one call, as a bug would.
    const store = server.daemon.services.store;
    const original = store.getUser.bind(store);
    store.getUser = (name: string) => {
      if (name === 'explode') throw new Error('injected failure');
      return original(name);
    };
    expect(await client.request('info explode')).toEqual(
      {status: 'ERROR', message: 'Terjadi kesalahan pada server', code: 'INTERNAL'});
    expect(logged[0]!.message).toBe('handler failed');
    expect((logged[0]!.fields!.err as Error).stack).toContain('injected failure');
    expect(await client.request('info buggy')).toMatchObject({status: 'OK'});
    client.close();
  });
});
