/**
 * Issue 9, point 6: failed logins back off per username and per address, and hashing is shared fairly. And the fault
 * suite's password-guessing loop: many connections guess one user's password while a canary user keeps being
 * served; the guessers never log in, not even with the right password once blocked.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {AuthLimiter} from '../../daemon/limits/auth-limiter.js';
import {HashQueue} from '../../daemon/limits/hash-queue.js';
import {Canary} from '../helpers/canary.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {ManualClock} from './manual-clock.js';

const started: TestDaemon[] = [];
const clients: Array<{close(): void}> = [];
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
    // A request the router refuses at once rides in front of the login, in the same write: its reply shows that the
    // daemon has read the login too, so guesses answered while a busy machine was slow to read it are not counted.
    real.write('nosuchcommand\r\nauth realuser right\r\n');
    expect(await real.next()).toMatchObject({status: 'ERROR'});
    const before = attackerReplies;
    expect(await real.next()).toMatchObject({status: 'OK'});
    // Unfair (the thread pool's FIFO), about 128 guesses would be answered first; fairly, about one per username.
    expect(attackerReplies - before).toBeLessThan(24);
  });
});

describe('a password-guessing loop (fault suite)', () => {
  it('logs nobody in, answers every guess, and keeps serving a logged-in canary and the victim', async () => {
    // The clock never moves: once blocked, the victim's name stays blocked for the whole attack.
    const server = await startDaemon({authUserBackoff: {freeFailures: 5, baseMs: 1000, maxMs: 60_000}}, {clock: new ManualClock()});
    started.push(server);
    const victim = await registerUser(server.port, 'victim', 'right-one');
    clients.push(victim.client);
    const canary = await Canary.register(server.port);
    clients.push(canary);
    await canary.isServed('before the guessing');
    const guessers = await Promise.all(Array.from({length: 16}, () => connect(server.port)));
    const codes: string[] = [];
    const attack = guessers.map(async (guesser, index) => {
      for (let round = 0; round < 20; round++) {
        const reply = await guesser.request(`auth victim guess-${index}-${round}`);
        codes.push(reply.status === 'OK' ? 'OK' : reply.code as string);
      }
      // The right password, once the name is blocked: refused like any guess.
      const reply = await guesser.request('auth victim right-one');
      codes.push(reply.status === 'OK' ? 'OK' : reply.code as string);
    });
    await canary.isServed('while 16 connections guess');
    expect(await victim.client.request('info')).toMatchObject({status: 'OK', user: {username: 'victim'}});
    await Promise.all(attack);
    await canary.isServed('after the guessing');

    expect(codes).toHaveLength(16 * 21);
    expect(new Set(codes)).toEqual(new Set(['AUTH_WRONG_PASSWORD', 'AUTH_THROTTLED']));
    expect(codes.filter((code) => code === 'AUTH_WRONG_PASSWORD').length).toBeLessThanOrEqual(16 + 5);
    // The victim's own session was never touched.
    expect(await victim.client.request('info')).toMatchObject({status: 'OK', user: {username: 'victim'}});
    await canary.assertNothingLost();
  });
});

describe('auth throttling', () => {
  it('refuses without hashing the attempts queued behind the failure that started a block', async () => {
    // One hash at a time: the other guesses wait their turn while the first one fails and blocks the name (for 7 s:
    // the reply says so, not a fallback's 1).
    const server = await startDaemon({hashConcurrency: 1, authUserBackoff: {freeFailures: 0, baseMs: 7000, maxMs: 60_000}},
      {clock: new ManualClock()});
    started.push(server);
    clients.push((await registerUser(server.port, 'messi', 'surabaya')).client);
    const guessers = await Promise.all(Array.from({length: 8}, () => connect(server.port)));
    for (const guesser of guessers) guesser.write('auth messi wrong\r\n');
    const replies = await Promise.all(guessers.map((guesser) => guesser.next()));
    expect(replies.filter((reply) => reply.code === 'AUTH_WRONG_PASSWORD')).toHaveLength(1);
    expect(replies.filter((reply) => reply.code === 'AUTH_THROTTLED')).toEqual(
      Array.from({length: 7}, () => expect.objectContaining({status: 'ERROR', retry_after: 7})));
  });

  it('forgets a username failures at its next login, so they do not add up across logins', async () => {
    const server = await startDaemon({authUserBackoff: {freeFailures: 3, baseMs: 1000, maxMs: 60_000}}, {clock: new ManualClock()});
    started.push(server);
    clients.push((await registerUser(server.port, 'Messi', 'surabaya')).client);
    const client = await connect(server.port);
    for (let i = 0; i < 3; i++) expect(await client.request('auth messi wrong')).toMatchObject({code: 'AUTH_WRONG_PASSWORD'});
    expect(await client.request('auth MESSI surabaya')).toMatchObject({status: 'OK'});
    // Three more free failures, not a block at the first.
    for (let i = 0; i < 3; i++) expect(await client.request('auth messi wrong')).toMatchObject({code: 'AUTH_WRONG_PASSWORD'});
    expect(await client.request('auth messi surabaya')).toMatchObject({status: 'OK', username: 'Messi'});
  });

  it('answers an unknown user AUTH_UNKNOWN_USER and counts it for the address only, not for that name', async () => {
    const server = await startDaemon({
      authUserBackoff: {freeFailures: 0, baseMs: 1000, maxMs: 60_000},
      authPeerBackoff: {freeFailures: 100, baseMs: 1000, maxMs: 60_000},
    }, {clock: new ManualClock()});
    started.push(server);
    const client = await connect(server.port);
    expect(await client.request('auth ghost x')).toMatchObject({code: 'AUTH_UNKNOWN_USER'});
    expect(await client.request('auth ghost x')).toMatchObject({code: 'AUTH_UNKNOWN_USER'});
    clients.push((await registerUser(server.port, 'ghost', 'boo')).client);
    expect(await client.request('auth ghost boo')).toMatchObject({status: 'OK'});
  });
});
