/**
 * Files as the course clients send them (`sendfile <token> <user> <path> b'<base64>'`), stored once by content,
 * shown in inbox and history, fetched with getfile, bounded by --max-file-bytes.
 */
import {existsSync, readdirSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';

let server: TestDaemon;
const MAX = 3000;

beforeAll(async () => {
  server = await startDaemon({maxFileBytes: MAX});
});
afterAll(async () => {
  await server.cleanup();
});

type InboxMessages = Record<string, Array<Record<string, unknown>>>;
const blobsIn = (dir: string) => existsSync(join(dir, 'files'))
  ? readdirSync(join(dir, 'files')).flatMap((sub) => readdirSync(join(dir, 'files', sub)).filter((name) => !name.startsWith('.')))
  : [];

describe('sendfile, sendgroupfile, getfile', () => {
  it('takes the course clients\' exact bytes, with and without b\'…\', and delivers the bytes intact', async () => {
    const {client: ann, token} = await registerUser(server.port, 'f_ann');
    const {client: bob, token: bobToken} = await registerUser(server.port, 'f_bob');
    const every = Buffer.from(Array.from({length: 256}, (_, i) => i));
    ann.write(`sendfile ${token} f_bob /home/u/foto.png b'${every.toString('base64')}'\r\n`);
    const sent = await ann.next();
    expect(sent).toMatchObject({status: 'OK', message: 'File sent', file_name: 'foto.png', file_size: 256});
    ann.write(`sendfile ${token} f_bob notes.txt ${Buffer.from('hello').toString('base64')}\r\n`);
    expect(await ann.next()).toMatchObject({status: 'OK', file_name: 'notes.txt', file_size: 5});
    ann.write(`sendfile ${token} f_bob empty.bin b''\r\n`);
    expect(await ann.next()).toMatchObject({status: 'OK', file_name: 'empty.bin', file_size: 0});

    const inbox = (await bob.request(`inbox ${bobToken}`)).messages as InboxMessages;
    const files = inbox.f_ann!;
    expect(files.map((m) => m.msg)).toEqual(['[file] foto.png (256 B)', '[file] notes.txt (5 B)', '[file] empty.bin (0 B)']);
    expect(files[0]).toMatchObject({msg_from: 'f_ann', msg_to: 'f_bob', file_name: 'foto.png', file_size: 256, file_id: sent.id});
    expect(Buffer.from(files[0]!.file_content as string, 'base64')).toEqual(every);
    expect(Buffer.from(files[1]!.file_content as string, 'base64').toString()).toBe('hello');
    expect(files[2]!.file_content).toBe('');

    // getfile: the sender and the recipient may fetch it; nobody else.
    const fetched = await bob.request(`getfile ${bobToken} ${sent.id}`);
    expect(fetched).toMatchObject({status: 'OK', file_name: 'foto.png', file_size: 256, msg_from: 'f_ann', msg_to: 'f_bob'});
    expect(Buffer.from(fetched.file_content as string, 'base64')).toEqual(every);
    expect(await ann.request(`getfile ${token} ${sent.id}`)).toMatchObject({status: 'OK'});
    const {client: eve, token: eveToken} = await registerUser(server.port, 'f_eve');
    expect(await eve.request(`getfile ${eveToken} ${sent.id}`)).toMatchObject({status: 'ERROR', code: 'FILE_NOT_FOUND'});
    expect(await eve.request(`getfile ${eveToken} 999999`)).toMatchObject({status: 'ERROR', code: 'FILE_NOT_FOUND'});

    // history shows files too.
    const history = (await bob.request('history f_ann')).messages as Array<Record<string, unknown>>;
    expect(history.at(-3)).toMatchObject({file_name: 'foto.png', file_id: sent.id});
    for (const client of [ann, bob, eve]) client.close();
  });

  it('keeps only the base name of the path: no folders, no "..", no control characters; spaces are fine', async () => {
    const {client: ann} = await registerUser(server.port, 'p_ann');
    (await registerUser(server.port, 'p_bob')).client.close();
    const content = Buffer.from('x').toString('base64');
    const cases: Array<[string, string]> = [
      ['../../etc/passwd', 'passwd'],
      ['C:\\Users\\me\\my notes.txt', 'my notes.txt'],
      ['/tmp/with space/and more.txt', 'and more.txt'],
      ['..', 'file'],
      ['dir/..', 'file'],
      ['a\u0001b\u007f.txt', 'ab.txt'],
    ];
    for (const [path, name] of cases) {
      expect(await ann.request(`sendfile p_bob ${path} ${content}`), path).toMatchObject({status: 'OK', file_name: name});
    }
    ann.close();
  });

  it('accepts a file at the limit, refuses one byte over, bad base64 and a missing content; the connection goes on', async () => {
    const {client: ann} = await registerUser(server.port, 'l_ann');
    (await registerUser(server.port, 'l_bob')).client.close();
    expect(await ann.request(`sendfile l_bob max.bin ${Buffer.alloc(MAX, 7).toString('base64')}`)).toMatchObject({status: 'OK', file_size: MAX});
    expect(await ann.request(`sendfile l_bob over.bin ${Buffer.alloc(MAX + 1, 7).toString('base64')}`))
      .toMatchObject({status: 'ERROR', code: 'FILE_TOO_LARGE', message: 'File terlalu besar'});
    // Far over: the framer cuts the line itself, once, and drops the rest.
    ann.write(`sendfile l_bob huge.bin ${'A'.repeat(200_000)}\r\ninfo\r\n`);
    expect(await ann.next()).toMatchObject({status: 'ERROR', code: 'FILE_TOO_LARGE'});
    expect(await ann.next()).toMatchObject({status: 'OK', user: {username: 'l_ann'}});
    expect(await ann.request('sendfile l_bob bad.bin b\'not base64!\'')).toMatchObject({status: 'ERROR', code: 'BAD_FILE'});
    expect(await ann.request('sendfile l_bob onlyapath.txt')).toMatchObject({status: 'ERROR', code: 'MISSING_PARAMETER'});
    expect(await ann.request('sendfile nobody x.txt eA==')).toMatchObject({status: 'ERROR', message: 'User tidak ditemukan'});
    // Other commands keep the ordinary 64 KiB limit.
    expect(await ann.request(`send l_bob ${'y'.repeat(70_000)}`)).toMatchObject({status: 'ERROR', code: 'LINE_TOO_LONG'});
    ann.close();
  });

  it('stores a group file once for all its recipients, and the same content once however often it is sent', async () => {
    const {client: ann} = await registerUser(server.port, 'g_ann');
    await ann.request('addgroup filers');
    const readers: LineClient[] = [];
    for (const name of ['g_b', 'g_c', 'g_d']) {
      const {client} = await registerUser(server.port, name);
      await client.request('joingroup filers');
      readers.push(client);
    }
    const before = blobsIn(server.dir).length;
    const content = Buffer.from('the same group content').toString('base64');
    expect(await ann.request(`sendgroupfile filers report.pdf b'${content}'`)).toMatchObject({status: 'OK', message: 'File sent to group'});
    expect(await ann.request(`sendgroupfile group:filers copy.pdf ${content}`)).toMatchObject({status: 'OK'});
    expect(blobsIn(server.dir).length).toBe(before + 1);
    for (const reader of readers) {
      const inbox = (await reader.request('inbox')).messages as InboxMessages;
      expect(inbox.g_ann!.map((m) => m.file_name)).toEqual(['report.pdf', 'copy.pdf']);
      expect(Buffer.from(inbox.g_ann![0]!.file_content as string, 'base64').toString()).toBe('the same group content');
    }
    const {client: outsider} = await registerUser(server.port, 'g_out');
    expect(await outsider.request(`sendgroupfile filers x.txt ${content}`)).toMatchObject({message: 'User bukan anggota group'});
    for (const client of [ann, outsider, ...readers]) client.close();
  });

  it('keeps files across a restart', async () => {
    const {client: ann} = await registerUser(server.port, 'r_ann');
    (await registerUser(server.port, 'r_bob')).client.close();
    const sent = await ann.request(`sendfile r_bob keep.txt ${Buffer.from('kept').toString('base64')}`);
    ann.close();
    server = await server.restart();
    const bob = await LineClient.connect(server.port);
    await bob.request('auth r_bob pw');
    const fetched = await bob.request(`getfile ${sent.id}`);
    expect(Buffer.from(fetched.file_content as string, 'base64').toString()).toBe('kept');
    bob.close();
  });
});
