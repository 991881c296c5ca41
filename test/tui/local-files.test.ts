/** tui/shared/files.ts: reading a file to send (bounded), `~`, folder listing, free names. */
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {expandHome, freePath, listDirectory, readFileToSend} from '../../tui/shared/files.js';

describe('local files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'realmchat-local-'));
  });
  afterEach(() => rmSync(dir, {recursive: true, force: true}));

  it('reads a file to send, or says why not; a file over the bound is not read', () => {
    writeFileSync(join(dir, 'a.txt'), '0123456789');
    const read = readFileToSend(join(dir, 'a.txt'), 10);
    expect(read.ok && read.name === 'a.txt' && read.content.toString()).toBe('0123456789');
    expect(readFileToSend(join(dir, 'a.txt'), 9)).toEqual({ok: false, reason: 'a.txt is 10 B: more than the 9 B a file may have here'});
    expect(readFileToSend(join(dir, 'none'))).toEqual({ok: false, reason: `cannot read ${join(dir, 'none')}: no such file`});
    expect(readFileToSend(dir)).toEqual({ok: false, reason: `${dir} is not a file`});
  });

  it('expands ~, lists a folder (a link to a folder counts as one), finds a free name', () => {
    expect(expandHome('~', '/h')).toBe('/h');
    expect(expandHome('~/x/y', '/h')).toBe('/h/x/y');
    expect(expandHome('a/~/b', '/h')).toBe('a/~/b');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'f.txt'), '');
    symlinkSync(join(dir, 'sub'), join(dir, 'link'));
    expect(listDirectory(dir).sort((a, b) => a.name.localeCompare(b.name)))
      .toEqual([{name: 'f.txt', directory: false}, {name: 'link', directory: true}, {name: 'sub', directory: true}]);
    expect(listDirectory(join(dir, 'missing'))).toEqual([]);
    expect(freePath(dir, 'f.txt')).toBe(join(dir, 'f (1).txt'));
    expect(freePath(dir, 'new.txt')).toBe(join(dir, 'new.txt'));
  });
});
