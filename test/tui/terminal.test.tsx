import {EventEmitter} from 'node:events';
import {PassThrough} from 'node:stream';
import {afterEach, describe, expect, it} from 'vitest';
import {bellDisabled, NO_TTY_MESSAGE, startTui} from '../../tui/app/main.js';
import {ALT_SCREEN_OFF, ALT_SCREEN_ON, SHOW_CURSOR, enterFullScreen, installGuards} from '../../tui/app/terminal.js';
import {tempConfigDir} from './helpers.js';

function collector() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return {stream, text: () => text};
}

describe('terminal hygiene', () => {
  const removers: Array<() => void> = [];
  afterEach(() => {
    for (const remove of removers.splice(0)) remove();
  });

  it('without a terminal, points at the one-shot commands and realmchat repl and exits 2', async () => {
    const stderr = collector();
    const temp = tempConfigDir();
    const code = await startTui({stdin: new PassThrough(), stdout: new PassThrough(), stderr: stderr.stream, config: temp.config()});
    temp.cleanup();
    expect(code).toBe(2);
    expect(stderr.text()).toBe(NO_TTY_MESSAGE);
    expect(NO_TTY_MESSAGE).toContain('realmchat repl');
    expect(NO_TTY_MESSAGE).toContain('realmchat send bob hello');
  });

  it('enters the alternate screen and leaves it once, cursor shown, raw mode off', () => {
    const out = collector();
    const modes: boolean[] = [];
    const stdin = Object.assign(new PassThrough(), {isTTY: true, setRawMode: (mode: boolean) => modes.push(mode)});
    const screen = enterFullScreen(out.stream, stdin);
    screen.leave();
    screen.leave();
    expect(out.text().startsWith(ALT_SCREEN_ON)).toBe(true);
    expect(out.text().endsWith(ALT_SCREEN_OFF + SHOW_CURSOR)).toBe(true);
    expect(out.text().split(ALT_SCREEN_OFF)).toHaveLength(2);
    expect(modes).toEqual([true, false]);
  });

  it('tidies up and exits 128+n on SIGTERM and SIGHUP, and 70 on a crash', () => {
    const exits: number[] = [];
    const seen: string[] = [];
    const events = new EventEmitter();
    removers.push(installGuards({onSignal: (signal) => seen.push(signal), onCrash: (error) => seen.push(`crash: ${(error as Error).message}`)},
      {exit: (code) => exits.push(code), events}));
    events.emit('SIGTERM');
    events.emit('SIGHUP');
    events.emit('uncaughtException', new Error('boom'));
    expect(seen).toEqual(['SIGTERM', 'SIGHUP', 'crash: boom']);
    expect(exits).toEqual([143, 129, 70]);
    removers.pop()!();
    expect(events.listenerCount('SIGTERM') + events.listenerCount('uncaughtException')).toBe(0);
  });

  it('turns the bell off with noBell, bell: false, --no-bell or REALMCHAT_NO_BELL', () => {
    expect(bellDisabled({argv: []}, {})).toBe(false);
    expect(bellDisabled({noBell: true, argv: []}, {})).toBe(true);
    expect(bellDisabled({bell: false, argv: []}, {})).toBe(true);
    expect(bellDisabled({argv: ['--no-bell']}, {})).toBe(true);
    expect(bellDisabled({argv: []}, {REALMCHAT_NO_BELL: '1'})).toBe(true);
    expect(bellDisabled({argv: []}, {REALMCHAT_NO_BELL: '0'})).toBe(false);
  });
});
