import {describe, expect, it} from 'vitest';
import {backoffDelay, buildRequestLine, formatServerAddress, parseServerAddress, RequestUsageError} from '../../common/client/index.js';

const TOKEN = '0b0f2a4e-8c1d-4e57-9a3b-6d2c1e0f9a8b';

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const exact = {initialDelayMs: 100, maxDelayMs: 1000, random: () => 0};
    expect([0, 1, 2, 3, 4, 5, 40].map((attempt) => backoffDelay(attempt, exact))).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it('draws the jitter from the lower part of the delay', () => {
    expect(backoffDelay(0, {initialDelayMs: 100, jitter: 0.5, random: () => 0.999})).toBe(50);
    expect(backoffDelay(0, {initialDelayMs: 100, jitter: 0, random: () => 0.999})).toBe(100);
  });
});

describe('buildRequestLine', () => {
  it('builds lines through the protocol table, with the token as the second word of session commands', () => {
    expect(buildRequestLine('send', ['bob', 'hello   world'], TOKEN)).toBe(`send ${TOKEN} bob hello   world\r\n`);
    expect(buildRequestLine('auth', ['alice', 'pw'], TOKEN)).toBe('auth alice pw\r\n');
    expect(buildRequestLine('inbox', [])).toBe('inbox\r\n');
  });

  it('never sends a value that is not token-shaped inline', () => {
    expect(buildRequestLine('info', [], 'not-a-token')).toBe('info\r\n');
  });

  it('refuses arguments the daemon would refuse', () => {
    expect(() => buildRequestLine('send', ['bob'])).toThrow(RequestUsageError);
    expect(() => buildRequestLine('addrealm', ['beta', '127.0.0.1'])).toThrow(/missing parameter/);
    expect(() => buildRequestLine('register', ['alice', 'a b', 'Alice', 'id'])).toThrow(/one word/);
    expect(() => buildRequestLine('send', ['bob', 'two\nlines'])).toThrow(/line breaks/);
  });
});

describe('server addresses', () => {
  it('parses and formats host:port', () => {
    expect(parseServerAddress('127.0.0.1:8889')).toEqual({host: '127.0.0.1', port: 8889});
    expect(parseServerAddress('[::1]:8890')).toEqual({host: '::1', port: 8890});
    expect(formatServerAddress({host: '::1', port: 8890})).toBe('[::1]:8890');
    for (const bad of ['127.0.0.1', 'host:0', 'host:70000', ':8889', 'a b:1']) expect(parseServerAddress(bad)).toBeUndefined();
  });
});
