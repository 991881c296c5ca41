/**
 * Outages: a realm stopped and restarted (idle and under load), the sending realm restarted, and a queued message
 * refused later. Nothing accepted is lost, nothing arrives twice, order holds per sender; under load, a canary user
 * on the realm that stays up is served before, during and after the outage.
 */
import {createServer, type Socket} from 'node:net';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import {Canary} from '../helpers/canary.js';
import type {LineClient, TestDaemon} from '../helpers/daemon.js';
import {link, login, realmEntry, startRealm, texts, user, waitFor} from './helpers.js';

const daemons: TestDaemon[] = [];
const clients: Array<{close(): void}> = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(daemons.splice(0).map((daemon) => daemon.cleanup()));
});

/** alpha and beta linked (alpha dialled), with alice on alpha and bob on beta. */
async function twoRealms() {
  const alpha = await startRealm('alpha');
  const beta = await startRealm('beta');
  daemons.push(alpha, beta);
  const alice = await user(alpha.port, 'alice');
  const bob = await user(beta.port, 'bob');
  clients.push(alice.client, bob.client);
  await link({port: alpha.port, client: alice.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
  return {alpha, beta, alice, bob};
}

/** Restarts a realm in place and remembers the new daemon for cleanup. */
async function restart(daemon: TestDaemon): Promise<TestDaemon> {
  const next = await daemon.restart();
  daemons.splice(daemons.indexOf(daemon), 1, next);
  return next;
}

async function stopped(daemon: TestDaemon): Promise<void> {
  await daemon.stop();
}

/** Reads a user's whole inbox (several pages if needed). */
async function drainAll(client: LineClient): Promise<string[]> {
  const all: string[] = [];
  for (;;) {
    const reply = await client.request('inbox');
    all.push(...texts(reply));
    if (!reply.more) return all;
  }
}

describe('a realm that stops', () => {
  it('queues what is sent meanwhile (queued: true) and delivers each message exactly once after its restart', async () => {
    const {alpha, beta, alice} = await twoRealms();
    await stopped(beta);
    await waitFor(async () => (await realmEntry(alice.client, 'beta'))?.state === 'backoff', 10_000, 'alpha to see beta down');
    const sent = Array.from({length: 20}, (_, i) => `while down ${i}`);
    for (const text of sent) {
      expect(await alice.client.request(`sendprivaterealm beta bob ${text}`)).toMatchObject(
        {status: 'OK', message: 'Message queued for user in realm', queued: true, realm: 'beta', id: expect.any(Number)});
    }
    expect(await alice.client.request('sendgrouprealm beta bob,bob group while down')).toMatchObject(
      {status: 'OK', message: 'Message queued for group in realm', queued: true});
    expect(await realmEntry(alice.client, 'beta')).toMatchObject({queued: 21});

    const beta2 = await restart(beta);
    await waitFor(async () => (await realmEntry(alice.client, 'beta'))?.queued === 0, 15_000, 'the outbox to drain');
    expect(await realmEntry(alice.client, 'beta')).toMatchObject({state: 'ready'});
    const bob = await login(beta2.port, 'bob');
    clients.push(bob);
    expect(await drainAll(bob)).toEqual([...sent, 'group while down']);
    // Once everything is acknowledged, nothing more may trickle in.
    expect(await drainAll(bob)).toEqual([]);
    expect(alpha.port).toBeGreaterThan(0);
  });

  it('loses and duplicates nothing when it is stopped and restarted under load', async () => {
    const {alpha, beta} = await twoRealms();
    const senders = await Promise.all(['s1', 's2', 's3'].map((name) => user(alpha.port, name)));
    clients.push(...senders.map((s) => s.client));
    const canary = await Canary.register(alpha.port);
    clients.push(canary);
    await canary.isServed('before the outage');
    const perSender = 150;
    let replies = 0;
    let queued = 0;
    const load = senders.map(async (sender) => {
      for (let i = 0; i < perSender; i++) {
        const reply = await sender.client.request(`sendprivaterealm beta bob ${sender.name} ${i}`);
        expect(reply.status, JSON.stringify(reply)).toBe('OK');
        replies++;
        if (reply.queued) queued++;
      }
    });
    await waitFor(() => replies >= 60, 15_000, 'the load to get going');
    await stopped(beta);
    await canary.isServed('while beta is down');
    await waitFor(() => replies >= 200, 20_000, 'sends while beta is down');
    const beta2 = await restart(beta);
    await Promise.all(load);
    const watcher = senders[0]!.client;
    await waitFor(async () => (await realmEntry(watcher, 'beta'))?.queued === 0, 20_000, 'the outbox to drain');
    await canary.isServed('after the restart');

    const bob = await login(beta2.port, 'bob');
    clients.push(bob);
    const inbox = await bob.request('inbox');
    // Each sender's messages under its own address, none under another's.
    expect(Object.keys(inbox.messages as object).sort()).toEqual(['s1@alpha', 's2@alpha', 's3@alpha']);
    const received = [...texts(inbox), ...(inbox.more ? await drainAll(bob) : [])];
    expect(received).toHaveLength(senders.length * perSender);
    expect(new Set(received).size).toBe(received.length);
    for (const sender of senders) {
      const own = received.filter((text) => text.startsWith(`${sender.name} `));
      expect(own, `order of ${sender.name}`).toEqual(Array.from({length: perSender}, (_, i) => `${sender.name} ${i}`));
    }
    for (const [from, messages] of Object.entries(inbox.messages as Record<string, Array<{msg: string}>>)) {
      for (const message of messages) expect(`${message.msg.split(' ')[0]}@alpha`).toBe(from);
    }
    expect(queued).toBeGreaterThan(0);
    expect(alpha.port).toBeGreaterThan(0);
    await canary.assertNothingLost();
  });
});

describe('the sending realm restarts', () => {
  it('comes back with its links and its outbox and delivers in both directions', async () => {
    const {alpha, beta} = await twoRealms();
    await stopped(beta);
    let alice = await login(alpha.port, 'alice');
    clients.push(alice);
    await waitFor(async () => (await realmEntry(alice, 'beta'))?.state === 'backoff');
    for (let i = 0; i < 5; i++) expect(await alice.request(`sendprivaterealm beta bob kept ${i}`)).toMatchObject({queued: true});

    const alpha2 = await restart(alpha);
    alice = await login(alpha2.port, 'alice');
    clients.push(alice);
    expect(await realmEntry(alice, 'beta')).toMatchObject({name: 'beta', port: beta.port, direction: 'outbound', queued: 5});

    const beta2 = await restart(beta);
    await waitFor(async () => (await realmEntry(alice, 'beta'))?.queued === 0, 15_000, 'the outbox to drain after both restarts');
    const bob = await login(beta2.port, 'bob');
    clients.push(bob);
    expect(texts(await bob.request('getrealminbox alpha'))).toEqual([0, 1, 2, 3, 4].map((i) => `kept ${i}`));

    // And the link carries new messages both ways at once.
    expect(await alice.request('sendprivaterealm beta bob after restart')).toMatchObject({status: 'OK', message: 'Message sent to user in realm'});
    expect(await bob.request('sendprivaterealm alpha alice back at you')).toMatchObject({status: 'OK', message: 'Message sent to user in realm'});
    expect(texts(await bob.request('inbox'))).toEqual(['after restart']);
    expect(texts(await alice.request('inbox'))).toEqual(['back at you']);
  });
});

describe('the realm that dials stops', () => {
  it('lets the other side queue meanwhile; its messages flow once the dialler is back and redials', async () => {
    const {alpha, bob} = await twoRealms();
    await stopped(alpha);
    await waitFor(async () => (await realmEntry(bob.client, 'alpha'))?.state === 'backoff', 10_000, 'beta to see alpha down');
    expect(await realmEntry(bob.client, 'alpha')).toMatchObject({direction: 'inbound'});
    for (let i = 0; i < 3; i++) {
      expect(await bob.client.request(`sendprivaterealm alpha alice from beta ${i}`)).toMatchObject(
        {status: 'OK', queued: true, message: 'Message queued for user in realm'});
    }
    const alpha2 = await restart(alpha);
    await waitFor(async () => (await realmEntry(bob.client, 'alpha'))?.queued === 0, 15_000, "beta's outbox to drain");
    const alice = await login(alpha2.port, 'alice');
    clients.push(alice);
    expect(texts(await alice.request('getrealminbox beta'))).toEqual(['from beta 0', 'from beta 1', 'from beta 2']);
  });
});

describe('a queued message that is refused later', () => {
  it('leaves a delivery-failure notice in the sender inbox', async () => {
    const {alice, beta} = await twoRealms();
    await stopped(beta);
    await waitFor(async () => (await realmEntry(alice.client, 'beta'))?.state === 'backoff');
    expect(await alice.client.request('sendprivaterealm beta nobody are you there')).toMatchObject({queued: true});
    expect(await alice.client.request('sendgrouprealm beta nogroup anyone')).toMatchObject({queued: true});
    await restart(beta);
    await waitFor(async () => (await realmEntry(alice.client, 'beta'))?.queued === 0, 15_000, 'the outbox to drain');
    const inbox = await alice.client.request('inbox');
    expect(Object.keys(inbox.messages as object)).toEqual(['~realmchat']);
    expect(texts(inbox)).toEqual([
      'Delivery failed: realm beta refused your message to nobody@beta (User tidak ditemukan): "are you there"',
      'Delivery failed: realm beta refused your message to group:nogroup@beta (Group tidak ditemukan): "anyone"',
    ]);
  });
});

describe('both realms run addrealm for each other at the same moment', () => {
  it('ends with one working link that one side dials, also after both restart', async () => {
    let alpha = await startRealm('alpha');
    let beta = await startRealm('beta');
    daemons.push(alpha, beta);
    const alice = await user(alpha.port, 'alice');
    const bob = await user(beta.port, 'bob');
    clients.push(alice.client, bob.client);
    // Each side's check of the peer completes while the peer's own connection is being registered here.
    const replies = await Promise.all([
      alice.client.request(`addrealm beta 127.0.0.1 ${beta.port}`),
      bob.client.request(`addrealm alpha 127.0.0.1 ${alpha.port}`),
    ]);
    for (const reply of replies) expect(['Realm added successfully', 'Realm sudah ada']).toContain(reply.message);
    await waitFor(async () => (await realmEntry(alice.client, 'beta'))?.state === 'ready', 5000, 'alpha to list beta ready');
    await waitFor(async () => (await realmEntry(bob.client, 'alpha'))?.state === 'ready', 5000, 'beta to list alpha ready');
    // Someone must dial, or the link never comes back after it drops.
    const directions = [(await realmEntry(alice.client, 'beta'))!.direction, (await realmEntry(bob.client, 'alpha'))!.direction];
    expect(directions).toContain('outbound');

    alpha = await restart(alpha);
    beta = await restart(beta);
    const alice2 = await login(alpha.port, 'alice');
    const bob2 = await login(beta.port, 'bob');
    clients.push(alice2, bob2);
    await waitFor(async () => (await realmEntry(alice2, 'beta'))?.state === 'ready', 5000, 'the link to come back');
    expect(await alice2.request('sendprivaterealm beta bob across')).toMatchObject({message: 'Message sent to user in realm'});
    expect(await bob2.request('sendprivaterealm alpha alice back')).toMatchObject({message: 'Message sent to user in realm'});
    expect(texts(await bob2.request('inbox'))).toEqual(['across']);
    expect(texts(await alice2.request('inbox'))).toEqual(['back']);
  });
});

describe('stopping while a realm is being dialled', () => {
  /** A TCP server that accepts connections and never answers (a hung daemon, or something else on that port). */
  async function silentServer() {
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => {});
      socket.resume(); // read (and ignore) the hello, so the end of the stream is seen
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {server, sockets, port: (server.address() as {port: number}).port};
  }

  const closedWithin = (socket: Socket, ms: number) => new Promise<boolean>((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => { clearTimeout(timer); resolve(true); });
  });

  it('drops the dial of addrealm and of a stored link at once, not after the handshake timeout', async () => {
    const silent = await silentServer();
    try {
      const alpha = await startRealm('alpha', {tunables: {handshakeTimeoutMs: 15_000}});
      daemons.push(alpha);
      const alice = await user(alpha.port, 'alice');
      clients.push(alice.client);
      const added = alice.client.request(`addrealm ghost 127.0.0.1 ${silent.port}`);
      await waitFor(() => silent.sockets.length === 1, 5000, 'addrealm to dial');
      await alpha.stop();
      expect(await closedWithin(silent.sockets[0]!, 2000)).toBe(true);
      // The user who asked is told why, not left without a reply.
      expect(await added).toEqual({status: 'ERROR', code: 'SHUTTING_DOWN', message: 'Server sedang berhenti'});

      // A stored link that dials on start-up.
      const store = new SqliteStore({file: join(alpha.dir, 'realmchat.db')});
      store.saveRealm({name: 'ghost', host: '127.0.0.1', port: silent.port, dial: true, addedAt: 0});
      await store.close();
      const again = await alpha.restart();
      daemons.splice(daemons.indexOf(alpha), 1, again);
      await waitFor(() => silent.sockets.length === 2, 5000, 'the link to dial');
      await again.stop();
      expect(await closedWithin(silent.sockets[1]!, 2000)).toBe(true);
    } finally {
      for (const socket of silent.sockets) socket.destroy();
      await new Promise((resolve) => silent.server.close(resolve));
    }
  });
});
