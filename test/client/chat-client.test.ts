import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
  ChatClient, ConnectionError, ConnectionLostError, RequestTimeoutError, RequestUsageError, userOf, type ClientState,
} from '../../common/client/index.js';
import {encodeReply} from '../../common/protocol/reply-codec.js';
import {ok} from '../../common/protocol/replies.js';
import {startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {closedPort, startServer, startSilentServer, waitFor, type TestServer} from './loopback-servers.js';

const clients: ChatClient[] = [];
const servers: TestServer[] = [];

function client(port: number, options: Partial<ConstructorParameters<typeof ChatClient>[0]> = {}): ChatClient {
  const created = new ChatClient({host: '127.0.0.1', port, ...options});
  clients.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((each) => each.close()));
  await Promise.all(servers.splice(0).map((each) => each.close()));
});

describe('ChatClient against a real daemon', () => {
  let daemon: TestDaemon;
  beforeEach(async () => {
    daemon = await startDaemon();
  });
  afterEach(async () => {
    await daemon.cleanup();
  });

  it('returns ERROR replies instead of throwing, and keeps the token of register', async () => {
    const alice = client(daemon.port);
    const sessions: unknown[] = [];
    alice.on('session', (session) => sessions.push(session));
    await alice.connect();
    const registered = await alice.register('alice', 'pw', 'Alice Liddell', 'New Zealand');
    expect(registered.status).toBe('OK');
    expect(alice.token).toBe(registered.tokenid);
    expect(alice.username).toBe('alice');
    expect(sessions).toEqual([{token: registered.tokenid, username: 'alice'}]);

    const missing = await alice.send('nobody', 'hello');
    expect(missing).toMatchObject({status: 'ERROR', code: 'USER_NOT_FOUND'});

    const me = userOf(await alice.info());
    expect(me).toMatchObject({username: 'alice', fullName: 'Alice Liddell', country: 'New Zealand'});
  });

  it('sends the kept token inline, so a fresh connection acts for the same user', async () => {
    const first = client(daemon.port);
    await first.connect();
    const {tokenid} = await first.register('bob', 'pw', 'Bob', 'indonesia');
    const second = client(daemon.port, {token: tokenid as string});
    await second.connect();
    expect(userOf(await second.info())?.username).toBe('bob');

    expect((await second.logout()).status).toBe('OK');
    expect(second.token).toBeUndefined();
    expect(await first.info()).toMatchObject({status: 'ERROR', code: 'NO_SESSION'});
  });

  it('pipelines many requests and matches each reply to its request in order', async () => {
    const setup = client(daemon.port);
    await setup.connect();
    const names = Array.from({length: 8}, (_, i) => `user${i}`);
    for (const name of names) await setup.register(name, 'pw', name, 'indonesia');

    const viewer = client(daemon.port, {token: setup.token!});
    await viewer.connect();
    const asked = Array.from({length: 120}, (_, i) => (i % 10 === 9 ? `ghost${i}` : names[i % names.length]!));
    const replies = asked.map((name) => viewer.info(name));
    // Every request was written before any reply arrived.
    expect(viewer.pendingCount).toBe(asked.length);
    const settled = await Promise.all(replies);
    settled.forEach((reply, i) => {
      if (asked[i]!.startsWith('ghost')) expect(reply).toMatchObject({status: 'ERROR', code: 'USER_NOT_FOUND'});
      else expect(userOf(reply)?.username).toBe(asked[i]);
    });
    expect(viewer.pendingCount).toBe(0);
  });

  it('rejects bad arguments with RequestUsageError before anything is sent', async () => {
    const alice = client(daemon.port);
    await alice.connect();
    await expect(alice.send('bob', '   ')).rejects.toBeInstanceOf(RequestUsageError);
    await expect(alice.auth('alice', 'two words')).rejects.toThrow(/password must be one word/);
    await expect(alice.request('nonsense')).rejects.toThrow(/unknown command/);
    expect(alice.pendingCount).toBe(0);
  });

  it('long-polls inbox on a second client while the first keeps working', async () => {
    const alice = client(daemon.port);
    await alice.connect();
    await alice.register('alice', 'pw', 'Alice', 'indonesia');
    const bob = client(daemon.port);
    await bob.connect();
    await bob.register('bob', 'pw', 'Bob', 'indonesia');
    const poller = client(daemon.port, {token: alice.token!});
    await poller.connect();

    const waiting = poller.inbox(20);
    expect((await alice.groups()).status).toBe('OK');
    await bob.send('alice', 'wake up');
    const inbox = await waiting;
    expect(JSON.stringify(inbox.messages)).toContain('wake up');
  });

  it('reconnects with capped backoff after the daemon restarts, and the token still works', async () => {
    const states: ClientState[] = [];
    const alice = client(daemon.port, {reconnect: {initialDelayMs: 20, maxDelayMs: 80, factor: 2, random: () => 0}});
    alice.on('state', (state) => states.push(state));
    await alice.connect();
    await alice.register('alice', 'pw', 'Alice', 'indonesia');

    await daemon.stop();
    const delays = () => states.flatMap((state) => (state.state === 'reconnecting' ? [state.inMs] : []));
    await waitFor(() => delays().length >= 4, 5000, 'four reconnect attempts');
    expect(delays().slice(0, 4)).toEqual([20, 40, 80, 80]);
    const firstDrop = states.find((state) => state.state === 'reconnecting');
    expect(firstDrop).toMatchObject({error: expect.any(ConnectionLostError)});
    if (alice.state.state === 'reconnecting') {
      await expect(alice.info()).rejects.toMatchObject({name: 'ConnectionError', failure: 'offline'});
    }

    daemon = await daemon.restart();
    await waitFor(() => alice.state.state === 'connected', 5000, 'reconnected');
    expect(userOf(await alice.info())?.username).toBe('alice');
    expect(states.map((state) => state.state)).toContain('connecting');
  });
});

describe('ChatClient against misbehaving servers', () => {
  it('times out a request to a server that never answers, without closing the connection', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const quiet = client(silent.port, {requestTimeoutMs: 100});
    await quiet.connect();
    const error = await quiet.info().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({command: 'info', timeoutMs: 100, address: `127.0.0.1:${silent.port}`});
    expect(quiet.state.state).toBe('connected');
  });

  it('drops the late reply of a timed-out request so later replies still match', async () => {
    // Answers each line with its own text, in order like the daemon, the first one late.
    let count = 0;
    const echo = await startServer((socket) => {
      let buffered = '';
      let answered = Promise.resolve();
      socket.on('data', (chunk) => {
        buffered += chunk.toString();
        let end;
        while ((end = buffered.indexOf('\n')) !== -1) {
          const line = buffered.slice(0, end).trim();
          buffered = buffered.slice(end + 1);
          const delay = count++ === 0 ? 300 : 0;
          answered = answered.then(() => new Promise((resolve) => setTimeout(resolve, delay)))
            .then(() => void socket.write(encodeReply(ok('echo', {line}))));
        }
      });
    });
    servers.push(echo);
    const echoing = client(echo.port, {requestTimeoutMs: 100});
    await echoing.connect();
    const first = echoing.info('first').catch((caught: unknown) => caught);
    const second = echoing.request('info', ['second'], {timeoutMs: 2000});
    expect(await first).toBeInstanceOf(RequestTimeoutError);
    expect((await second).line).toBe('info second');
  });

  it('rejects every pending request with ConnectionLostError when the connection drops', async () => {
    const dropper = await startServer((socket) => socket.once('data', () => socket.destroy()));
    servers.push(dropper);
    const states: ClientState[] = [];
    const doomed = client(dropper.port);
    doomed.on('state', (state) => states.push(state));
    await doomed.connect();
    const results = await Promise.allSettled([doomed.groups(), doomed.realms(), doomed.info()]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason as ConnectionLostError;
      expect(reason).toBeInstanceOf(ConnectionLostError);
      expect(reason).toBeInstanceOf(ConnectionError);
      expect(reason.address).toBe(`127.0.0.1:${dropper.port}`);
      expect(reason.failure).toBe('lost');
    }
    expect(states.at(-1)).toMatchObject({state: 'closed', error: expect.any(ConnectionLostError)});
    await expect(doomed.groups()).rejects.toMatchObject({failure: 'offline'});
  });

  it('treats a broken reply stream as a lost connection', async () => {
    const garbage = await startServer((socket) => socket.once('data', () => socket.write('not json\r\n\r\n')));
    servers.push(garbage);
    const confused = client(garbage.port);
    await confused.connect();
    await expect(confused.groups()).rejects.toThrow(/broken reply stream/);
  });

  it('reports a refused connection with the address', async () => {
    const port = await closedPort();
    const nobody = client(port);
    const error = (await nobody.connect().catch((caught: unknown) => caught)) as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.failure).toBe('connect');
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.address).toBe(`127.0.0.1:${port}`);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(nobody.state).toMatchObject({state: 'closed'});
  });

  it('rejects pending requests with a closed ConnectionError on close()', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const closing = client(silent.port);
    await closing.connect();
    const pending = closing.groups();
    await closing.close();
    await expect(pending).rejects.toMatchObject({name: 'ConnectionError', failure: 'closed'});
    expect(closing.state.state).toBe('closed');
  });
});
