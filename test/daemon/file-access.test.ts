/**
 * Who may fetch a file with getfile (its sender, its recipient, a member of its group, never through another
 * realm's copy of a name), what sendgroupfile checks before it writes any content, and its reply.
 */
import {existsSync, readdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {SqliteStore} from '../../daemon/store/sqlite-store.js';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

const started: TestDaemon[] = [];
const clients: LineClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(started.splice(0).map((daemon) => daemon.cleanup()));
});

async function start(): Promise<TestDaemon> {
  const server = await startDaemon();
  started.push(server);
  return server;
}

async function register(port: number, name: string): Promise<LineClient> {
  const {client} = await registerUser(port, name);
  clients.push(client);
  return client;
}

async function login(port: number, name: string): Promise<LineClient> {
  const client = await LineClient.connect(port);
  clients.push(client);
  expect(await client.request(`auth ${name} pw`)).toMatchObject({status: 'OK'});
  return client;
}

const base64 = (text: string) => Buffer.from(text).toString('base64');
const blobs = (dir: string) => existsSync(join(dir, 'files'))
  ? readdirSync(join(dir, 'files')).flatMap((sub) => readdirSync(join(dir, 'files', sub)).filter((name) => !name.startsWith('.')))
  : [];
const NOT_FOUND = {status: 'ERROR', code: 'FILE_NOT_FOUND', message: 'File tidak ditemukan'};

describe('getfile', () => {
  it('gives a private file to its sender and its recipient, whatever the case of their names, and to nobody else', async () => {
    const server = await start();
    const ann = await register(server.port, 'Ann_P');
    const bob = await register(server.port, 'Bob_P');
    const eve = await register(server.port, 'eve_p');
    const sent = await ann.request(`sendfile bob_p plan.txt ${base64('plan')}`);
    expect(sent).toMatchObject({status: 'OK', file_name: 'plan.txt', file_size: 4});
    const expected = {
      status: 'OK', file_id: sent.id, file_name: 'plan.txt', file_size: 4, file_content: base64('plan'),
      msg_from: 'Ann_P', msg_to: 'Bob_P',
    };
    expect(await ann.request(`getfile ${sent.id}`)).toMatchObject(expected);
    expect(await bob.request(`getfile ${sent.id}`)).toMatchObject(expected);
    expect(await (await login(server.port, 'BOB_P')).request(`getfile ${sent.id}`)).toMatchObject(expected);
    expect(await eve.request(`getfile ${sent.id}`)).toEqual(NOT_FOUND);
    // A message without a file is no file, even to its own recipient.
    const text = await ann.request('send bob_p just text');
    expect(await bob.request(`getfile ${text.id}`)).toEqual(NOT_FOUND);
  });

  it('gives a group file to whoever is a member now, with the group as msg_to', async () => {
    const server = await start();
    const ann = await register(server.port, 'Ann_G');
    const bob = await register(server.port, 'Bob_G');
    const eve = await register(server.port, 'eve_g');
    expect(await ann.request('addgroup Vault')).toMatchObject({status: 'OK'});
    expect(await bob.request('joingroup vault')).toMatchObject({status: 'OK'});
    const sent = await ann.request(`sendgroupfile VAULT secret.txt ${base64('s3cret')}`);
    expect(sent).toEqual({status: 'OK', message: 'File sent to group', id: expect.any(Number), file_id: sent.id, file_name: 'secret.txt', file_size: 6});
    const expected = {status: 'OK', file_id: sent.id, file_name: 'secret.txt', file_content: base64('s3cret'), msg_from: 'Ann_G', msg_to: 'Vault'};
    expect(await bob.request(`getfile ${sent.id}`)).toMatchObject(expected);
    expect(await eve.request(`getfile ${sent.id}`)).toEqual(NOT_FOUND);
    expect(await eve.request('joingroup vault')).toMatchObject({status: 'OK'});
    expect(await eve.request(`getfile ${sent.id}`)).toMatchObject(expected);
    // The group's messages carry the file id the reply gave.
    expect((await bob.request('inbox')).messages).toEqual({Ann_G: [expect.objectContaining({file_id: sent.id, group: 'Vault'})]});
  });

  it('answers FILE_NOT_FOUND, not an error of its own, when the content is missing from the data folder', async () => {
    const server = await start();
    const ann = await register(server.port, 'ann_m');
    await register(server.port, 'bob_m');
    const sent = await ann.request(`sendfile bob_m gone.txt ${base64('gone')}`);
    rmSync(join(server.dir, 'files'), {recursive: true, force: true});
    expect(await ann.request(`getfile ${sent.id}`)).toEqual(NOT_FOUND);
  });

  it('never hands a file over because a user of another realm has the same name', async () => {
    let server = await start();
    for (const name of ['alice', 'bob', 'carol']) await register(server.port, name);
    expect(await clients[2]!.request('addgroup devs')).toMatchObject({status: 'OK'});
    await server.stop();
    // Messages as they are stored for other realms: received from alice@beta, sent to bob@beta, and a group devs@beta.
    const store = new SqliteStore({file: join(server.dir, 'realmchat.db')});
    const sha256 = await store.putBlob(Buffer.from('remote'));
    const file = {name: 'r.txt', size: 6, sha256};
    const fromRemote = store.storeMessage({sender: 'alice', senderRealm: 'beta', recipient: 'carol', body: '[file] r.txt (6 B)', ts: 1, file}, ['carol']);
    const toRemote = store.storeMessage({sender: 'carol', recipient: 'bob', recipientRealm: 'beta', body: '[file] r.txt (6 B)', ts: 1, file}, []);
    const remoteGroup = store.storeMessage({sender: 'carol', group: 'devs', recipientRealm: 'beta', body: '[file] r.txt (6 B)', ts: 1, file}, []);
    await store.close();
    server = await server.restart();
    started.push(server);
    const alice = await login(server.port, 'alice');
    const bob = await login(server.port, 'bob');
    const carol = await login(server.port, 'carol');
    expect(await alice.request(`getfile ${fromRemote}`)).toEqual(NOT_FOUND);
    expect(await carol.request(`getfile ${fromRemote}`)).toMatchObject({status: 'OK', msg_from: 'alice@beta', msg_to: 'carol'});
    expect(await bob.request(`getfile ${toRemote}`)).toEqual(NOT_FOUND);
    expect(await carol.request(`getfile ${toRemote}`)).toMatchObject({status: 'OK', msg_from: 'carol', msg_to: 'bob@beta'});
    // carol sent it, so she may; alice is no sender and the group of that name here is not beta's.
    expect(await carol.request(`getfile ${remoteGroup}`)).toMatchObject({status: 'OK'});
    expect(await alice.request('joingroup devs')).toMatchObject({status: 'OK'});
    expect(await alice.request(`getfile ${remoteGroup}`)).toEqual(NOT_FOUND);
  });
});

describe('sendgroupfile', () => {
  it('checks the group and the membership before it writes any content', async () => {
    const server = await start();
    const ann = await register(server.port, 'ann_s');
    const out = await register(server.port, 'out_s');
    expect(await ann.request('addgroup crew')).toMatchObject({status: 'OK'});
    expect(await ann.request(`sendgroupfile nocrew a.txt ${base64('never stored')}`)).toEqual(
      {status: 'ERROR', code: 'GROUP_NOT_FOUND', message: 'Group tidak ditemukan'});
    expect(await out.request(`sendgroupfile crew a.txt ${base64('never stored')}`)).toEqual(
      {status: 'ERROR', code: 'NOT_A_MEMBER', message: 'User bukan anggota group'});
    expect(blobs(server.dir)).toEqual([]);
    expect(await ann.request(`sendgroupfile crew a.txt ${base64('stored')}`)).toMatchObject({status: 'OK'});
    expect(blobs(server.dir)).toHaveLength(1);
  });
});
