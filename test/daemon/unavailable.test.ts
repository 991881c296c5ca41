/**
 * A store that cannot reach its database (StoreUnavailableError): requests get UNAVAILABLE, never an OK that was
 * not committed nor INTERNAL; the outage is logged once per burst at warn level without a stack; the daemon keeps
 * its connections and serves again once the store is back. The store is a real SqliteStore behind a switch
 * (test/helpers/outage-store.ts).
 */
import {afterEach, describe, expect, it} from 'vitest';
import type {Logger} from '../../daemon/logger.js';
import {outageStore, type OutageStore} from '../helpers/outage-store.js';
import {registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

const started: TestDaemon[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((daemon) => daemon.cleanup()));
});

interface Logged {
  level: 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

async function start(): Promise<{server: TestDaemon; outage: OutageStore; logged: Logged[]}> {
  const logged: Logged[] = [];
  const logger: Logger = {
    debug() {}, info() {},
    warn: (message, fields) => logged.push({level: 'warn', message, fields}),
    error: (message, fields) => logged.push({level: 'error', message, fields}),
  };
  let outage: OutageStore | undefined;
  const server = await startDaemon({}, {logger, wrapStore: (store) => (outage = outageStore(store)).store});
  started.push(server);
  return {server, outage: outage!, logged};
}

const UNAVAILABLE = {status: 'ERROR', code: 'UNAVAILABLE', message: 'Layanan tidak tersedia, coba lagi'};

describe('store unavailable', () => {
  it('answers UNAVAILABLE while the database is down, logs the burst once, and serves again when it is back', async () => {
    const {server, outage, logged} = await start();
    const {client} = await registerUser(server.port, 'outage_ann');
    await registerUser(server.port, 'outage_ben');
    outage.down('reject');
    expect(await client.request('send outage_ben lost?')).toEqual(UNAVAILABLE);
    expect(await client.request('info outage_ben')).toEqual(UNAVAILABLE);
    expect(await client.request('inbox')).toEqual(UNAVAILABLE);
    // A store that throws at once (instead of rejecting) is answered alike.
    outage.down('throw');
    expect(await client.request('history outage_ben')).toEqual(UNAVAILABLE);
    // Requests that need no store are still answered.
    expect(await client.request('realms')).toMatchObject({status: 'OK'});
    // One warning for the whole burst, without a stack; nothing at error level (it is not our bug).
    expect(logged.filter((entry) => entry.level === 'error')).toEqual([]);
    const warnings = logged.filter((entry) => entry.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/store is unavailable/);
    expect(Object.values(warnings[0]!.fields ?? {}).some((value) => value instanceof Error)).toBe(false);
    outage.up();
    expect(await client.request('send outage_ben back')).toMatchObject({status: 'OK'});
    const history = (await client.request('history outage_ben')).messages as Array<{msg: string}>;
    expect(history.map((message) => message.msg)).toEqual(['back']);
    client.close();
  });

  it('answers UNAVAILABLE, not INTERNAL, for every request of a batch whose commit lost the database', async () => {
    const {server, outage, logged} = await start();
    await registerUser(server.port, 'commit_ben');
    const {client} = await registerUser(server.port, 'commit_ann');
    outage.failNextCommit();
    client.write('send commit_ben a\r\nsend commit_ben b\r\n');
    const replies = [await client.next(), await client.next()];
    expect(replies[0]).toEqual(UNAVAILABLE);
    // b shares a's batch (and its fate) when both lines were read in one turn; either way its reply tells the truth.
    expect(replies[1]!.status === 'OK' || replies[1]!.code === 'UNAVAILABLE').toBe(true);
    const kept = ['c', ...(replies[1]!.status === 'OK' ? ['b'] : [])];
    expect(await client.request('send commit_ben c')).toMatchObject({status: 'OK'});
    const history = (await client.request('history commit_ben')).messages as Array<{msg: string}>;
    expect(history.map((message) => message.msg).sort()).toEqual(kept.sort());
    expect(logged.filter((entry) => entry.level === 'error')).toEqual([]);
    expect(logged.filter((entry) => entry.level === 'warn').map((entry) => entry.message)).toEqual([
      expect.stringMatching(/store is unavailable/),
    ]);
    client.close();
  });
});
