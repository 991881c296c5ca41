/** The realmchatd binary as users and outside checks start it (the built dist/daemon/cli.js). */
import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {LineClient} from '../helpers/daemon.js';
import {REALMCHATD_BIN as BIN, startRealmchatd, type RealmchatdProcess} from '../../bench/realmchatd-process.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'realmchatd-cli-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
});

/** Starts the binary (killed after each test) and resolves with the port from its start-up line. */
async function startBinary(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RealmchatdProcess> {
  const daemon = await startRealmchatd(args, env);
  children.push(daemon.child);
  return daemon;
}

describe('realmchatd', () => {
  it('prints help and version', () => {
    const help = spawnSync(process.execPath, [BIN, '--help'], {encoding: 'utf8'});
    expect(help.status).toBe(0);
    for (const flag of ['--host', '--port', '--realm', '--data', '--demo-users', '--log-level', '--max-connections', '--version']) {
      expect(help.stdout).toContain(flag);
    }
    const version = spawnSync(process.execPath, [BIN, '--version'], {encoding: 'utf8'});
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses bad flags with exit code 2 and a hint', () => {
    for (const args of [['--bogus'], ['--port', 'abc'], ['--realm', 'no spaces!'], ['--log-level', 'loud'], ['--max-connections', '0']]) {
      const run = spawnSync(process.execPath, [BIN, ...args], {encoding: 'utf8'});
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toContain("Try 'realmchatd --help'");
    }
  });

  it('starts with demo users, says realm/address/data, serves the course client and stops on SIGTERM', async () => {
    const data = tempDir();
    const {child, port, line, exited} = await startBinary(['--port', '0', '--realm', 'alpha', '--data', data, '--demo-users', '--log-level', 'warn']);
    expect(line).toMatch(new RegExp(`realm alpha listening on 127\\.0\\.0\\.1:${port}, data ${data}/realmchat\\.db`));
    const client = await LineClient.connect(port);
    client.write('auth messi surabaya \r\n');
    const auth = await client.next();
    expect(auth).toMatchObject({status: 'OK', username: 'messi'});
    client.write(`send ${auth.tokenid} lineker  hi from the course client \r\n`);
    expect(await client.next()).toMatchObject({status: 'OK', message: 'Message sent'});
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    await client.closed;

    // Restarted on the same data, the message is still unread and demo users are not duplicated.
    const again = await startBinary(['--port', '0', '--data', data, '--demo-users', '--log-level', 'warn']);
    const lineker = await LineClient.connect(again.port);
    await lineker.request('auth lineker surabaya');
    const inbox = await lineker.request('inbox');
    expect((inbox.messages as Record<string, Array<{msg: string}>>).messi![0]!.msg).toBe('hi from the course client');
    lineker.close();
  });

  it('lists every acknowledged message in the conversations after kill -9 (the rows are written later, in slices)', async () => {
    const data = tempDir();
    const args = ['--port', '0', '--data', data, '--demo-users', '--log-level', 'warn'];
    const first = await startBinary(args);
    const messi = await LineClient.connect(first.port);
    const token = (await messi.request('auth messi surabaya')).tokenid as string;
    // A pipelined burst, killed as soon as its last OK is read: the conversation rows of most of it are still held
    // in memory (written about 10 ms after a commit), so the restart must make them from the messages.
    const count = 40;
    messi.write(Array.from({length: count}, (_, i) => `send ${token} lineker burst ${i}\r\n`).join(''));
    for (let i = 0; i < count; i++) expect(await messi.next()).toMatchObject({status: 'OK'});
    first.child.kill('SIGKILL');
    await first.exited;

    const again = await startBinary(args);
    const lineker = await LineClient.connect(again.port);
    await lineker.request('auth lineker surabaya');
    const listed = await lineker.request('conversations');
    expect(listed).toMatchObject({status: 'OK', conversations: [{conversation: 'messi', kind: 'direct', unread: count, seen: 0}]});
    expect((listed.conversations as Array<{last: {msg: string}}>)[0]!.last.msg).toBe(`burst ${count - 1}`);
    const sender = await LineClient.connect(again.port);
    await sender.request('auth messi surabaya');
    expect(await sender.request('conversations')).toMatchObject({conversations: [{conversation: 'lineker', unread: 0}]});
    lineker.close();
    sender.close();
    messi.close();
  });

  it('defaults the data folder to $XDG_DATA_HOME/realmchat/<realm>', async () => {
    const xdg = tempDir();
    const {line} = await startBinary(['--port', '0', '--realm', 'gamma', '--log-level', 'warn'], {...process.env, XDG_DATA_HOME: xdg});
    expect(line).toContain(`data ${join(xdg, 'realmchat', 'gamma', 'realmchat.db')}`);
    expect(existsSync(join(xdg, 'realmchat', 'gamma', 'realmchat.db'))).toBe(true);
  });

  it('says so plainly when the port is taken', async () => {
    const {port} = await startBinary(['--port', '0', '--data', tempDir(), '--log-level', 'warn']);
    const run = spawnSync(process.execPath, [BIN, '--port', String(port), '--data', tempDir()], {encoding: 'utf8'});
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
  });

  it('refuses a second realmchatd on the same data folder, and says why', async () => {
    const data = tempDir();
    const {port} = await startBinary(['--port', '0', '--data', data, '--log-level', 'warn']);
    const run = spawnSync(process.execPath, [BIN, '--port', '0', '--data', data], {encoding: 'utf8'});
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`cannot open the database ${join(data, 'realmchat.db')}: another process holds it`);
    // The first one goes on serving.
    const client = await LineClient.connect(port);
    expect(await client.request('register ann pw Ann lab')).toMatchObject({status: 'OK'});
    client.close();
    const bad = spawnSync(process.execPath, [BIN, '--port', '0', '--data', tempDir(), '--sqlite-locking', 'none'], {encoding: 'utf8'});
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--sqlite-locking must be exclusive or shared');
  });

  it('past its descriptor budget refuses new connections, logs it once per burst, and keeps serving the rest', async () => {
    // ulimit 160 leaves a cap of 60 connections (the limit minus 100 descriptors kept for the database and links).
    const child = spawn('bash', ['-c', `ulimit -n 160 && exec "${process.execPath}" "${BIN}" --port 0 --data "${tempDir()}" --log-level warn`],
      {stdio: ['ignore', 'pipe', 'pipe']});
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const port = await new Promise<number>((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const match = /listening on [\d.]+:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
    });
    const canary = await LineClient.connect(port);
    await canary.request('register canary pw Canary lab');
    const flood = await Promise.all(Array.from({length: 120}, () => LineClient.connect(port).catch(() => undefined)));
    // Connections past the cap are closed by the daemon; the ones it holds, and the canary, are served.
    const closed = await Promise.all(flood.map((client) => client && Promise.race([
      client.closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000))])));
    expect(closed.filter(Boolean).length).toBeGreaterThanOrEqual(50);
    expect(await canary.request('info')).toMatchObject({status: 'OK'});
    expect(stderr.match(/refusing new connections/g)).toHaveLength(1);
    expect(stderr).toContain('maxConnections=60');
    for (const client of flood) client?.close();
    canary.close();
  });
});

