/**
 * End to end: the built `realmchat` binary (dist/tui/cli.js, from `npm run build`) in a pseudo-terminal, against a
 * real daemon on port 0. A user logs in, sends a message to a second user, sees the reply arrive, and quits; the
 * terminal is back on its normal screen afterwards, also after SIGTERM.
 */
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {LineClient, registerUser, startDaemon, type TestDaemon} from '../helpers/daemon.js';
import {startPty, type PtySession} from './pty-harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(root, 'dist/tui/cli.js');

describe('realmchat full-screen client in a terminal', () => {
  let daemon: TestDaemon;
  let bob: LineClient;
  let configHome: string;
  let session: PtySession | undefined;

  beforeAll(() => {
    if (!existsSync(cli) || !existsSync(join(root, 'dist/tui/app/main.js'))) {
      throw new Error('dist/tui is missing: run `npm run build` first (npm test does)');
    }
  });
  beforeEach(async () => {
    daemon = await startDaemon({shutdownGraceMs: 200});
    await registerUser(daemon.port, 'alice', 's3cret').then(({client}) => client.close());
    bob = (await registerUser(daemon.port, 'bob')).client;
    configHome = mkdtempSync(join(tmpdir(), 'realmchat-e2e-'));
  });
  afterEach(async () => {
    session?.kill('SIGKILL');
    session = undefined;
    bob.close();
    await daemon.cleanup();
    rmSync(configHome, {recursive: true, force: true});
  });

  function open(): PtySession {
    session = startPty([cli, '--server', `127.0.0.1:${daemon.port}`], {env: {XDG_CONFIG_HOME: configHome}, cwd: root});
    return session;
  }

  async function logIn(tui: PtySession): Promise<void> {
    await tui.waitFor('realmchat · log in');
    expect(tui.term.buffer.active.type).toBe('alternate');
    expect(tui.term.modes.bracketedPasteMode).toBe(true);
    await tui.type('alice', /› Username +alice/);
    tui.write('\r');
    await tui.waitFor('› Password');
    await tui.type('s3cret', '••••••');
    tui.write('\r');
    await tui.waitFor('alice@alpha');
    await tui.waitFor('● connected');
  }

  it('logs in, sends a message, sees the reply arrive, and restores the terminal on Ctrl+C', async () => {
    const tui = open();
    await logIn(tui);
    const stored = JSON.parse(readFileSync(join(configHome, 'realmchat', 'config.json'), 'utf8')) as Record<string, string>;
    expect(stored).toMatchObject({server: `127.0.0.1:${daemon.port}`, username: 'alice', realm: 'alpha'});
    expect(stored.token).toMatch(/^[0-9a-f-]{36}$/);

    // The line and its Enter in one write, as a fast typist's keys may arrive.
    tui.write('/msg bob hello from the terminal\r');
    await tui.waitFor(/\d\d:\d\d alice hello from the terminal/);
    await tui.waitFor('bob · direct messages');
    expect(JSON.stringify((await bob.request('inbox')).messages)).toContain('hello from the terminal');

    expect((await bob.request('send alice hi alice, got it')).status).toBe('OK');
    await tui.waitFor(/\d\d:\d\d bob hi alice, got it/);

    tui.write('\u0003');
    expect((await tui.exited).exitCode).toBe(0);
    expect(tui.term.buffer.active.type).toBe('normal');
    expect(tui.term.modes.bracketedPasteMode).toBe(false);
  });

  it('issue 12, bugs 1-4: no history gap, #group accepted, no conversation for a failed /msg, status lines that go', async () => {
    // Bug 1's run: bob (gina) sends 10 while alice (frank) is away; alice sends 60 from another client (the shell).
    for (let i = 1; i <= 10; i++) expect((await bob.request(`send alice g${String(i).padStart(2, '0')}`)).status).toBe('OK');
    const shell = await LineClient.connect(daemon.port);
    const token = (await shell.request('auth alice s3cret')).tokenid as string;
    for (let i = 1; i <= 60; i++) expect((await shell.request(`send ${token} bob f${String(i).padStart(2, '0')}`)).status).toBe('OK');
    shell.close();
    expect((await bob.request('addgroup devs')).status).toBe('OK');

    const tui = open();
    await logIn(tui);
    await tui.waitFor('1 Inbox (10)');
    tui.write('\u001Ba'); // Alt+A
    await tui.waitFor('bob · direct messages');
    // Alt+A lands on the unread marker (before g01); wait for that landing, then page down to the newest message.
    await tui.waitFor('── new ──');
    const seen = new Set<string>();
    const collect = () => {
      for (const match of tui.screen().matchAll(/\d\d:\d\d (?:alice|bob) ([fg]\d\d)\b/g)) seen.add(match[1]!);
    };
    const topLine = (screen: string) => /\d\d:\d\d (?:alice|bob) ([fg]\d\d)\b/.exec(screen)?.[1];
    /** Waits until two looks 60 ms apart show the same screen (at most 3 s). */
    const settled = async () => {
      let last = '';
      for (let look = 0; look < 50; look++) {
        await tui.waitFor(() => true); // lets the terminal take what has come
        const now = tui.screen();
        if (now === last) return;
        last = now;
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
    };
    for (let page = 0; page < 12 && !/\d\d:\d\d alice f60/.test(tui.screen()); page++) {
      const before = topLine(tui.screen());
      tui.write('\u001B[6~');
      await tui.waitFor((screen) => topLine(screen) !== before || /\d\d:\d\d alice f60/.test(screen));
    }
    await tui.waitFor(/\d\d:\d\d alice f60/);
    // PgUp to the top: every one of the 70 messages passes by, in order, and nothing else is between them.
    seen.clear();
    for (let page = 0; page < 12 && !seen.has('g01'); page++) {
      collect();
      const before = topLine(tui.screen());
      tui.write('\u001B[5~');
      // The frame of this PgUp: wait until the top line moved (however slow the machine) and the frame is whole
      // (a frame may arrive in several writes: read half-drawn, its lower lines would be missed), then read it.
      await tui.waitFor((screen) => topLine(screen) !== before);
      await settled();
      collect();
    }
    await tui.waitFor('g01');
    collect();
    const expected = [...Array.from({length: 10}, (_, i) => `g${String(i + 1).padStart(2, '0')}`), ...Array.from({length: 60}, (_, i) => `f${String(i + 1).padStart(2, '0')}`)];
    expect([...seen].sort()).toEqual([...expected].sort());

    // Bug 2: #devs is accepted where a group is expected.
    await tui.type('/join #devs', '/join #devs');
    tui.write('\r');
    await tui.waitFor('#devs · group');
    await tui.waitFor('Join group successful');

    // Bug 3: a failed /msg leaves no conversation behind; bug 4: its error goes when another conversation is shown.
    await tui.type('/msg nobody hi', '/msg nobody hi');
    tui.write('\r');
    await tui.waitFor('no such user (User tidak ditemukan)');
    await tui.type('/msg bob', '/msg bob');
    tui.write('\r');
    await tui.waitFor('bob · direct messages');
    await tui.waitFor((screen) => !screen.includes('User tidak ditemukan') && !screen.includes('nobody'));

    tui.write('\u0003');
    expect((await tui.exited).exitCode).toBe(0);
  });

  it('goes straight in with the stored session, re-lays out on resize, and restores the terminal on SIGTERM', async () => {
    const first = open();
    await logIn(first);
    first.write('\u0003');
    await first.exited;

    const tui = open();
    await tui.waitFor('alice@alpha');
    await tui.waitFor('● connected');
    tui.resize(70, 16);
    // Laid out again for 70 columns: every line fits and the status bar is on the last row but one.
    await tui.waitFor((screen) => {
      const lines = screen.split('\n');
      return lines.every((line) => line.length <= 70) && /^alice@alpha │/.test(lines[14] ?? '');
    });
    tui.kill('SIGTERM');
    expect((await tui.exited).exitCode).toBe(143);
    expect(tui.term.buffer.active.type).toBe('normal');
    expect(tui.term.modes.bracketedPasteMode).toBe(false);
  });
});
