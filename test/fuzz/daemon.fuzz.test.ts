/**
 * Property-based test of the whole daemon over a loopback socket: any request bytes, in any chunks, get exactly one
 * reply per non-blank line, in order; each reply is one ASCII JSON object (status, message; ERRORs a known code)
 * ending in \r\n\r\n; lines the framer or the router must refuse get their code at their place; the daemon lives on.
 */
import {connect} from 'node:net';
import fc from 'fast-check';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {findCommand} from '../../common/protocol/commands.js';
import {ERRORS} from '../../common/protocol/replies.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {cutsOf, expectedFor, FUZZ_TIMEOUT_MS, fuzzParameters, requestLine} from './fuzz-config.js';

const MAX_LINE = 512;
let server: TestDaemon;

beforeAll(async () => {
  const never = {freeFailures: Number.POSITIVE_INFINITY, baseMs: 1000, maxMs: 1000};
  // Short lines (over-long ones are cheap to make), no long-poll waits, no login back-off (the fuzzer logs in).
  server = await startDaemon({maxLineBytes: MAX_LINE, maxWaitSeconds: 0, authUserBackoff: never, authPeerBackoff: never});
  for (const name of ['fuzzer', 'bob']) (await registerUser(server.port, name)).client.close();
});
afterAll(async () => {
  await server.cleanup();
});

/** Sends `bytes` cut at `cuts` on a fresh connection; resolves with every byte received until `replies` replies came. */
function exchange(bytes: Buffer, cuts: number[], replies: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    const received: Buffer[] = [];
    let count = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`got ${count} of ${replies} replies:\n${Buffer.concat(received).toString('latin1').slice(-2000)}`));
    }, 10_000);
    const finish = () => {
      clearTimeout(timer);
      socket.end();
      resolve(Buffer.concat(received));
    };
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      count = Buffer.concat(received).toString('latin1').split('\r\n\r\n').length - 1;
      if (count >= replies) setTimeout(finish, 20); // a surplus reply would arrive with or right after the last one
    });
    socket.on('connect', () => {
      let start = 0;
      for (const cut of [...cuts, bytes.length]) {
        socket.write(bytes.subarray(start, cut));
        start = cut;
      }
      if (replies === 0) setTimeout(finish, 50);
    });
  });
}

const session = fc.constantFrom('', 'auth fuzzer pw\r\n', 'auth fuzzer pw\r\naddgroup devs\r\njoingroup devs\r\n');

describe('realmchatd (property-based, over a socket)', () => {
  it('answers every non-blank line with one valid ASCII JSON reply, in order', async () => {
    await fc.assert(fc.asyncProperty(
      session, fc.array(requestLine, {maxLength: 10}), fc.constantFrom('\n', '\r\n'),
      async (prefix, lines, ending) => {
        const all = [...prefix.split('\r\n').filter((line) => line !== '').map((line) => Buffer.from(line)), ...lines];
        const bytes = Buffer.concat(all.map((line) => Buffer.concat([line, Buffer.from(ending)])));
        // Judged as the daemon sees each line: with its ending, less the LF.
        const expected = all.map((line) => expectedFor(Buffer.concat([line, Buffer.from(ending.slice(0, -1))]), MAX_LINE,
          (verb) => findCommand(verb) !== undefined))
          .filter((entry) => entry.kind !== 'none');
        const cuts = fc.sample(cutsOf(bytes.length), 1)[0]!;
        const raw = await exchange(bytes, cuts, expected.length);
        for (const byte of raw) expect(byte).toBeLessThan(0x80);
        const text = raw.toString('latin1');
        expect(text === '' || text.endsWith('\r\n\r\n')).toBe(true);
        const replies = text.split('\r\n\r\n').slice(0, -1).map((part) => JSON.parse(part) as Record<string, unknown>);
        expect(replies).toHaveLength(expected.length);
        replies.forEach((reply, index) => {
          expect(typeof reply).toBe('object');
          expect(['OK', 'ERROR']).toContain(reply.status);
          expect(typeof reply.message).toBe('string');
          if (reply.status === 'ERROR') {
            expect(Object.keys(ERRORS)).toContain(reply.code);
            expect(reply.message).toBe(ERRORS[reply.code as keyof typeof ERRORS]);
            expect(reply.code).not.toBe('INTERNAL');
          }
          const want = expected[index]!;
          if (want.kind === 'error') expect(reply).toMatchObject({status: 'ERROR', code: want.code});
        });
      },
    ), fuzzParameters(25, 0.1));
    // Still serving.
    const canary = await LineClient.connect(server.port);
    expect(await canary.request('auth bob pw')).toMatchObject({status: 'OK'});
    canary.close();
  }, FUZZ_TIMEOUT_MS);
});
