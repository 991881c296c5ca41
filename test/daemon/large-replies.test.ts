/**
 * Issue 10: a reply carrying a file the daemon accepted (up to --max-file-bytes) reaches a client that reads
 * normally, through inbox, history and getfile, even when its base64 is larger than the per-connection reply cap
 * (maxQueuedBytes) or the daemon-wide budget; a client that never reads is still cut.
 */
import {randomBytes} from 'node:crypto';
import {afterEach, describe, expect, it} from 'vitest';
import {Canary} from '../helpers/canary.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import type {DaemonOptions} from '../../daemon/context.js';

const MiB = 1024 * 1024;
const started: TestDaemon[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.cleanup()));
});
async function start(options: Partial<DaemonOptions>): Promise<TestDaemon> {
  const server = await startDaemon(options);
  started.push(server);
  return server;
}
async function until(condition: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type Message = Record<string, unknown>;
/** getfile requests a lagging reader pipelines: their replies together are far past every reply cap. */
const PIPELINED = 6;
/** One request and its reply, waiting long enough for a reply of megabytes on a loaded machine. */
async function ask(client: LineClient, line: string): Promise<Message> {
  client.write(`${line}\r\n`);
  return client.next(30_000);
}
const contentOf = (message: Message | undefined) => Buffer.from(String(message?.file_content), 'base64');

/** `sender` sends `file` to `recipient`; returns its message id. */
async function sendFile(sender: LineClient, token: string, recipient: string, file: Buffer): Promise<number> {
  const reply = await ask(sender, `sendfile ${token} ${recipient} big.bin ${file.toString('base64')}`);
  expect(reply).toMatchObject({status: 'OK', file_size: file.length});
  return reply.id as number;
}

/** The recipient gets `file` intact through inbox, history and getfile, then a lagging pipeline of them. */
async function receivesEverywhere(client: LineClient, token: string, sender: string, id: number, file: Buffer): Promise<void> {
  const inbox = await ask(client, `inbox ${token}`);
  expect(inbox.status).toBe('OK');
  expect(contentOf((inbox.messages as Record<string, Message[]>)[sender]?.[0]).equals(file)).toBe(true);
  const history = await ask(client, `history ${sender}`);
  expect(contentOf((history.messages as Message[]).at(-1)).equals(file)).toBe(true);
  const fetched = await ask(client, `getfile ${token} ${id}`);
  expect(fetched).toMatchObject({status: 'OK', file_size: file.length});
  expect(contentOf(fetched).equals(file)).toBe(true);
  // A pipeline of large replies to a client that lags (it reads only after they were answered, as over a slow
  // network): each is written once the socket takes it; none cuts the reader.
  client.socket.pause();
  client.write(`getfile ${token} ${id}\r\n`.repeat(PIPELINED) + `history ${sender}\r\n`);
  await new Promise((resolve) => setTimeout(resolve, 500));
  client.socket.resume();
  const replies: Message[] = [];
  for (let i = 0; i <= PIPELINED; i++) replies.push(await client.next(30_000));
  expect(replies.map((reply) => reply.status)).toEqual(Array(PIPELINED + 1).fill('OK'));
  expect(contentOf(replies[PIPELINED - 1]).equals(file)).toBe(true);
  expect(contentOf((replies[PIPELINED]!.messages as Message[]).at(-1)).equals(file)).toBe(true);
  expect(await ask(client, 'info')).toMatchObject({status: 'OK'});
}

describe('replies carrying a file up to --max-file-bytes', () => {
  it('reach a reading client when the file\'s base64 is over maxQueuedBytes and the daemon-wide budget', async () => {
    // The old ratio (8 MiB of queued replies for 8 MiB files), scaled down; the daemon-wide budget as small too.
    const server = await start({maxFileBytes: MiB, maxQueuedBytes: MiB, maxTotalQueuedBytes: MiB});
    const file = randomBytes(MiB); // exactly the limit: its base64 is 1.33 MiB
    const {client: ann, token: annToken} = await registerUser(server.port, 'lr_ann');
    const {client: bob, token: bobToken} = await registerUser(server.port, 'lr_bob');
    const id = await sendFile(ann, annToken, 'lr_bob', file);
    await receivesEverywhere(bob, bobToken, 'lr_ann', id, file);
    // A file one byte over the limit is still refused: the limit itself did not move.
    expect(await ask(ann, `sendfile ${annToken} lr_bob over.bin ${randomBytes(MiB + 1).toString('base64')}`))
      .toMatchObject({code: 'FILE_TOO_LARGE'});
    ann.close();
    bob.close();
  }, 60_000);

  it('reach a reading client with the default limits and a 7.9 MiB file', async () => {
    const server = await start({});
    const file = randomBytes(Math.floor(7.9 * MiB)); // its base64 is 10.5 MiB, over the default 8 MiB cap
    const {client: ann, token: annToken} = await registerUser(server.port, 'lr_cid');
    const {client: bob, token: bobToken} = await registerUser(server.port, 'lr_dan');
    const id = await sendFile(ann, annToken, 'lr_dan', file);
    await receivesEverywhere(bob, bobToken, 'lr_cid', id, file);
    ann.close();
    bob.close();
  }, 60_000);

  it('still cuts a client that never reads its file replies, and serves everybody else', async () => {
    const server = await start({maxFileBytes: MiB, maxQueuedBytes: MiB, drainTimeoutMs: 300});
    const canary = await Canary.register(server.port, 'lr_canary');
    const {client: ann, token: annToken} = await registerUser(server.port, 'lr_eve');
    const {client: reader} = await registerUser(server.port, 'lr_fay');
    const id = await sendFile(ann, annToken, 'lr_eve', randomBytes(MiB));
    ann.socket.pause(); // stop reading: file replies pile up
    const line = `getfile ${annToken} ${id}\r\n`;
    for (let i = 0; i < 200 && !ann.socket.destroyed && server.daemon.connectionCount > 2; i++) {
      if (!ann.socket.write(line)) await new Promise((resolve) => setTimeout(resolve, 5));
      if (i === 10) await canary.isServed('while a client does not read its files');
    }
    // The canary and the reader stay; the non-reader was cut.
    await until(() => server.daemon.connectionCount === 2);
    await canary.isServed('after the non-reader was cut');
    expect(await ask(reader, 'info')).toMatchObject({status: 'OK'});
    await canary.assertNothingLost();
    for (const client of [ann, reader]) client.close();
    canary.close();
  });
});
