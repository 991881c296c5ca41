/** Issue 9, point 6: failed logins back off per username and per address, and hashing is shared fairly. */
import {afterEach, describe, expect, it} from 'vitest';
import {AuthLimiter} from '../../daemon/limits/auth-limiter.js';
import {HashQueue} from '../../daemon/limits/hash-queue.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {ManualClock} from './manual-clock.js';

const started: TestDaemon[] = [];
const clients: LineClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(started.splice(0).map((daemon) => daemon.cleanup()));
});

async function connect(port: number): Promise<LineClient> {
  const client = await LineClient.connect(port);
  clients.push(client);
  return client;
}

describe('AuthLimiter', () => {
  it('lets a username fail freely, then blocks it 1 s, 2 s, 4 s… up to the maximum; a login clears it', () => {
    const clock = new ManualClock();
    const limiter = new AuthLimiter(clock, {freeFailures: 2, baseMs: 1000, maxMs: 4000}, {freeFailures: 1000, baseMs: 1000, maxMs: 4000});
    for (let i = 0; i < 2; i++) limiter.failed('Messi', '10.0.0.1', true);
    expect(limiter.retryAfter('messi', '10.0.0.2')).toBe(0);
    const waits = [];
    for (let i = 0; i < 4; i++) {
      limiter.failed('messi', '10.0.0.1', true);
      waits.push(limiter.retryAfter('MESSI', '10.0.0.3'));
      clock.advance(waits.at(-1)! * 1000);
      expect(limiter.retryAfter('messi', '10.0.0.3')).toBe(0);
    }
    expect(waits).toEqual([1, 2, 4, 4]);
    limiter.failed('messi', '10.0.0.1', true);
    limiter.succeeded('messi');
    expect(limiter.retryAfter('messi', '10.0.0.1')).toBe(0);
  });

  it('counts every failure of an address, unknown usernames too, and forgets after a quiet spell', () => {
    const clock = new ManualClock();
    const limiter = new AuthLimiter(clock, {freeFailures: 100, baseMs: 1000, maxMs: 60_000}, {freeFailures: 3, baseMs: 1000, maxMs: 60_000});
    for (const name of ['a', 'b', 'c', 'd']) limiter.failed(name, '10.0.0.9', false);
    expect(limiter.retryAfter('anyone', '10.0.0.9')).toBe(1);
    expect(limiter.retryAfter('anyone', '10.0.0.8')).toBe(0);
    clock.advance(16 * 60_000);
    limiter.failed('e', '10.0.0.9', false);
    expect(limiter.retryAfter('anyone', '10.0.0.9')).toBe(0);
  });
});

describe('HashQueue', () => {
  it('runs at most `concurrency` tasks and takes turns over addresses, then usernames', async () => {
    const queue = new HashQueue(1);
    const order: string[] = [];
    const releases: Array<() => void> = [];
    const task = (label: string) => () => new Promise<void>((resolve) => {
      order.push(label);
      releases.push(resolve);
    });
    const done = [
      ...['a1', 'a2', 'a3'].map((label) => queue.run('attacker', 'victim', task(label))),
      queue.run('attacker', 'other', task('o1')),
      queue.run('home', 'alice', task('h1')),
    ];
    while (order.length < 5) {
      expect(releases.length).toBe(order.length); // one at a time
      releases.at(-1)!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    releases.at(-1)!();
    await Promise.all(done);
    // a1 ran at once; then addresses take turns (attacker, home, attacker…) and, within one, usernames do.
    expect(order).toEqual(['a1', 'a2', 'h1', 'o1', 'a3']);
  });
});

describe('auth over a socket', () => {
  it('answers AUTH_THROTTLED with retry_after once a username failed too often, even to the right password', async () => {
    const clock = new ManualClock();
    const server = await startDaemon({authUserBackoff: {freeFailures: 3, baseMs: 1000, maxMs: 60_000}}, {clock});
    started.push(server);
    clients.push((await registerUser(server.port, 'messi', 'surabaya')).client);
    const guesser = await connect(server.port);
    for (let i = 0; i < 3; i++) expect(await guesser.request('auth messi wrong')).toMatchObject({code: 'AUTH_WRONG_PASSWORD'});
    expect(await guesser.request('auth messi wrong')).toMatchObject({code: 'AUTH_WRONG_PASSWORD'});
    const refused = await guesser.request('auth messi wrong');
    expect(refused).toEqual({
      status: 'ERROR', message: 'Terlalu banyak percobaan login, coba lagi nanti', code: 'AUTH_THROTTLED', retry_after: 1,
    });
    const owner = await connect(server.port);
    expect(await owner.request('auth messi surabaya')).toMatchObject({code: 'AUTH_THROTTLED', retry_after: 1});
    clock.advance(1000);
    expect(await owner.request('auth messi surabaya')).toMatchObject({status: 'OK'});
  });

  it('backs off an address that tries many usernames', async () => {
    const clock = new ManualClock();
    const server = await startDaemon({authPeerBackoff: {freeFailures: 5, baseMs: 2000, maxMs: 60_000}}, {clock});
    started.push(server);
    clients.push((await registerUser(server.port, 'henderson', 'surabaya')).client);
    const guesser = await connect(server.port);
    for (let i = 0; i < 6; i++) expect(await guesser.request(`auth user${i} x`)).toMatchObject({code: 'AUTH_UNKNOWN_USER'});
    expect(await guesser.request('auth henderson surabaya')).toMatchObject({code: 'AUTH_THROTTLED', retry_after: 2});
    clock.advance(2000);
    expect(await guesser.request('auth henderson surabaya')).toMatchObject({status: 'OK'});
  });

  it('keeps a fair share of hashing for a real user while 128 connections guess passwords', async () => {
    const off = {freeFailures: Number.POSITIVE_INFINITY, baseMs: 1000, maxMs: 1000};
    const server = await startDaemon({authUserBackoff: off, authPeerBackoff: off});
    started.push(server);
    const victims = ['v0', 'v1', 'v2', 'v3'];
    for (const name of [...victims, 'realuser']) clients.push((await registerUser(server.port, name, 'right')).client);
    let attackerReplies = 0;
    const attackers = await Promise.all(Array.from({length: 128}, () => connect(server.port)));
    attackers.forEach((attacker, index) => {
      attacker.socket.on('data', (chunk: Buffer) => {
        attackerReplies += chunk.toString('latin1').split('\r\n\r\n').length - 1;
      });
      attacker.write(`auth ${victims[index % victims.length]} wrong\r\n`.repeat(12));
    });
    // Every attacker has a guess hashing or queued when the real user asks.
    while (attackerReplies < 128) await new Promise((resolve) => setTimeout(resolve, 5));
    const real = await connect(server.port);
    const before = attackerReplies;
    expect(await real.request('auth realuser right')).toMatchObject({status: 'OK'});
    // Unfair (the thread pool's FIFO), about 128 guesses would be answered first; fairly, about one per username.
    expect(attackerReplies - before).toBeLessThan(24);
  });
});
