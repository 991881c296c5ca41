/**
 * What a peer cannot make grow or stall for ever (issue 9, point 5): a peer that takes messages and never
 * acknowledges them is cut and the messages resent on the next connection (a canary user is served meanwhile); the table of received message ids is
 * pruned after the retention window, in small batches, and a message older than the window is refused instead of
 * being stored a second time.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {Canary} from '../helpers/canary.js';
import type {TestDaemon} from '../helpers/daemon.js';
import type {MsgFrame} from '../../daemon/federation/link-codec.js';
import {EXPIRY_MARGIN_MS} from '../../daemon/federation/options.js';
import {ReceivedPruner} from '../../daemon/federation/received-pruner.js';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import {newKey, realmEntry, recordingLogger, startRealm, user, waitFor} from './helpers.js';
import {RawPeer, type PeerServer} from './raw-peer.js';

const daemons: TestDaemon[] = [];
const clients: Array<{close(): void}> = [];
const peers: RawPeer[] = [];
const servers: PeerServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const peer of peers.splice(0)) peer.close();
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(daemons.splice(0).map((daemon) => daemon.cleanup()));
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

/** A clock the test moves by hand. */
function manualClock(start: number) {
  let now = start;
  return {now: () => now, advance: (ms: number) => (now += ms)};
}

async function nextMsg(peer: RawPeer): Promise<MsgFrame> {
  for (;;) {
    const frame = await peer.frame();
    if (frame.type === 'msg') return frame;
  }
}

describe('a peer that never acknowledges', () => {
  it('is cut after ackTimeoutMs although it answers pings, and the message is resent on the next connection', async () => {
    const peerServer = await RawPeer.listen('delta', newKey());
    servers.push(peerServer);
    const logger = recordingLogger();
    const alpha = await startRealm('alpha', {logger, tunables: {ackTimeoutMs: 200, verdictTimeoutMs: 50, heartbeatIntervalMs: 50}});
    daemons.push(alpha);
    const alice = await user(alpha.port, 'alice');
    clients.push(alice.client);
    expect(await alice.client.request(`addrealm delta 127.0.0.1 ${peerServer.port}`)).toMatchObject({status: 'OK'});
    const first = await peerServer.accepted();
    peers.push(first);
    expect(await alice.client.request('sendprivaterealm delta dora hello?')).toMatchObject({queued: true});
    const canary = await Canary.register(alpha.port);
    clients.push(canary);
    const sent = await nextMsg(first);
    // It keeps answering pings (answerPings defaults to true) but never acks: the heartbeat alone would keep it.
    await canary.isServed('while the peer holds an unacknowledged message');
    await first.closed;
    expect(logger.lines.some((line) => line.includes('no acknowledgement in time'))).toBe(true);
    await canary.isServed('after the link was cut');
    const second = await peerServer.accepted();
    peers.push(second);
    const resent = await nextMsg(second);
    expect(resent).toMatchObject({id: sent.id, seq: sent.seq, text: 'hello?'});
    second.send({type: 'ack', upto: resent.seq});
    await waitFor(async () => (await realmEntry(alice.client, 'delta'))?.queued === 0);
    // Once acknowledged it is never sent again: the next frame is the next message.
    expect(await alice.client.request('sendprivaterealm delta dora again')).toMatchObject({status: 'OK'});
    const next = await nextMsg(second);
    expect(next).toMatchObject({seq: sent.seq + 1, text: 'again'});
    expect(next.id).not.toBe(sent.id);
    second.send({type: 'ack', upto: next.seq});
    await waitFor(async () => (await realmEntry(alice.client, 'delta'))?.queued === 0);
    await canary.assertNothingLost();
  });
});

describe('the table of received message ids', () => {
  it('forgets ids after the retention window, and refuses a message that old instead of storing it again', async () => {
    const day = 86_400_000;
    const clock = manualClock(Date.UTC(2026, 0, 1));
    const beta = await startRealm('beta', {clock, tunables: {receivedRetentionMs: 3 * day, pruneIntervalMs: 20}});
    daemons.push(beta);
    const bob = await user(beta.port, 'bob');
    clients.push(bob.client);
    const peer = await RawPeer.dial(beta.port, 'delta', 'beta', newKey());
    peers.push(peer);
    const store = beta.daemon.services.store;
    const message = {type: 'msg', seq: 1, id: 'once', origin: 'delta', from: 'dave', to: 'bob', text: 'hi', ts: clock.now()} as const;
    peer.send(message);
    expect(await peer.frame()).toEqual({type: 'ack', upto: 1});
    expect(store.receivedVerdict('delta', 'once')).toBeNull();

    clock.advance(3 * day - EXPIRY_MARGIN_MS + 1);
    // Still known (not pruned yet) and past the acceptance window: a resend is answered from the table.
    peer.send({...message, seq: 2});
    expect(await peer.frame()).toEqual({type: 'ack', upto: 2});

    clock.advance(EXPIRY_MARGIN_MS);
    await waitFor(() => store.receivedVerdict('delta', 'once') === undefined, 10_000, 'the id to be pruned');
    // The id is gone, but the message is older than the window: refused, never stored a second time.
    peer.send({...message, seq: 3});
    expect(await peer.frame()).toEqual({type: 'ack', upto: 3, refused: [[3, 'MESSAGE_EXPIRED']]});
    const inbox = await bob.client.request('inbox');
    expect(Object.values(inbox.messages as Record<string, unknown[]>).flat()).toHaveLength(1);
  });

  it('prunes in batches of pruneBatch, yielding to the event loop between them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'realmchat-prune-'));
    dirs.push(dir);
    const store = new SqliteStore({file: join(dir, 'realmchat.db')});
    const clock = manualClock(1_000_000);
    const old = Array.from({length: 2500}, (_, i) => ({uid: `old-${i}`, verdict: null, deliveries: []}));
    store.storeReceived('delta', old, clock.now());
    store.storeReceived('delta', [{uid: 'fresh', verdict: null, deliveries: []}], clock.now() + 10);
    await store.settled();
    const pruner = new ReceivedPruner({store, clock, logger: recordingLogger()}, {receivedRetentionMs: 5, pruneIntervalMs: 60_000, pruneBatch: 1000});
    clock.advance(10);
    let yielded = false;
    setImmediate(() => (yielded = true));
    const pruned = await pruner.runOnce();
    expect(pruned).toBe(2500);
    expect(yielded).toBe(true);
    expect(store.receivedVerdict('delta', 'old-0')).toBeUndefined();
    expect(store.receivedVerdict('delta', 'fresh')).toBeNull();
    await store.close();
  });
});
