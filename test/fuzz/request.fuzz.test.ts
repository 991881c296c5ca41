/** Property-based tests of the request parser: it never throws, and what the client builds, the daemon reads back. */
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {COMMANDS, findCommand} from '../../common/protocol/commands.js';
import {buildRequest, isValidName, parseParams, splitRequest, type ParsedRequest} from '../../common/protocol/request.js';
import {ERRORS} from '../../common/protocol/replies.js';
import {FUZZ_TIMEOUT_MS, fuzzParameters, requestLine} from './fuzz-config.js';

const UTF8 = new TextDecoder('utf-8', {fatal: false});
const lineText = fc.oneof(fc.string({unit: 'grapheme', maxLength: 80}), requestLine.map((bytes) => UTF8.decode(bytes)));

const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,32}$/).filter(isValidName);

describe('request parser (property-based)', () => {
  it('splits and checks any line without throwing: blank lines have no request, others a known code or a request', () => {
    fc.assert(fc.property(lineText, (line) => {
      const split = splitRequest(line);
      if (/^[ \t]*$/.test(line)) {
        expect(split).toBeUndefined();
        return;
      }
      expect(split).toBeDefined();
      expect(split!.spec).toBe(findCommand(split!.verb));
      if (!split!.spec) return;
      const checked = parseParams({...split!, spec: split!.spec});
      if (!checked.ok) {
        expect(Object.keys(ERRORS)).toContain(checked.code);
        return;
      }
      for (const param of split!.spec.params) {
        const value = checked.request.params[param.name];
        if (value === undefined) expect(param.optional).toBe(true);
        if (param.kind === 'name' && value !== undefined) expect(isValidName(value as string)).toBe(true);
        if (param.kind === 'port' && value !== undefined) expect(value).toBeGreaterThanOrEqual(1);
      }
      if (checked.request.text !== undefined) {
        expect(checked.request.text).not.toBe('');
        expect(checked.request.text).toBe(checked.request.text.trim());
      }
    }), fuzzParameters(1000));
  }, FUZZ_TIMEOUT_MS);

  it('reads back the names and text of every request buildRequest makes', () => {
    const nameOnly = COMMANDS.filter((spec) => spec.params.every((param) => param.kind === 'name') && !spec.rest);
    const request = fc.tuple(fc.constantFrom(...nameOnly), fc.array(name, {maxLength: 3}), fc.option(fc.uuid(), {nil: undefined}))
      .map(([spec, names, token]) => ({spec, names: names.slice(0, spec.params.length), token}));
    fc.assert(fc.property(request, ({spec, names, token}) => {
      const required = spec.params.filter((param) => !param.optional).length;
      fc.pre(names.length >= required);
      const line = buildRequest(spec.name, names, {token}).replace(/\r\n$/, '');
      const split = splitRequest(line)!;
      expect(split.token).toBe(spec.session ? token : undefined);
      const checked = parseParams({...split, spec: split.spec!});
      expect(checked.ok).toBe(true);
      const params = (checked as {request: ParsedRequest}).request.params;
      expect(spec.params.slice(0, names.length).map((param) => params[param.name])).toEqual(names);
    }), fuzzParameters(500));

    const text = fc.string({unit: 'grapheme', minLength: 1, maxLength: 60}).filter((value) => value.trim() !== '' && !/[\r\n]/.test(value));
    fc.assert(fc.property(name, text, (user, message) => {
      const split = splitRequest(buildRequest('send', [user, message]).replace(/\r\n$/, ''))!;
      const checked = parseParams({...split, spec: split.spec!});
      expect(checked).toMatchObject({ok: true, request: {params: {username: user}, text: message.trim()}});
    }), fuzzParameters(500));
  }, FUZZ_TIMEOUT_MS);
});
