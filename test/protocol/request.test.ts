import {describe, expect, it} from 'vitest';
import {COMMANDS} from '../../common/protocol/commands.js';
import {buildRequest, isValidName, parseParams, RequestUsageError, splitRequest, type ParamsResult} from '../../common/protocol/request.js';

const TOKEN = '3b193b5a-6b3c-4c57-9e29-e4c840d39408';

function parse(line: string): ParamsResult | 'unknown' | 'blank' {
  const split = splitRequest(line);
  if (!split) return 'blank';
  if (!split.spec) return 'unknown';
  return parseParams({...split, spec: split.spec});
}

function params(line: string) {
  const result = parse(line);
  if (typeof result === 'string' || !result.ok) throw new Error(`did not parse: ${line} → ${JSON.stringify(result)}`);
  return result.request;
}

describe('splitRequest', () => {
  it('ignores blank and space-only lines', () => {
    expect(splitRequest('')).toBeUndefined();
    expect(splitRequest('   \t ')).toBeUndefined();
  });

  it('takes the command case-insensitively and finds an inline token only for session commands', () => {
    expect(splitRequest(`SEND ${TOKEN} bob hi`)).toMatchObject({verb: 'send', token: TOKEN});
    expect(splitRequest(`auth ${TOKEN} x`)).toMatchObject({verb: 'auth', token: undefined});
    expect(splitRequest('frobnicate a b')).toMatchObject({verb: 'frobnicate', spec: undefined});
  });
});

describe('parseParams', () => {
  it('keeps the message text as the rest of the line, trimmed, inner spaces kept', () => {
    expect(params(`send ${TOKEN} henderson  hello   world \r`).text).toBe('hello   world');
    expect(params('send bob  a  b ')).toMatchObject({params: {username: 'bob'}, text: 'a  b'});
  });

  it('accepts the course group forms', () => {
    expect(params('sendgroup group:devs hi').params.group).toBe('devs');
    expect(params('sendgrouprealm beta group:ops hi').params.group).toEqual({kind: 'group', name: 'ops'});
    expect(params('sendgrouprealm beta ops hi').params.group).toEqual({kind: 'group', name: 'ops'});
    expect(params('sendgrouprealm beta u1,u2,u1 hi').params.group).toEqual({kind: 'users', names: ['u1', 'u2']});
    // Names are case-insensitive: U1 is u1 again (one message each, as the receiving realm delivers it).
    expect(params('sendgrouprealm beta u1,U2,U1,u2 hi').params.group).toEqual({kind: 'users', names: ['u1', 'U2']});
  });

  it('reads register names with underscores and multi-word names', () => {
    expect(params('register duevano akuganteng vano_orangganteng indonesia')).toMatchObject({
      fullName: 'vano orangganteng', country: 'indonesia'});
    expect(params('register ana pw Ana Maria Lopez spain')).toMatchObject({fullName: 'Ana Maria Lopez', country: 'spain'});
  });

  it('reads history targets', () => {
    expect(params('history bob 20 100').params).toEqual({conversation: {kind: 'user', name: 'bob'}, limit: 20, before_id: 100});
    expect(params('history group:devs@beta').params.conversation).toEqual({kind: 'group', name: 'devs', realm: 'beta'});
    expect(params('history carol@beta').params.conversation).toEqual({kind: 'user', name: 'carol', realm: 'beta'});
  });

  const refused: Array<[string, string]> = [
    ['auth', 'MISSING_PARAMETER'],
    ['auth messi', 'MISSING_PARAMETER'],
    ['register a b c', 'MISSING_PARAMETER'],
    ['send bob', 'MISSING_PARAMETER'],
    ['sendgroup devs', 'MISSING_PARAMETER'],
    ['addgroup', 'MISSING_PARAMETER'],
    ['addrealm beta 127.0.0.1', 'MISSING_PARAMETER'],
    ['sendprivaterealm beta carol', 'MISSING_PARAMETER'],
    // Words split on spaces and tabs only; a text of other white space trims to nothing and is missing too.
    ['send bob \f', 'MISSING_PARAMETER'],
    ['sendprivaterealm beta carol \u3000\u00a0', 'MISSING_PARAMETER'],
    ['auth bad/name pw', 'BAD_PARAMETER'],
    [`register ${TOKEN} pw a b`, 'BAD_PARAMETER'],
    [`auth ${'a'.repeat(33)} pw`, 'BAD_PARAMETER'],
    ['addgroup bad!group', 'BAD_PARAMETER'],
    ['inbox soon', 'BAD_PARAMETER'],
    ['addrealm beta 127.0.0.1 99999', 'BAD_PARAMETER'],
    ['logout now please', 'BAD_PARAMETER'],
    ['sendgrouprealm beta a,,b! hi', 'BAD_PARAMETER'],
    ['history a@b@c', 'BAD_PARAMETER'],
    // A count is digits only, and a port is 1 to 65535.
    ['inbox 5x', 'BAD_PARAMETER'],
    ['inbox -1', 'BAD_PARAMETER'],
    ['addrealm beta 127.0.0.1 0', 'BAD_PARAMETER'],
    ['addrealm beta 127.0.0.1 65536', 'BAD_PARAMETER'],
    // register's full name and country: present, at most MAX_PROFILE_FIELD (100) characters; the password at most 256.
    ['register ann pw _ indonesia', 'BAD_PARAMETER'],
    ['register ann pw _ _ indonesia', 'BAD_PARAMETER'],
    [`register ann pw ${'n'.repeat(101)} indonesia`, 'BAD_PARAMETER'],
    [`register ann pw Ann ${'c'.repeat(101)}`, 'BAD_PARAMETER'],
    [`register ann ${'p'.repeat(257)} Ann indonesia`, 'BAD_PARAMETER'],
    // A recipient list of empty names only, or with one bad name, is no list.
    ['sendgrouprealm beta ,, hi', 'BAD_PARAMETER'],
    ['sendgrouprealm beta a,b! hi', 'BAD_PARAMETER'],
    ['sendgrouprealm beta group:b! hi', 'BAD_PARAMETER'],
  ];
  for (const [line, code] of refused) {
    it(`refuses "${line}" with ${code}`, () => {
      expect(parse(line)).toEqual({ok: false, code});
    });
  }
});

describe('parseParams boundaries', () => {
  it('takes ports 1 and 65535, refuses 0 and 65536', () => {
    expect(params('addrealm beta 127.0.0.1 1').params).toEqual({realm: 'beta', host: '127.0.0.1', port: 1});
    expect(params('addrealm beta 127.0.0.1 65535').params.port).toBe(65535);
    expect(parse('addrealm beta 127.0.0.1 0')).toEqual({ok: false, code: 'BAD_PARAMETER'});
    expect(parse('addrealm beta 127.0.0.1 65536')).toEqual({ok: false, code: 'BAD_PARAMETER'});
  });

  it('reads counts as numbers, up to nine digits', () => {
    expect(params('inbox 5').params).toEqual({wait_seconds: 5});
    expect(params('inbox 000000007').params).toEqual({wait_seconds: 7});
    expect(params('inbox 999999999').params).toEqual({wait_seconds: 999999999});
    expect(parse('inbox 1234567890')).toEqual({ok: false, code: 'BAD_PARAMETER'});
    expect(parse('inbox 5x')).toEqual({ok: false, code: 'BAD_PARAMETER'});
    expect(parse('inbox x5')).toEqual({ok: false, code: 'BAD_PARAMETER'});
  });

  it('takes a full name and a country of exactly 100 characters, and a password of 256', () => {
    const name = 'n'.repeat(100);
    const country = 'c'.repeat(100);
    expect(params(`register ann pw ${name} ${country}`)).toMatchObject({fullName: name, country});
    expect(params(`register ann ${'p'.repeat(256)} Ann id`).params.password).toBe('p'.repeat(256));
    // Underscores and runs of spaces collapse before the length is counted.
    expect(params(`register ann pw ${'n_'.repeat(50)} id`).fullName).toBe(Array(50).fill('n').join(' '));
  });

  it('drops empty names and repeats (in any case) from a recipient list, keeping the first spelling', () => {
    expect(params('sendgrouprealm beta a,,b hi').params.group).toEqual({kind: 'users', names: ['a', 'b']});
    expect(params('sendgrouprealm beta ,a, hi').params.group).toEqual({kind: 'users', names: ['a']});
    expect(params('sendgrouprealm beta a,A hi').params.group).toEqual({kind: 'users', names: ['a']});
    expect(params('sendgrouprealm beta B,b,c hi').params.group).toEqual({kind: 'users', names: ['B', 'c']});
    expect(params('sendgrouprealm beta group:ops hi').params.group).toEqual({kind: 'group', name: 'ops'});
  });
});

describe('names', () => {
  it('allows letters, digits, _ - . up to 32 characters, never UUID-shaped', () => {
    expect(isValidName('a.b-c_D9')).toBe(true);
    expect(isValidName('a'.repeat(32))).toBe(true);
    expect(isValidName('a'.repeat(33))).toBe(false);
    expect(isValidName('héllo')).toBe(false);
    expect(isValidName(TOKEN)).toBe(false);
  });
});

describe('buildRequest', () => {
  it('builds the wire line with an inline token for session commands', () => {
    expect(buildRequest('send', ['bob', 'hello world'], {token: TOKEN})).toBe(`send ${TOKEN} bob hello world\r\n`);
    expect(buildRequest('auth', ['messi', 'surabaya'], {token: TOKEN})).toBe('auth messi surabaya\r\n');
  });

  it('round-trips through the parser for every command example', () => {
    for (const spec of COMMANDS) {
      const words = spec.example.split(' ');
      const line = buildRequest(words[0]!, words.slice(1));
      expect(parse(line.trimEnd()), spec.example).toMatchObject({ok: true});
    }
  });

  it('refuses what the daemon would refuse, and line breaks', () => {
    expect(() => buildRequest('send', ['bob'])).toThrow(RequestUsageError);
    expect(() => buildRequest('send', ['bob', 'a\r\nauth x y'])).toThrow(/line breaks/);
    expect(() => buildRequest('nope', [])).toThrow(/unknown command/);
    expect(() => buildRequest('auth', ['alice', 'two words'])).toThrow(/password must be one word/);
  });
});
