/** The status line's pace for a transfer's progress: ten renders a second at most, only while its conversation is on screen. */
import {describe, expect, it} from 'vitest';
import type {RequestProgress} from '../../common/client/client-protocol.js';
import {MIN_INTERVAL_MS, progressStatus} from '../../tui/app/store/progress-status.js';
import {initialChatState, StoreState} from '../../tui/app/store/store-state.js';

const at = (bytes: number): RequestProgress => ({phase: 'send', bytes, total: 100, done: bytes === 100});

function mainScreenOn(key: string): StoreState {
  const state = new StoreState(initialChatState('127.0.0.1:1', 'alice'));
  state.set({screen: 'main', tab: 'inbox', selected: {inbox: key, groups: undefined, realms: undefined}});
  return state;
}

describe('progressStatus', () => {
  it('changes the status line at most every MIN_INTERVAL_MS, and only when its text changes', () => {
    const state = mainScreenOn('bob');
    let clock = 1000;
    const shown: string[] = [];
    state.subscribe(() => shown.push(state.current.status!.text));
    const listener = progressStatus(state, 'bob', () => clock, (progress) => `${progress.bytes} %`);
    listener(at(10));
    clock += MIN_INTERVAL_MS - 1;
    listener(at(20));
    clock += 1;
    listener(at(30));
    clock += 5 * MIN_INTERVAL_MS;
    listener(at(30)); // the same text: no render
    listener(at(40));
    clock += 1;
    listener(at(50));
    clock += MIN_INTERVAL_MS;
    listener(at(60));
    expect(shown).toEqual(['10 %', '30 %', '40 %', '60 %']);
    expect(state.current.status).toEqual({text: '60 %', tone: 'info', about: 'bob'});
  });

  it('says nothing while another conversation is on screen, or when there is nothing to say', () => {
    const state = mainScreenOn('carol');
    let clock = 0;
    const listener = progressStatus(state, 'bob', () => (clock += 1000), (progress) => (progress.bytes > 50 ? 'late' : undefined));
    listener(at(60));
    expect(state.current.status).toBeUndefined();
    state.set({selected: {inbox: 'bob', groups: undefined, realms: undefined}});
    listener(at(10));
    expect(state.current.status).toBeUndefined();
    listener(at(70));
    expect(state.current.status?.text).toBe('late');
  });
});
