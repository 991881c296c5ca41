/**
 * The client protocol core without a socket: requests become lines, and reply bytes, however they are cut, settle the
 * requests in order and keep the session. Every reply fixture is fed as one chunk, byte by byte, and split at every
 * index.
 */
import {describe, expect, it} from 'vitest';
import {ClientProtocol, replyTimeoutMs, ReplyStreamError, type Credentials} from '../../common/client/client-protocol.js';
import {encodeReply} from '../../common/protocol/reply-codec.js';
import {error, ok, type Reply} from '../../common/protocol/replies.js';
import {RequestUsageError} from '../../common/protocol/request.js';
import {everySplit, feedCut} from '../helpers/splits.js';

const TOKEN = '0b6a8e43-8f2c-4d5e-9a1b-2c3d4e5f6a7b';

/** The daemon's bytes for `replies`, back to back. */
const bytesOf = (...replies: Reply[]) => Buffer.from(replies.map(encodeReply).join(''));

/** Feeds `bytes` cut at `cuts` into the protocol. */
function feed(protocol: ClientProtocol, bytes: Buffer, cuts: readonly number[]): void {
  feedCut(bytes, cuts, (chunk) => {
    protocol.receive(chunk);
    return [];
  });
}

describe('ClientProtocol', () => {
  const login = ok('Login successful', {tokenid: TOKEN, username: 'Alice', realm: 'alpha'});
  const profile = ok('User info: bob', {user: {username: 'bob', nama: 'Bób', negara: 'id'}});
  // Text that holds the terminator and a non-ASCII character must not end or break a reply.
  const history = ok('History', {messages: [{id: 1, msg_from: 'bob', msg_to: 'alice', msg: 'a\r\n\r\nb ☕', ts: 't'}], more: false});
  const loggedOut = ok('Logout successful');

  it('matches pipelined replies to their requests in order, however the bytes are cut', async () => {
    const bytes = bytesOf(login, profile, history, loggedOut);
    for (const cuts of everySplit(bytes)) {
      const sessions: (Credentials | undefined)[] = [];
      const protocol = new ClientProtocol({onSession: (session) => sessions.push(session)});
      const exchanges = [
        protocol.send(protocol.prepare('auth', ['alice', 'pw'])),
        protocol.send(protocol.prepare('info', ['bob'])),
        protocol.send(protocol.prepare('history', ['bob'])),
        protocol.send(protocol.prepare('logout')),
      ];
      expect(protocol.pendingCount).toBe(4);
      feed(protocol, bytes, cuts);
      expect(await Promise.all(exchanges.map((exchange) => exchange.reply))).toEqual([login, profile, history, loggedOut]);
      expect(protocol.pendingCount).toBe(0);
      // The login was kept and the logout forgot it, in that order.
      expect(sessions).toEqual([{token: TOKEN, username: 'Alice'}, undefined]);
      expect(protocol.session).toBeUndefined();
    }
  });

  it('builds lines through the command table, with the kept token inline for session commands', () => {
    const protocol = new ClientProtocol();
    expect(protocol.prepare('AUTH', ['alice', 'pw'])).toEqual({command: 'auth', line: 'auth alice pw\r\n'});
    expect(protocol.prepare('send', ['bob', 'hello  there']).line).toBe('send bob hello  there\r\n');
    const stored = new ClientProtocol({session: {token: TOKEN, username: 'alice'}});
    expect(stored.prepare('info').line).toBe(`info ${TOKEN}\r\n`);
    expect(stored.prepare('auth', ['bob', 'pw']).line).toBe('auth bob pw\r\n');
    // A stored value that is not token-shaped would be read as a parameter, so it is never sent.
    expect(new ClientProtocol({session: {token: 'bob', username: 'x'}}).prepare('info').line).toBe('info\r\n');
  });

  it('keeps the token of a login reply, whatever the split, and sends it with later commands', () => {
    const bytes = bytesOf(ok('Register successful', {tokenid: TOKEN, username: 'carol'}));
    for (const cuts of everySplit(bytes)) {
      const protocol = new ClientProtocol();
      void protocol.send(protocol.prepare('register', ['carol', 'pw', 'Carol', 'id'])).reply;
      feed(protocol, bytes, cuts);
      expect(protocol.session).toEqual({token: TOKEN, username: 'carol'});
      expect(protocol.prepare('groups').line).toBe(`groups ${TOKEN}\r\n`);
      expect(protocol.prepare('auth', ['dave', 'pw']).line).toBe('auth dave pw\r\n');
    }
  });

  it('keeps the session on an ERROR reply to a login', async () => {
    const protocol = new ClientProtocol({session: {token: TOKEN, username: 'alice'}});
    const exchange = protocol.send(protocol.prepare('auth', ['alice', 'wrong']));
    feed(protocol, bytesOf(error('AUTH_WRONG_PASSWORD')), []);
    expect(await exchange.reply).toMatchObject({status: 'ERROR', code: 'AUTH_WRONG_PASSWORD'});
    expect(protocol.session).toEqual({token: TOKEN, username: 'alice'});
  });

  it('drops the late reply of an abandoned request, so the next reply still matches its own', async () => {
    const bytes = bytesOf(ok('late'), ok('on time'));
    for (const cuts of everySplit(bytes)) {
      const protocol = new ClientProtocol();
      const first = protocol.send(protocol.prepare('groups'));
      const second = protocol.send(protocol.prepare('realms'));
      const gaveUp = new Error('timed out');
      first.abandon(gaveUp);
      await expect(first.reply).rejects.toBe(gaveUp);
      expect(protocol.pendingCount).toBe(2);
      feed(protocol, bytes, cuts);
      expect(await second.reply).toMatchObject({message: 'on time'});
      expect(protocol.pendingCount).toBe(0);
    }
  });

  it('says a reply nobody asked for breaks the stream, after settling the ones before it', async () => {
    const bytes = bytesOf(ok('asked'), ok('not asked'));
    for (const cuts of everySplit(bytes)) {
      const protocol = new ClientProtocol();
      const asked = protocol.send(protocol.prepare('groups'));
      let thrown: unknown;
      try {
        feed(protocol, bytes, cuts);
      } catch (caught) {
        thrown = caught;
      }
      expect(thrown).toBeInstanceOf(ReplyStreamError);
      expect(thrown).toMatchObject({kind: 'unasked'});
      expect(await asked.reply).toMatchObject({message: 'asked'});
    }
  });

  it('says bytes that are not a reply break the stream', () => {
    const bytes = Buffer.from('this is not JSON\r\n\r\n');
    for (const cuts of everySplit(bytes)) {
      const protocol = new ClientProtocol();
      void protocol.send(protocol.prepare('groups')).reply.catch(() => {});
      expect(() => feed(protocol, bytes, cuts)).toThrow(ReplyStreamError);
    }
  });

  it('rejects what is waiting when the connection ends, and starts the next stream afresh', async () => {
    const protocol = new ClientProtocol();
    const waiting = protocol.send(protocol.prepare('groups'));
    const half = bytesOf(ok('cut off'));
    protocol.receive(half.subarray(0, 10));
    const lost = new Error('connection lost');
    protocol.reset(lost);
    await expect(waiting.reply).rejects.toBe(lost);
    expect(protocol.pendingCount).toBe(0);

    const bytes = bytesOf(ok('fresh'));
    for (const cuts of everySplit(bytes)) {
      const next = protocol.send(protocol.prepare('realms'));
      feed(protocol, bytes, cuts);
      expect(await next.reply).toMatchObject({message: 'fresh'});
    }
  });

  it('refuses arguments that do not fit before anything is queued', () => {
    const protocol = new ClientProtocol();
    expect(() => protocol.prepare('send', ['bob', '   '])).toThrow(RequestUsageError);
    expect(() => protocol.prepare('auth', ['alice', 'two words'])).toThrow(/password must be one word/);
    expect(() => protocol.prepare('nonsense')).toThrow(/unknown command/);
    expect(protocol.pendingCount).toBe(0);
  });

  it('gives a long-poll inbox its wait on top of the request timeout', () => {
    expect(replyTimeoutMs('inbox', [25], 10_000)).toBe(35_000);
    expect(replyTimeoutMs('inbox', [], 10_000)).toBe(10_000);
    expect(replyTimeoutMs('groups', [], 10_000)).toBe(10_000);
    expect(replyTimeoutMs('inbox', [25], 0)).toBe(0);
  });
});
