/**
 * The file frames against a scripted peer: a file whose content does not match its SHA-256 is refused (BAD_FILE),
 * a lost blob is refused (FILE_NOT_FOUND), a retried file is stored once, and breaking the file protocol closes
 * the link.
 */
import {afterEach, describe, expect, it} from 'vitest';
import {fileMessageText} from '../../common/protocol/files.js';
import {BlobFolder} from '../../daemon/store/blob-folder.js';
import type {LinkFrame, MsgFrame} from '../../daemon/federation/link-codec.js';
import type {TestDaemon} from '../helpers/daemon.js';
import {newKey, startRealm, user, type TestUser} from './helpers.js';
import {RawPeer} from './raw-peer.js';

let daemon: TestDaemon | undefined;
let bob: TestUser | undefined;
const peers: RawPeer[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  bob?.client.close();
  await daemon?.cleanup();
});

const CONTENT = Buffer.from('file content from delta');

/** A file message for bob; its chunks follow separately. */
const fileMsg = (seq: number, id: string, sha256 = BlobFolder.hash(CONTENT), size = CONTENT.length): MsgFrame =>
  ({type: 'msg', seq, id, origin: 'delta', from: 'dave', to: 'bob', text: fileMessageText('a.txt', size), ts: 1_700_000_000_000,
    file: {name: '../a.txt', size, sha256}}) as MsgFrame;

const chunk = (seq: number, data: Buffer): LinkFrame => ({type: 'chunk', seq, data: data.toString('base64')});

async function ackUpto(peer: RawPeer, upto: number): Promise<LinkFrame> {
  let frame = await peer.frame();
  while (frame.type !== 'ack' || frame.upto < upto) frame = await peer.frame();
  return frame;
}

async function setUp(): Promise<RawPeer> {
  const key = newKey();
  daemon = await startRealm('beta');
  bob = await user(daemon.port, 'bob');
  const peer = await RawPeer.dial(daemon.port, 'delta', 'beta', key);
  peers.push(peer);
  return peer;
}

describe('file frames from a peer', () => {
  it('stores a file whose chunks add up, once however often it is resent; refuses a wrong hash and a lost blob', async () => {
    const peer = await setUp();
    peer.send(fileMsg(1, 'good'));
    peer.send(chunk(1, CONTENT.subarray(0, 5)));
    peer.send(chunk(1, CONTENT.subarray(5)));
    peer.send(fileMsg(2, 'good')); // a resend: answered again, its chunks ignored
    peer.send(chunk(2, CONTENT));
    peer.send(fileMsg(3, 'wrong', BlobFolder.hash(Buffer.from('something else'))));
    peer.send(chunk(3, CONTENT));
    peer.send({type: 'chunk', seq: 4, data: ''}); // for no file in progress: ignored
    peer.send(fileMsg(5, 'lost'));
    peer.send({type: 'chunk', seq: 5, data: '', lost: true});
    expect(await ackUpto(peer, 5)).toEqual({type: 'ack', upto: 5, refused: [[3, 'BAD_FILE'], [5, 'FILE_NOT_FOUND']]});
    const inbox = await bob!.client.request('getrealminbox delta');
    expect(inbox.messages).toEqual([expect.objectContaining({
      msg_from: 'dave@delta', file_name: 'a.txt', file_size: CONTENT.length, file_content: CONTENT.toString('base64'),
    })]);
  });

  it('closes the link when a message frame comes before the last chunk of a file', async () => {
    const peer = await setUp();
    peer.send(fileMsg(1, 'cut'));
    peer.send(chunk(1, CONTENT.subarray(0, 3)));
    peer.send(fileMsg(2, 'other'));
    await peer.closed;
    expect((await bob!.client.request('getrealminbox delta')).messages).toEqual([]);
  });

  it('closes the link when a chunk goes past the file\'s size', async () => {
    const peer = await setUp();
    peer.send(fileMsg(1, 'long'));
    peer.send(chunk(1, Buffer.concat([CONTENT, Buffer.from('!')])));
    await peer.closed;
    expect((await bob!.client.request('getrealminbox delta')).messages).toEqual([]);
  });
});
