/**
 * Issue 10 on the main screen (ink-testing-library against a real daemon): /file sends a local file to the
 * conversation on screen and the receiver sees its file line; /save writes the exact bytes, never over an existing
 * file; Tab completes a local path after /file; a transfer over 1 MiB shows its percentage in the status line while
 * in flight (the store's clock moves a second at each look, so the ten-a-second pace lets every step show).
 */
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {messagesOf} from '../../common/protocol/reply-shapes.js';
import {noFederation, type Federation} from '../../daemon/federation-api.js';
import type {ChatStore} from '../../tui/app/store/chat-store.js';
import type {LineClient} from '../helpers/daemon.js';
import {KEY, press, submit, waitForFrame} from './helpers.js';
import {openMainScreen, type MainScreenFixture} from './main-screen-fixture.js';

/** Every byte value, twice: a binary file whose bytes must arrive intact. */
const BINARY = Buffer.from([...Array.from({length: 256}, (_, i) => i), ...Array.from({length: 256}, (_, i) => 255 - i)]);

/** Every status is a progress line; more than two of them, their percentages never falling, and rising overall. */
function expectRisingPercentages(statuses: readonly string[], pattern: RegExp): void {
  expect(statuses.length).toBeGreaterThan(2);
  const percents = statuses.map((text) => {
    const match = pattern.exec(text);
    expect(match, text).not.toBeNull();
    return Number(match![1]);
  });
  for (let i = 1; i < percents.length; i++) expect(percents[i]).toBeGreaterThanOrEqual(percents[i - 1]!);
  expect(percents.at(-1)).toBeGreaterThan(percents[0]!);
}

describe('main screen, files (issue 10)', () => {
  let fixture: MainScreenFixture;
  let store: ChatStore;
  let bob: LineClient;
  let view: MainScreenFixture['view'];
  let files: string;
  let downloads: string;
  /** What the stand-in federation was asked to send: [realm, user, text, file name, file size]. */
  let realmSends: Array<[string, string, string, string | undefined, number | undefined]>;

  beforeEach(async () => {
    files = mkdtempSync(join(tmpdir(), 'realmchat-files-'));
    realmSends = [];
    downloads = join(files, 'downloads');
    // A stand-in federation that knows realm beta (realm links are another issue's work).
    const federation: Federation = {
      ...noFederation,
      has: (realm) => realm === 'beta',
      realmName: (realm) => (realm.toLowerCase() === 'beta' ? 'beta' : undefined),
      sendPrivate: async (_sender, realm, user, text, file) => {
        realmSends.push([realm, user, text, file?.name, file?.size]);
        return {kind: 'accepted', realm, ids: [], queued: false};
      },
    };
    let clock = Date.parse('2026-12-01T08:00:00Z');
    fixture = await openMainScreen({env: {...process.env, HOME: files, XDG_DOWNLOAD_DIR: downloads}, now: () => (clock += 1000)},
      {federation: () => federation});
    ({store, bob, view} = fixture);
  });
  afterEach(async () => {
    await fixture.close();
    rmSync(files, {recursive: true, force: true});
  });

  it('/file sends a file to the user on screen; it shows as a file line, and bob receives it', async () => {
    writeFileSync(join(files, 'notes.txt'), 'hello, bob!\n');
    await submit(view.stdin, '/msg bob');
    await waitForFrame(view.lastFrame, 'bob · direct messages');
    await submit(view.stdin, `/file ${join(files, 'notes.txt')}`);
    await waitForFrame(view.lastFrame, 'Sent notes.txt (12 B) to bob.');
    await waitForFrame(view.lastFrame, /alice \[file\] notes\.txt \(12 B\)/);
    // The daemon's copy replaces ours: the displayed entry keeps the file's id.
    await expect.poll(() => store.getState().conversations.bob?.messages.find((message) => message.file)?.file)
      .toMatchObject({name: 'notes.txt', size: 12});
    const [received] = messagesOf(await bob.request('inbox'));
    expect(received).toMatchObject({from: 'alice', text: '[file] notes.txt (12 B)', file: {name: 'notes.txt', size: 12}});
    const fetched = await bob.request(`getfile ${received!.file!.id}`);
    expect(Buffer.from(String(fetched.file_content), 'base64').toString()).toBe('hello, bob!\n');
  });

  it('shows a received file as a line with its name and size; /save writes its exact bytes, never over a file', async () => {
    expect((await bob.request(`sendfile alice first.bin ${Buffer.from('older').toString('base64')}`)).status).toBe('OK');
    expect((await bob.request(`sendfile alice every byte.bin ${BINARY.toString('base64')}`)).status).toBe('OK');
    await press(view.stdin, KEY.altA);
    await waitForFrame(view.lastFrame, /bob \[file\] every byte\.bin \(512 B\)/);
    expect(view.lastFrame()).toMatch(/bob \[file\] first\.bin \(5 B\)/);

    // Without N: the newest file, into the download folder ($XDG_DOWNLOAD_DIR).
    await submit(view.stdin, '/save');
    await waitForFrame(view.lastFrame, `Saved every byte.bin (512 B) to ${join(downloads, 'every byte.bin')}.`);
    expect(readFileSync(join(downloads, 'every byte.bin')).equals(BINARY)).toBe(true);

    // Again: a new name beside it, the first copy untouched.
    await submit(view.stdin, '/save');
    await waitForFrame(view.lastFrame, `to ${join(downloads, 'every byte (1).bin')}.`);
    expect(readFileSync(join(downloads, 'every byte (1).bin')).equals(BINARY)).toBe(true);
    expect(readFileSync(join(downloads, 'every byte.bin')).equals(BINARY)).toBe(true);

    // N = 2: the file before, into a folder given (~ is HOME), created if missing.
    await submit(view.stdin, '/save 2 ~/elsewhere');
    await waitForFrame(view.lastFrame, `Saved first.bin (5 B) to ${join(files, 'elsewhere', 'first.bin')}.`);
    expect(readFileSync(join(files, 'elsewhere', 'first.bin')).toString()).toBe('older');
    expect(readdirSync(downloads).sort()).toEqual(['every byte (1).bin', 'every byte.bin']);

    await submit(view.stdin, '/save 3');
    await waitForFrame(view.lastFrame, 'bob has 2 files on screen; /save 2 is the oldest');
  });

  it('Tab completes a local path after /file (folders end in /), then Enter sends it', async () => {
    writeFileSync(join(files, 'report-2026.txt'), 'numbers');
    await submit(view.stdin, '/msg bob');
    await waitForFrame(view.lastFrame, 'bob · direct messages');
    await press(view.stdin, '/file ~/rep');
    await press(view.stdin, KEY.tab);
    await waitForFrame(view.lastFrame, '/file ~/report-2026.txt');
    await press(view.stdin, KEY.enter);
    await waitForFrame(view.lastFrame, 'Sent report-2026.txt (7 B) to bob.');
    mkdirSync(join(files, 'projects'));
    writeFileSync(join(files, 'projects', 'plan.md'), '# plan');
    await press(view.stdin, '/file ~/proj');
    await press(view.stdin, KEY.tab);
    await waitForFrame(view.lastFrame, '/file ~/projects/');
    await press(view.stdin, 'p', KEY.tab);
    await waitForFrame(view.lastFrame, '/file ~/projects/plan.md');
    await press(view.stdin, KEY.ctrlU);
    await press(view.stdin, '/file ~/nothing-here');
    await press(view.stdin, KEY.tab);
    // Nothing to complete: the line stays as typed.
    await waitForFrame(view.lastFrame, '/file ~/nothing-here');
  });

  it('sends to a group with sendgroupfile; a file over 1 MiB shows its percentage until the reply, and again on /save', async () => {
    const big = Buffer.from(Array.from({length: 3 * 1024 * 1024}, (_, i) => (i * 17) % 253));
    writeFileSync(join(files, 'big.bin'), big);
    await submit(view.stdin, '/addgroup devs');
    await waitForFrame(view.lastFrame, '#devs · group');
    expect((await bob.request('joingroup devs')).status).toBe('OK');
    const statuses: string[] = [];
    const unsubscribe = store.subscribe(() => {
      const text = store.getState().status?.text;
      if (text !== undefined && statuses.at(-1) !== text) statuses.push(text);
    });
    await submit(view.stdin, `/file ${join(files, 'big.bin')}`);
    await waitForFrame(view.lastFrame, 'Sent big.bin (3.0 MiB) to #devs.');
    // (Other lines, like addgroup's reply, may still be on show when the recording starts.)
    const sending = statuses.filter((text) => text.includes('big.bin'));
    expect(sending[0]).toBe('Sending big.bin (3.0 MiB) to #devs…');
    expect(sending.at(-1)).toBe('Sent big.bin (3.0 MiB) to #devs.');
    expectRisingPercentages(sending.slice(1, -1), /^Sending big\.bin to #devs {2}\d\.\d \/ 3\.0 MiB {2}(\d+) %$/);
    // The status line on screen showed them.
    expect(view.frames.some((frame) => /-- Sending big\.bin to #devs {2}\d\.\d \/ 3\.0 MiB {2}\d+ %/.test(frame))).toBe(true);
    await waitForFrame(view.lastFrame, /alice \[file\] big\.bin \(3\.0 MiB\)/);
    const [received] = messagesOf(await bob.request('history group:devs'));
    expect(received).toMatchObject({group: 'devs', file: {name: 'big.bin', size: big.length}});

    // /save: the share of the reply received, its size taken from the file line.
    statuses.length = 0;
    await submit(view.stdin, '/save');
    await waitForFrame(view.lastFrame, `Saved big.bin (3.0 MiB) to ${join(downloads, 'big.bin')}.`);
    unsubscribe();
    // The send's last line may still be on show (and recorded) when /save starts: the fetch's lines begin after it.
    const fetching = statuses.slice(statuses.findIndex((text) => text.startsWith('Fetching big.bin'))).filter((text) => text.includes('big.bin'));
    expect(fetching[0]).toBe('Fetching big.bin (3.0 MiB)…');
    expectRisingPercentages(fetching.slice(1, -1), /^Fetching big\.bin {2}\d\.\d \/ 3\.0 MiB {2}(\d+) %$/);
    expect(readFileSync(join(downloads, 'big.bin')).equals(big)).toBe(true);
  });

  it('says what is wrong (no such file, nothing to save) and sends to a user of another realm', async () => {
    await submit(view.stdin, '/file nothing.txt');
    await waitForFrame(view.lastFrame, '/file: no conversation on screen');
    await submit(view.stdin, '/msg bob');
    await waitForFrame(view.lastFrame, 'bob · direct messages');
    await submit(view.stdin, `/file ${join(files, 'missing.txt')}`);
    await waitForFrame(view.lastFrame, 'no such file');
    await submit(view.stdin, '/save');
    await waitForFrame(view.lastFrame, '/save: no file in bob yet');
    // Opened without a message: no send and history refresh in flight that could move the screen meanwhile.
    await submit(view.stdin, '/msg carol@beta');
    await waitForFrame(view.lastFrame, 'carol@beta · user of realm beta');
    writeFileSync(join(files, 'for-carol.txt'), 'hi carol');
    await submit(view.stdin, `/file ${join(files, 'for-carol.txt')}`);
    // Sent as sendfilerealm: the daemon stores the content and hands the file to federation.
    await waitForFrame(view.lastFrame, 'Sent for-carol.txt (8 B) to carol@beta.');
    expect(realmSends).toEqual([['beta', 'carol', '[file] for-carol.txt (8 B)', 'for-carol.txt', 8]]);
  });
});
