import {describe, expect, it} from 'vitest';
import {NO_KEY, splitKeys, type PasteState} from '../../tui/app/input/key-chunks.js';

const keys = (input: string, paste: PasteState = {active: false}) => splitKeys(input, NO_KEY, paste);

describe('splitting a read into keys', () => {
  it('passes single keys and plain text on as they are', () => {
    expect(keys('a')).toEqual([['a', NO_KEY]]);
    expect(keys('hello')).toEqual([['hello', NO_KEY]]);
    const enter = {...NO_KEY, return: true};
    expect(splitKeys('\r', enter, {active: false})).toEqual([['\r', enter]]);
  });

  it('cuts keys typed faster than they are read into the keys Ink reports one by one', () => {
    expect(keys('pw\r')).toEqual([['pw', NO_KEY], ['\r', {...NO_KEY, return: true}]]);
    expect(keys('dave\twrong\r')).toEqual([
      ['dave', NO_KEY], ['', {...NO_KEY, tab: true}], ['wrong', NO_KEY], ['\r', {...NO_KEY, return: true}],
    ]);
    expect(keys('ab\u007f\u007fc')).toEqual([['ab', NO_KEY], ['', {...NO_KEY, delete: true}], ['', {...NO_KEY, delete: true}], ['c', NO_KEY]]);
    expect(keys('x\u0015y\u0003')).toEqual([['x', NO_KEY], ['u', {...NO_KEY, ctrl: true}], ['y', NO_KEY], ['c', {...NO_KEY, ctrl: true}]]);
  });

  it('keeps a bracketed paste as one piece of text, line breaks and all, and drops its markers', () => {
    const paste: PasteState = {active: false};
    expect(keys('[200~', paste)).toEqual([]);
    expect(paste.active).toBe(true);
    expect(keys('two\rlines\r', paste)).toEqual([['two\rlines\r', NO_KEY]]);
    expect(splitKeys('\r', {...NO_KEY, return: true}, paste)).toEqual([]);
    expect(keys('[201~', paste)).toEqual([]);
    expect(paste.active).toBe(false);
    expect(keys('ok\r', paste)).toHaveLength(2);
  });
});
