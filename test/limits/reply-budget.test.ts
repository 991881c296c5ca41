/** Issue 9, point 9: a daemon-wide budget for queued reply bytes; past it the biggest non-readers are cut, logged. */
import {connect, type Socket} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {ReplyBudget} from '../../daemon/limits/reply-budget.js';
import {Canary} from '../helpers/canary.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {recordingLogger, waitFor} from '../federation/helpers.js';

const started: TestDaemon[] = [];
const sockets: Array<Socket | LineClient | Canary> = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    if (socket instanceof LineClient || socket instanceof Canary) socket.close();
    else socket.destroy();
  }
  await Promise.all(started.splice(0).map((daemon) => daemon.cleanup()));
});

describe('ReplyBudget', () => {
  it('keeps a running total and, past the budget, cuts the holders with the most queued first', () => {
    const logger = recordingLogger();
    const budget = new ReplyBudget(100, logger);
    const cut: number[] = [];
    const holder = (id: number) => ({id, destroy: () => cut.push(id)});
    const [a, b, c] = [holder(1), holder(2), holder(3)];
    budget.set(a, 40);
    budget.set(b, 50);
    budget.set(a, 10);
    expect(budget.total).toBe(60);
    budget.set(c, 35);
    expect(cut).toEqual([]);
    budget.set(a, 30); // 115: cutting b (50) is enough
    expect(cut).toEqual([2]);
    expect(budget.total).toBe(65);
    expect(logger.lines.join('\n')).toMatch(/warn queued replies passed the daemon-wide budget.*"cut":1/);
    budget.set(c, 0);
    budget.set(a, 0);
    expect(budget.total).toBe(0);
  });
});

describe('over sockets', () => {
  it('cuts the clients that hold the most unread replies and keeps serving a reading client', async () => {
    const logger = recordingLogger();
    const MiB = 1024 * 1024;
    const server = await startDaemon({
      maxLineBytes: 2 * MiB, historyMaxBytes: 128 * MiB, maxQueuedBytes: 512 * MiB, maxTotalQueuedBytes: 40 * MiB,
    }, {logger});
    started.push(server);
    const alice = await registerUser(server.port, 'alice');
    const bob = await registerUser(server.port, 'bob');
    sockets.push(alice.client, bob.client);
    const canary = await Canary.register(server.port);
    sockets.push(canary);
    const text = 'z'.repeat(MiB);
    for (let i = 0; i < 32; i++) expect(await alice.client.request(`send bob ${text}`)).toMatchObject({status: 'OK'});
    // Each asks for a 32 MiB history page and never reads it; the kernel's buffers take only a few MiB of each.
    for (let i = 0; i < 3; i++) {
      const socket = connect(server.port, '127.0.0.1');
      socket.pause();
      socket.on('error', () => {});
      sockets.push(socket);
      socket.write(`history ${bob.token} alice 500\r\n`);
    }
    await canary.isServed('while three clients do not read');
    await waitFor(() => logger.lines.some((line) => line.includes('daemon-wide budget')), 10_000, 'the budget to cut');
    expect(server.daemon.services.limits.replies.total).toBeLessThanOrEqual(40 * MiB);
    await canary.isServed('after the cut');
    await canary.assertNothingLost();
  });
});
