/**
 * Issue 10, progress: ChatClient tells how far a request has got (its line written in chunks, its reply received),
 * against a real daemon, with a 3 MiB file each way; and a pipelined request behind a long line is not mixed into it.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {ChatClient, type RequestProgress} from '../../common/client/index.js';
import {CHUNK_BYTES} from '../../common/client/line-writer.js';
import {buildRequestLine} from '../../common/client/request-line.js';
import {messagesOf} from '../../common/protocol/reply-shapes.js';
import {encodeReply} from '../../common/protocol/reply-codec.js';
import {error} from '../../common/protocol/replies.js';
import {startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {startServer, waitFor} from './loopback-servers.js';

/** 3 MiB of varied bytes (not one repeated byte, so a mix-up of chunks would show). */
const FILE = Buffer.from(Array.from({length: 3 * 1024 * 1024}, (_, i) => (i * 31 + (i >> 11)) % 256));

let daemon: TestDaemon;
const clients: ChatClient[] = [];

async function loggedIn(username: string): Promise<ChatClient> {
  const client = new ChatClient({host: '127.0.0.1', port: daemon.port, requestTimeoutMs: 60_000});
  clients.push(client);
  await client.connect();
  expect((await client.register(username, 'pw', username, 'id')).status).toBe('OK');
  return client;
}

/** Each phase's events rise and its last one is done, at the phase's total. */
function expectRisingToTotal(events: readonly RequestProgress[], total: number): void {
  expect(events.length).toBeGreaterThan(2);
  for (let i = 1; i < events.length; i++) expect(events[i]!.bytes).toBeGreaterThan(events[i - 1]!.bytes);
  expect(events.slice(0, -1).every((event) => !event.done)).toBe(true);
  expect(events.at(-1)).toEqual(expect.objectContaining({bytes: total, total, done: true}));
}

beforeEach(async () => {
  daemon = await startDaemon();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await daemon.cleanup();
});

describe('ChatClient progress (issue 10)', () => {
  it('tells a 3 MiB sendfile line going out, chunk by chunk, up to the whole line, then the reply', async () => {
    const alice = await loggedIn('alice');
    await loggedIn('bob');
    const args = ['bob', 'big.bin', FILE.toString('base64')];
    const lineBytes = Buffer.byteLength(buildRequestLine('sendfile', args, alice.token));
    const events: RequestProgress[] = [];
    const reply = await alice.request('sendfile', args, {onProgress: (progress) => events.push(progress)});
    expect(reply.status).toBe('OK');

    const sending = events.filter((event) => event.phase === 'send');
    expectRisingToTotal(sending, lineBytes);
    expect(sending.every((event) => event.total === lineBytes)).toBe(true);
    // Chunks of 256 KiB at most: a 4 MiB line cannot go out in fewer than 16 steps.
    expect(sending.length).toBeGreaterThanOrEqual(Math.ceil(lineBytes / CHUNK_BYTES));
    // The whole line is out before any of the reply is told.
    const firstReceive = events.findIndex((event) => event.phase === 'receive');
    expect(firstReceive).toBe(sending.length);
    expect(events.at(-1)).toMatchObject({phase: 'receive', done: true});
  });

  it('tells a 3 MiB getfile reply coming in: bytes so far with no total, then the reply whole at its size', async () => {
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    expect((await alice.request('sendfile', ['bob', 'big.bin', FILE.toString('base64')])).status).toBe('OK');
    const [received] = messagesOf(await bob.inbox());
    const events: RequestProgress[] = [];
    const reply = await bob.request('getfile', [received!.file!.id], {onProgress: (progress) => events.push(progress)});
    expect(reply.status).toBe('OK');
    expect(Buffer.from(String(reply.file_content), 'base64').equals(FILE)).toBe(true);

    const receiving = events.filter((event) => event.phase === 'receive');
    const replyBytes = receiving.at(-1)!.bytes;
    // The reply carries the file as base64 (4/3 of it) inside its JSON.
    expect(replyBytes).toBeGreaterThan(FILE.length * 4 / 3);
    expectRisingToTotal(receiving, replyBytes);
    expect(receiving.slice(0, -1).every((event) => event.total === undefined)).toBe(true);
    // The short getfile line is one chunk: one send event, done.
    expect(events.filter((event) => event.phase === 'send')).toEqual([expect.objectContaining({done: true})]);
  });

  it('keeps pipelined lines whole: a request written during a long line goes after it, and both are answered', async () => {
    const alice = await loggedIn('alice');
    await loggedIn('bob');
    const file = alice.request('sendfile', ['bob', 'big.bin', FILE.toString('base64')]);
    const text = alice.send('bob', 'right behind the file');
    const [fileReply, textReply] = [await file, await text];
    expect(fileReply.status).toBe('OK');
    expect(textReply.status).toBe('OK');
    // The daemon numbers messages in the order it reads them: the file first (its base64 intact, or it would refuse it).
    expect(Number(textReply.id)).toBeGreaterThan(Number(fileReply.id));
  });

  it('says nothing more once the request is settled, though the rest of its line still goes out', async () => {
    // A peer that answers ERROR at the first bytes and reads nothing more until told: the line cannot be out by then.
    let received = 0;
    const peer = await startServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        received += chunk.length;
        socket.pause();
        socket.on('data', (more: Buffer) => (received += more.length));
        socket.write(encodeReply(error('FILE_TOO_LARGE')));
      });
    });
    try {
      const client = new ChatClient({host: '127.0.0.1', port: peer.port, token: 'a'.repeat(32)});
      clients.push(client);
      await client.connect();
      // 8 MiB of line: more than loopback's socket buffers hold while the peer does not read.
      const args = ['bob', 'big.bin', Buffer.alloc(6 * 1024 * 1024, 1).toString('base64')];
      const lineBytes = Buffer.byteLength(buildRequestLine('sendfile', args, client.token));
      const events: RequestProgress[] = [];
      expect(await client.request('sendfile', args, {onProgress: (progress) => events.push(progress)})).toMatchObject({status: 'ERROR'});
      const told = events.length;
      expect(events.some((event) => event.phase === 'send' && event.done)).toBe(false);
      peer.sockets[0]!.resume();
      await waitFor(() => received === lineBytes, 20_000, 'the whole line at the peer');
      // The socket took the rest of the line (the protocol needs it whole), and nobody was told.
      expect(events.length).toBe(told);
    } finally {
      await peer.close();
    }
  });

  describe('the timeout counts from the last progress', () => {
    // A reply of 200 KiB that a peer sends in 20 pieces, 60 ms apart: 1.2 s in all, against a 400 ms timeout.
    const reply = encodeReply({status: 'OK', message: 'file', file_content: 'A'.repeat(200 * 1024)} as never);
    const slowPeer = (stallAfter: number) => startServer((socket) => {
      socket.once('data', () => {
        const piece = Math.ceil(reply.length / 20);
        let sent = 0;
        const timer = setInterval(() => {
          if (sent >= stallAfter || socket.destroyed) return clearInterval(timer);
          socket.write(reply.slice(sent, sent + piece));
          sent += piece;
        }, 60);
        socket.on('close', () => clearInterval(timer));
      });
    });

    it('answers a request whose reply keeps coming for longer than the timeout', async () => {
      const peer = await slowPeer(Number.POSITIVE_INFINITY);
      try {
        const client = new ChatClient({host: '127.0.0.1', port: peer.port, token: 'a'.repeat(32), requestTimeoutMs: 400});
        clients.push(client);
        await client.connect();
        const started = Date.now();
        const answer = await client.request('getfile', ['7']);
        expect(answer.status).toBe('OK');
        expect(Date.now() - started).toBeGreaterThan(400); // it did outlast a fixed timeout
      } finally {
        await peer.close();
      }
    });

    it('still times out a request whose reply stops coming', async () => {
      const peer = await slowPeer(reply.length / 2);
      try {
        const client = new ChatClient({host: '127.0.0.1', port: peer.port, token: 'a'.repeat(32), requestTimeoutMs: 400});
        clients.push(client);
        await client.connect();
        await expect(client.request('getfile', ['7'])).rejects.toThrow(/did not answer "getfile" within 400 ms/);
      } finally {
        await peer.close();
      }
    });
  });
});
