/**
 * Issue 9, point 7: one user (or one remote user through a realm link) cannot fill the disk: messages and bytes per
 * second with bursts, unread bytes per recipient, and a bounded outbox per realm. RATE_LIMITED says when to retry.
 */
import {afterEach, describe, expect, it} from 'vitest';
import type {SendLimits} from '../../daemon/limits/send-limiter.js';
import {SendLimiter} from '../../daemon/limits/send-limiter.js';
import {LineClient, NO_SEND_LIMITS, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {link, newKey, realmEntry, startRealm, texts, user, waitFor} from '../federation/helpers.js';
import {RawPeer} from '../federation/raw-peer.js';
import {ManualClock} from './manual-clock.js';

const started: TestDaemon[] = [];
const clients: LineClient[] = [];
const peers: RawPeer[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const peer of peers.splice(0)) peer.close();
  await Promise.all(started.splice(0).map((daemon) => daemon.cleanup()));
});

const LIMITS: SendLimits = {
  messages: {perSecond: 2, burst: 3},
  bytes: {perSecond: 100, burst: 200},
  unreadBytesPerRecipient: 1000,
};

async function users(port: number, ...names: string[]): Promise<LineClient[]> {
  const made = [];
  for (const name of names) made.push((await registerUser(port, name)).client);
  clients.push(...made);
  return made;
}

describe('SendLimiter', () => {
  it('allows a burst, then refills at the rate, and says how many seconds to wait', () => {
    const clock = new ManualClock();
    const limiter = new SendLimiter(LIMITS, clock, () => 0);
    expect([1, 2, 3, 4].map(() => limiter.take('a', null, ['b'], 1))).toEqual([0, 0, 0, 1]);
    clock.advance(500);
    expect(limiter.take('a', null, ['b'], 1)).toBe(0);
    expect(limiter.take('a', null, ['b'], 1)).toBe(1);
    expect(limiter.take('other', null, ['b'], 1)).toBe(0);
  });

  it('counts bytes: a burst of text, then the byte rate', () => {
    const clock = new ManualClock();
    const limiter = new SendLimiter(LIMITS, clock, () => 0);
    expect(limiter.take('a', null, ['b'], 150)).toBe(0);
    expect(limiter.take('a', null, ['b'], 150)).toBe(1); // 50 left, 100 more at 100/s
    clock.advance(1000);
    expect(limiter.take('a', null, ['b'], 150)).toBe(0);
  });

  it('seeds a pair\'s unread bytes from the store once, then counts sends up and reads down', () => {
    const clock = new ManualClock();
    const seeded: string[] = [];
    const limiter = new SendLimiter({...NO_SEND_LIMITS, unreadBytesPerRecipient: 100}, clock, (recipient, sender) => {
      seeded.push(`${sender}->${recipient}`);
      return 60;
    });
    expect(limiter.take('a', null, ['b'], 30)).toBe(0);
    expect(limiter.take('a', null, ['b'], 30)).toBeGreaterThan(0);
    expect(limiter.take('a', null, ['c'], 30)).toBe(0);
    limiter.read('b', [{sender: 'A', body: 'x'.repeat(50)}]);
    expect(limiter.take('a', null, ['b'], 30)).toBe(0);
    expect(seeded).toEqual(['a->b', 'a->c']);
  });
});

describe('send over a socket', () => {
  it('answers RATE_LIMITED with retry_after past the burst, and serves again once the bucket refilled', async () => {
    const clock = new ManualClock();
    const server = await startDaemon({sendLimits: LIMITS}, {clock});
    started.push(server);
    const [alice] = await users(server.port, 'alice', 'bob');
    for (let i = 0; i < 3; i++) expect(await alice!.request(`send bob hi ${i}`)).toMatchObject({status: 'OK'});
    expect(await alice!.request('send bob one too many')).toEqual({
      status: 'ERROR', message: 'Terlalu banyak pesan, coba lagi nanti', code: 'RATE_LIMITED', retry_after: 1,
    });
    expect(await alice!.request('sendgroup nogroup hi')).toMatchObject({code: 'GROUP_NOT_FOUND'});
    clock.advance(1000);
    expect(await alice!.request('send bob again')).toMatchObject({status: 'OK'});
  });

  it('caps the unread bytes one sender holds in one inbox, across a restart, until the recipient reads', async () => {
    const limits = {...NO_SEND_LIMITS, unreadBytesPerRecipient: 100};
    let server = await startDaemon({sendLimits: limits});
    started.push(server);
    const [alice] = await users(server.port, 'alice', 'bob', 'carol');
    const text = 'x'.repeat(60);
    expect(await alice!.request(`send bob ${text}`)).toMatchObject({status: 'OK'});
    expect(await alice!.request(`send bob ${text}`)).toMatchObject({code: 'RATE_LIMITED'});
    expect(await alice!.request(`send carol ${text}`)).toMatchObject({status: 'OK'});
    server = await server.restart();
    started.splice(0, 1, server);
    const again = await LineClient.connect(server.port);
    clients.push(again);
    await again.request('auth alice pw');
    // The counter of (alice, bob) starts from the database: the 60 unread bytes still count.
    expect(await again.request(`send bob ${text}`)).toMatchObject({code: 'RATE_LIMITED'});
    const bob = await LineClient.connect(server.port);
    clients.push(bob);
    await bob.request('auth bob pw');
    expect(texts(await bob.request('inbox'))).toEqual([text]);
    expect(await again.request(`send bob ${text}`)).toMatchObject({status: 'OK'});
  });

  it('applies to group messages per recipient', async () => {
    const server = await startDaemon({sendLimits: {...NO_SEND_LIMITS, unreadBytesPerRecipient: 100}});
    started.push(server);
    const [alice, bob] = await users(server.port, 'alice', 'bob');
    await alice!.request('addgroup g');
    await bob!.request('joingroup g');
    expect(await alice!.request(`sendgroup g ${'y'.repeat(60)}`)).toMatchObject({status: 'OK'});
    expect(await alice!.request(`sendgroup g ${'y'.repeat(60)}`)).toMatchObject({code: 'RATE_LIMITED'});
  });
});

describe('realms', () => {
  it('refuses a remote user\'s messages past its allowance (RATE_LIMITED in the ack) and stores none of them', async () => {
    const delta = newKey();
    const beta = await startRealm('beta', {daemon: {realmSendLimits: {...LIMITS, unreadBytesPerRecipient: 1_000_000}}});
    started.push(beta);
    const bob = await user(beta.port, 'bob');
    clients.push(bob.client);
    const peer = await RawPeer.dial(beta.port, 'delta', 'beta', delta);
    peers.push(peer);
    let burst = '';
    for (let i = 1; i <= 4; i++) {
      burst += `msg ${JSON.stringify({seq: i, id: `m${i}`, origin: 'delta', from: 'dave', to: 'bob', text: `n${i}`, ts: 1})}\n`;
    }
    peer.write(burst);
    let ack = await peer.frame();
    while (ack.type === 'ack' && ack.upto < 4) ack = await peer.frame();
    expect(ack).toMatchObject({type: 'ack', upto: 4, refused: [[4, 'RATE_LIMITED']]});
    expect(texts(await bob.client.request('inbox'))).toEqual(['n1', 'n2', 'n3']);
  });

  it('bounds what all users of one realm send together, whatever names they use', async () => {
    const delta = newKey();
    const beta = await startRealm('beta', {daemon: {realmLinkLimits: {messages: {perSecond: 1, burst: 3}, bytes: NO_SEND_LIMITS.bytes}}});
    started.push(beta);
    const bob = await user(beta.port, 'bob');
    clients.push(bob.client);
    const peer = await RawPeer.dial(beta.port, 'delta', 'beta', delta);
    peers.push(peer);
    let burst = '';
    for (let i = 1; i <= 4; i++) {
      burst += `msg ${JSON.stringify({seq: i, id: `r${i}`, origin: 'delta', from: `sender${i}`, to: 'bob', text: `n${i}`, ts: 1})}\n`;
    }
    peer.write(burst);
    let ack = await peer.frame();
    while (ack.type === 'ack' && ack.upto < 4) ack = await peer.frame();
    expect(ack).toMatchObject({type: 'ack', upto: 4, refused: [[4, 'RATE_LIMITED']]});
  });

  it('refuses sends to a realm whose outbox is full', async () => {
    const alpha = await startRealm('alpha', {daemon: {maxOutboxPerRealm: 2}});
    const beta = await startRealm('beta');
    started.push(alpha, beta);
    const alice = await user(alpha.port, 'alice');
    const bob = await user(beta.port, 'bob');
    clients.push(alice.client, bob.client);
    await link({port: alpha.port, client: alice.client}, 'beta', {port: beta.port, client: bob.client}, 'alpha');
    await beta.stop();
    await waitFor(async () => (await realmEntry(alice.client, 'beta'))?.state === 'backoff', 10_000, 'alpha to see beta down');
    for (let i = 0; i < 2; i++) {
      expect(await alice.client.request(`sendprivaterealm beta bob queued ${i}`)).toMatchObject({status: 'OK', queued: true});
    }
    expect(await alice.client.request('sendprivaterealm beta bob one too many')).toMatchObject({code: 'RATE_LIMITED', retry_after: 60});
  });
});
