/**
 * The link protocol against a scripted peer: dedup by message id, stored verdicts, pipelining, in-order resend
 * after a reconnect, the verdict window (late verdicts, notices), and the heartbeat.
 */
import {afterEach, describe, expect, it} from 'vitest';
import type {MsgFrame} from '../../daemon/federation/link-codec.js';
import type {LineClient, TestDaemon} from '../helpers/daemon.js';
import type {RealmIdentity} from '../../daemon/federation/identity.js';
import {newKey, realmEntry, recordingLogger, startRealm, texts, user, waitFor, type TestUser} from './helpers.js';
import {RawPeer, type PeerServer} from './raw-peer.js';
import type {LinkTunables} from '../../daemon/federation/options.js';

const daemons: TestDaemon[] = [];
const clients: LineClient[] = [];
const peers: RawPeer[] = [];
const servers: PeerServer[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const peer of peers.splice(0)) peer.close();
  await Promise.all(daemons.splice(0).map((daemon) => daemon.cleanup()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function realmWithUser(name: string, username: string, _key: RealmIdentity, tunables: Partial<LinkTunables> = {}) {
  const logger = recordingLogger();
  const daemon = await startRealm(name, {logger, tunables});
  daemons.push(daemon);
  const u = await user(daemon.port, username);
  clients.push(u.client);
  return {daemon, logger, user: u};
}

const msg = (seq: number, id: string, fields: Partial<MsgFrame> = {}): MsgFrame =>
  ({type: 'msg', seq, id, origin: 'delta', from: 'dave', to: 'bob', text: `text ${id}`, ts: 1_700_000_000_000, ...fields}) as MsgFrame;

describe('receiving', () => {
  it('stores a message id once: repeats in one chunk and after a reconnect are acknowledged, not stored', async () => {
    const key = newKey();
    const {daemon, user: bob} = await realmWithUser('beta', 'bob', key);
    const first = await RawPeer.dial(daemon.port, 'delta', 'beta', key);
    peers.push(first);
    first.send(msg(1, 'a'));
    first.send(msg(2, 'a')); // the same id again
    first.send(msg(3, 'b'));
    const acks = [await first.frame()];
    while ((acks[acks.length - 1] as {upto: number}).upto < 3) acks.push(await first.frame());
    expect(acks.every((ack) => ack.type === 'ack' && !('refused' in ack && ack.refused))).toBe(true);
    first.close();

    const second = await RawPeer.dial(daemon.port, 'delta', 'beta', key);
    peers.push(second);
    second.send(msg(1, 'a'));
    second.send(msg(3, 'b'));
    second.send(msg(4, 'c'));
    let ack = await second.frame();
    while (ack.type === 'ack' && ack.upto < 4) ack = await second.frame();
    expect(ack).toEqual({type: 'ack', upto: 4});
    expect(texts(await bob.client.request('inbox'))).toEqual(['text a', 'text b', 'text c']);
  });

  it('answers a retried message with the verdict it stored the first time', async () => {
    const key = newKey();
    const {daemon} = await realmWithUser('beta', 'bob', key);
    const peer = await RawPeer.dial(daemon.port, 'delta', 'beta', key);
    peers.push(peer);
    peer.send(msg(1, 'late', {to: 'newcomer'}));
    expect(await peer.frame()).toEqual({type: 'ack', upto: 1, refused: [[1, 'USER_NOT_FOUND']]});
    const newcomer = await user(daemon.port, 'newcomer');
    clients.push(newcomer.client);
    peer.send(msg(1, 'late', {to: 'newcomer'}));
    expect(await peer.frame()).toEqual({type: 'ack', upto: 1, refused: [[1, 'USER_NOT_FOUND']]});
    expect(texts(await newcomer.client.request('inbox'))).toEqual([]);
  });

  it('takes a pipelined burst in order and acknowledges it cumulatively', async () => {
    const key = newKey();
    const {daemon, user: bob} = await realmWithUser('beta', 'bob', key);
    const peer = await RawPeer.dial(daemon.port, 'delta', 'beta', key);
    peers.push(peer);
    const count = 2000;
    let burst = '';
    for (let i = 1; i <= count; i++) {
      burst += `msg ${JSON.stringify({seq: i, id: `m${i}`, origin: 'delta', from: 'dave', to: 'bob', text: `n${i}`, ts: 1})}\n`;
    }
    peer.write(burst);
    let upto = 0;
    while (upto < count) {
      const ack = await peer.frame();
      expect(ack.type).toBe('ack');
      if (ack.type === 'ack') {
        expect(ack.upto).toBeGreaterThan(upto);
        upto = ack.upto;
      }
    }
    const received: string[] = [];
    for (;;) {
      const reply = await bob.client.request('inbox');
      received.push(...texts(reply));
      if (!reply.more) break;
    }
    expect(received).toEqual(Array.from({length: count}, (_, i) => `n${i + 1}`));
  });

  it('refuses a message whose time no Date can hold, so it never breaks its reader inbox', async () => {
    const key = newKey();
    const {daemon, user: bob} = await realmWithUser('beta', 'bob', key);
    const peer = await RawPeer.dial(daemon.port, 'delta', 'beta', key);
    peers.push(peer);
    peer.send(msg(1, 'before'));
    peer.send(msg(2, 'far-future', {ts: 9e15}));
    peer.send(msg(3, 'after'));
    const refused: unknown[] = [];
    for (;;) {
      const ack = await peer.frame();
      if (ack.type === 'ack') refused.push(...(ack.refused ?? []));
      if (ack.type === 'ack' && ack.upto === 3) break;
    }
    expect(refused).toEqual([[2, 'BAD_PARAMETER']]);
    const inbox = await bob.client.request('inbox');
    expect(inbox).toMatchObject({status: 'OK'});
    expect(texts(inbox)).toEqual(['text before', 'text after']);
    expect((await bob.client.request('history dave@delta')).status).toBe('OK');
  });

  it('refuses a malformed message with a verdict instead of blocking the link', async () => {
    const key = newKey();
    const {daemon} = await realmWithUser('beta', 'bob', key);
    const peer = await RawPeer.dial(daemon.port, 'delta', 'beta', key);
    peers.push(peer);
    peer.write('msg {"seq":1,"id":"x","origin":"delta","from":"dave","to":"bob","text":"","ts":1}\n');
    peer.send(msg(2, 'y'));
    let ack = await peer.frame();
    const refused: unknown[] = [];
    for (;;) {
      if (ack.type === 'ack') refused.push(...(ack.refused ?? []));
      if (ack.type === 'ack' && ack.upto === 2) break;
      ack = await peer.frame();
    }
    expect(refused).toEqual([[1, 'BAD_PARAMETER']]);
  });
});

describe('a peer that sends but never reads', () => {
  it('is disconnected once its unread replies pile up, instead of growing the daemon memory', async () => {
    const key = newKey();
    // Replies are held for 4 frames' worth at most: 4 × 64 KiB here (beyond what the kernel buffers take).
    const {daemon, logger} = await realmWithUser('beta', 'bob', key, {maxFrameBytes: 64 * 1024});
    const peer = await RawPeer.dial(daemon.port, 'delta', 'beta', key);
    peers.push(peer);
    peer.socket.pause(); // never read: every pong stays with the daemon once the kernel buffers are full
    let closed = false;
    void peer.closed.then(() => (closed = true));
    const chunk = Buffer.from('ping {}\n'.repeat(8192));
    const limit = 16 * 1024 * 1024; // pings for far more pongs than the kernel buffers (~4 MiB) and the bound take
    for (let sent = 0; sent < limit && !closed; sent += chunk.length) {
      if (!peer.socket.write(chunk)) {
        await Promise.race([new Promise((resolve) => peer.socket.once('drain', resolve)), peer.closed]);
      }
    }
    await Promise.race([peer.closed, new Promise((_, reject) => setTimeout(() => reject(new Error('still connected')), 10_000))]);
    expect(logger.lines.some((line) => line.includes('does not read'))).toBe(true);
  });
});

describe('sending', () => {
  async function alphaLinkedToPeer(tunables: Partial<LinkTunables> = {}, peerOptions = {}) {
    const key = newKey();
    const peerServer = await RawPeer.listen('delta', key, peerOptions);
    servers.push(peerServer);
    const alpha = await realmWithUser('alpha', 'alice', key, tunables);
    expect(await alpha.user.client.request(`addrealm delta 127.0.0.1 ${peerServer.port}`)).toMatchObject({status: 'OK'});
    const peer = await peerServer.accepted();
    peers.push(peer);
    return {...alpha, peerServer, peer};
  }

  it('pipelines: many messages are on the wire before the first ack', async () => {
    const {daemon, peer} = await alphaLinkedToPeer({verdictTimeoutMs: 5000});
    const senders: TestUser[] = [];
    for (let i = 0; i < 20; i++) senders.push(await user(daemon.port, `p${i}`));
    clients.push(...senders.map((s) => s.client));
    const replies = senders.map((s) => s.client.request(`sendprivaterealm delta dora from ${s.name}`));
    const frames: MsgFrame[] = [];
    while (frames.length < 20) {
      const frame = await peer.frame();
      if (frame.type === 'msg') frames.push(frame);
    }
    // All 20 arrived although nothing was acknowledged yet; seqs increase.
    expect(frames.map((f) => f.seq)).toEqual([...frames.map((f) => f.seq)].sort((a, b) => a - b));
    expect(frames.every((f) => f.origin === 'alpha' && 'to' in f && f.to === 'dora')).toBe(true);
    peer.send({type: 'ack', upto: frames[frames.length - 1]!.seq});
    for (const reply of await Promise.all(replies)) {
      expect(reply).toMatchObject({status: 'OK', message: 'Message sent to user in realm'});
      expect(reply.queued).toBeUndefined();
    }
  });

  it('answers queued when the verdict is late, and stores a notice when the late verdict is a refusal', async () => {
    const {user: alice, peer} = await alphaLinkedToPeer({verdictTimeoutMs: 300});
    const pending = alice.client.request('sendprivaterealm delta ghost are you there', );
    const frame = await peer.frame();
    expect(frame).toMatchObject({type: 'msg', to: 'ghost', text: 'are you there', from: 'alice', origin: 'alpha'});
    expect(await pending).toMatchObject({status: 'OK', message: 'Message queued for user in realm', queued: true});
    peer.send({type: 'ack', upto: (frame as MsgFrame).seq, refused: [[(frame as MsgFrame).seq, 'USER_NOT_FOUND']]});
    const notice = await waitFor(async () => {
      const inbox = await alice.client.request('inbox');
      return texts(inbox).length > 0 ? inbox : undefined;
    });
    expect(notice.messages).toEqual({
      '~realmchat': [expect.objectContaining({msg_to: 'alice',
        msg: 'Delivery failed: realm delta refused your message to ghost@delta (User tidak ditemukan): "are you there"'})],
    });
    // The sender's copy stays in its history: it was told "queued", not "refused".
    expect((await alice.client.request('history ghost@delta')).messages).toHaveLength(1);
  });

  it('takes a refusal code it does not know (even `constructor`) as INTERNAL, with the exact message', async () => {
    const {user: alice, peer} = await alphaLinkedToPeer({verdictTimeoutMs: 5000});
    const pending = alice.client.request('sendprivaterealm delta dora odd verdict');
    const frame = (await peer.frame()) as MsgFrame;
    peer.send({type: 'ack', upto: frame.seq, refused: [[frame.seq, 'constructor']]});
    expect(await pending).toEqual({status: 'ERROR', message: 'Terjadi kesalahan pada server', code: 'INTERNAL'});
  });

  it('resends everything unacknowledged, in order, on the next connection', async () => {
    const {user: alice, peer, peerServer} = await alphaLinkedToPeer({verdictTimeoutMs: 100});
    for (let i = 0; i < 5; i++) {
      expect(await alice.client.request(`sendprivaterealm delta dora resend ${i}`)).toMatchObject({queued: true});
    }
    const firstTry: MsgFrame[] = [];
    while (firstTry.length < 5) firstTry.push((await peer.frame()) as MsgFrame);
    peer.send({type: 'ack', upto: firstTry[1]!.seq}); // only the first two
    await waitFor(async () => (await realmEntry(alice.client, 'delta'))?.queued === 3);
    peer.close();
    const again = await peerServer.accepted();
    peers.push(again);
    const secondTry: MsgFrame[] = [];
    while (secondTry.length < 3) secondTry.push((await again.frame()) as MsgFrame);
    expect(secondTry.map((f) => [f.seq, f.id, f.text])).toEqual(firstTry.slice(2).map((f) => [f.seq, f.id, f.text]));
    again.send({type: 'ack', upto: secondTry[2]!.seq});
    await waitFor(async () => (await realmEntry(alice.client, 'delta'))?.queued === 0);
  });

  it('drops a connection whose peer stays silent (heartbeat) and redials', async () => {
    const {user: alice, logger, peerServer} = await alphaLinkedToPeer(
      {heartbeatIntervalMs: 100, heartbeatTimeoutMs: 400}, {answerPings: false});
    await waitFor(() => logger.lines.some((line) => line.includes('realm link lost') && line.includes('no frame from the peer')),
      5000, 'the heartbeat to drop the link');
    const again = await peerServer.accepted();
    peers.push(again);
    await waitFor(async () => (await realmEntry(alice.client, 'delta'))?.state === 'ready');
  });
});
