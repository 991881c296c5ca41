/**
 * Issue 9's fault suite, the password-guessing loop: many connections guess one user's password while a canary user
 * keeps being served; the guessers never log in, not even with the right password once blocked. And the throttling
 * branches of `auth`: attempts queued behind the failure that started a block, a login that clears the failures.
 */
import {afterEach, describe, expect, it} from 'vitest';
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
    // One hash at a time: the other guesses wait their turn while the first one fails and blocks the name.
    const server = await startDaemon({hashConcurrency: 1, authUserBackoff: {freeFailures: 0, baseMs: 1000, maxMs: 60_000}},
      {clock: new ManualClock()});
    started.push(server);
    clients.push((await registerUser(server.port, 'messi', 'surabaya')).client);
    const guessers = await Promise.all(Array.from({length: 8}, () => connect(server.port)));
    for (const guesser of guessers) guesser.write('auth messi wrong\r\n');
    const replies = await Promise.all(guessers.map((guesser) => guesser.next()));
    expect(replies.filter((reply) => reply.code === 'AUTH_WRONG_PASSWORD')).toHaveLength(1);
    expect(replies.filter((reply) => reply.code === 'AUTH_THROTTLED')).toEqual(
      Array.from({length: 7}, () => expect.objectContaining({status: 'ERROR', retry_after: 1})));
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
