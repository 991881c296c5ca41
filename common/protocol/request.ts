/**
 * Request parsing: one decoded line in, a checked request out. Pure functions, no I/O.
 *
 * Parsing happens in two steps so the router can keep the protocol's order of checks: `splitRequest` finds the
 * command and an inline session token; after the session is checked, `parseParams` checks arity and formats.
 */
import {findCommand, type CommandSpec, type ParamKind, type ParamSpec} from './commands.js';
import type {ErrorCode} from './replies.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME = /^[A-Za-z0-9_.-]{1,32}$/;

/** Longest full name and country accepted by register, in characters. */
export const MAX_PROFILE_FIELD = 100;
/** Longest password accepted, in characters. */
export const MAX_PASSWORD = 256;

/** True for the shape of a session token (`crypto.randomUUID()`). */
export function isTokenShaped(word: string): boolean {
  return UUID.test(word);
}

/** True for a valid username, group or realm name. */
export function isValidName(word: string): boolean {
  return NAME.test(word) && !UUID.test(word);
}

interface Word {
  readonly text: string;
  /** Offset just past the word in the line. */
  readonly end: number;
}

/** A request line split into its command, inline token and parameter words. */
export interface SplitRequest {
  /** The command word, lower-cased. */
  readonly verb: string;
  /** The command, or undefined when unknown. */
  readonly spec: CommandSpec | undefined;
  /** A session token given inline as the second word. */
  readonly token: string | undefined;
  /** @internal the parameter words with their positions */
  readonly words: readonly Word[];
  /** @internal the whole line */
  readonly line: string;
}

/** Splits a line; returns undefined for a blank line (which gets no reply). */
export function splitRequest(line: string): SplitRequest | undefined {
  const first = nextWord(line, 0);
  if (!first) return undefined;
  const verb = first.text.toLowerCase();
  const spec = findCommand(verb);
  // Only the words the checks need are split off: the token, the fixed parameters, and one more (a text's first
  // word, or the excess word that makes a request malformed). A message text stays one slice of the line.
  // (A file's content, the last word, is found from the end of the line: it may be megabytes long.)
  const wanted = spec && spec.rest !== 'nameAndCountry' ? spec.params.length + (spec.session ? 2 : 1) : Infinity;
  const words: Word[] = [];
  // A file command's words are looked for in its head only: the content word may be megabytes long.
  const scanEnd = spec?.rest === 'file' ? Math.min(line.length, FILE_LINE_HEAD) : line.length;
  for (let word = nextWord(line, first.end, scanEnd); word && words.length < wanted; word = nextWord(line, word.end, scanEnd)) {
    words.push(word);
  }
  let token: string | undefined;
  if (spec?.session && words[0] && isTokenShaped(words[0].text)) token = words.shift()!.text;
  return {verb, spec, token, words, line};
}

const SPACE = 0x20;
const TAB = 0x09;

/** Where the words of a file command are looked for (its token, parameters and the path's start). */
const FILE_LINE_HEAD = 64 * 1024;

/** The next word (a run of characters other than space and tab) at or after `from` and before `to`, or undefined. */
function nextWord(line: string, from: number, to = line.length): Word | undefined {
  let start = from;
  while (start < to && (line.charCodeAt(start) === SPACE || line.charCodeAt(start) === TAB)) start++;
  if (start >= to) return undefined;
  let end = start + 1;
  while (end < to && line.charCodeAt(end) !== SPACE && line.charCodeAt(end) !== TAB) end++;
  return {text: line.slice(start, end), end};
}

/** A group-realm target. */
export type Recipients = {kind: 'group'; name: string} | {kind: 'users'; names: string[]};

/** A conversation target of history. */
export interface Conversation {
  kind: 'user' | 'group';
  name: string;
  /** The realm, when given as `@realm`. */
  realm?: string;
}

/** search's scope: one conversation, or `*` for all of the caller's. */
export type SearchScope = Conversation | '*';

/** A parameter's value after checking (`terms`: the search words, lower-cased, in order). */
export type ParamValue = string | number | Recipients | Conversation | readonly string[];

/** A request whose parameters passed every check. */
export interface ParsedRequest {
  readonly spec: CommandSpec;
  /** Fixed parameters by name; optional ones that were not given are absent. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** The message text (rest: text). */
  readonly text?: string;
  /** register's full name (underscores read as spaces) and country. */
  readonly fullName?: string;
  readonly country?: string;
  /** A file command's path as the sender gave it, and its content word (base64, maybe wrapped in `b'…'`). */
  readonly filePath?: string;
  readonly fileContent?: string;
}

/** The result of parseParams. */
export type ParamsResult = {ok: true; request: ParsedRequest} | {ok: false; code: ErrorCode};

/** Checks the parameters of a split request against its command. */
export function parseParams(split: SplitRequest & {spec: CommandSpec}): ParamsResult {
  const {spec, words} = split;
  const required = spec.params.filter((param) => !param.optional).length;
  const restWords = spec.rest === 'text' || spec.rest === 'file' ? 1 : spec.rest === 'nameAndCountry' ? 2 : 0;
  if (words.length < required + restWords) return {ok: false, code: 'MISSING_PARAMETER'};
  const fixedCount = spec.rest ? spec.params.length : Math.min(words.length, spec.params.length);
  if (!spec.rest && words.length > spec.params.length) return {ok: false, code: 'BAD_PARAMETER'};
  // Words split on spaces and tabs only, so a "word" of other white space (\f, U+3000…) trims to no text at all:
  // the text is missing, which is answered before any malformed parameter.
  const text = spec.rest === 'text' ? split.line.slice(words[fixedCount - 1]?.end ?? 0).trim() : undefined;
  if (text === '') return {ok: false, code: 'MISSING_PARAMETER'};

  const params: Record<string, ParamValue> = {};
  for (let i = 0; i < fixedCount; i++) {
    const param = spec.params[i]!;
    const value = parseValue(param.kind, words[i]!.text);
    if (value === undefined) return {ok: false, code: 'BAD_PARAMETER'};
    params[param.name] = value;
  }
  // An optional group must be complete (addrealm's host and port come together).
  if (spec.name === 'addrealm' && (params.host === undefined) !== (params.port === undefined)) {
    return {ok: false, code: 'MISSING_PARAMETER'};
  }

  if (text !== undefined) return {ok: true, request: {spec, params, text}};
  if (spec.rest === 'file') {
    // The content is the last word; the path is everything between the fixed parameters and it.
    const line = split.line.trimEnd();
    const contentStart = Math.max(line.lastIndexOf(' '), line.lastIndexOf('\t')) + 1;
    // A path word, then the content word: one word alone is a path without content.
    if (contentStart <= words[fixedCount]!.end) return {ok: false, code: 'MISSING_PARAMETER'};
    const filePath = line.slice(words[fixedCount - 1]!.end, contentStart).trim();
    return {ok: true, request: {spec, params, filePath, fileContent: line.slice(contentStart)}};
  }
  if (spec.rest === 'nameAndCountry') {
    const rest = words.slice(fixedCount);
    const country = rest.pop()!.text;
    const fullName = rest.map((word) => word.text).join(' ').replace(/_/g, ' ').replace(/ +/g, ' ').trim();
    if (!fullName || fullName.length > MAX_PROFILE_FIELD || country.length > MAX_PROFILE_FIELD) {
      return {ok: false, code: 'BAD_PARAMETER'};
    }
    if (String(params.password).length > MAX_PASSWORD) return {ok: false, code: 'BAD_PARAMETER'};
    return {ok: true, request: {spec, params, fullName, country: country.replace(/_/g, ' ')}};
  }
  return {ok: true, request: {spec, params}};
}

function parseValue(kind: ParamKind, word: string): ParamValue | undefined {
  switch (kind) {
    case 'name':
      return isValidName(word) ? word : undefined;
    case 'word':
      return word.length <= MAX_PASSWORD ? word : undefined;
    case 'port': {
      const port = parseCount(word);
      return port !== undefined && port >= 1 && port <= 65535 ? port : undefined;
    }
    case 'count':
      return parseCount(word);
    case 'group': {
      const name = word.startsWith('group:') ? word.slice(6) : word;
      return isValidName(name) ? name : undefined;
    }
    case 'recipients': {
      if (word.startsWith('group:')) {
        const name = word.slice(6);
        return isValidName(name) ? {kind: 'group', name} : undefined;
      }
      if (word.includes(',')) {
        // Names are case-insensitive: keep each user once, in its first spelling.
        const byKey = new Map<string, string>();
        for (const name of word.split(',')) if (name !== '' && !byKey.has(name.toLowerCase())) byKey.set(name.toLowerCase(), name);
        const names = [...byKey.values()];
        return names.length > 0 && names.every(isValidName) ? {kind: 'users', names} : undefined;
      }
      return isValidName(word) ? {kind: 'group', name: word} : undefined;
    }
    case 'scope':
      return word === '*' ? '*' : parseValue('conversation', word);
    case 'terms':
      return word.length <= MAX_TERMS ? searchWordsOf(word) : undefined;
    case 'conversation': {
      const isGroup = word.startsWith('group:');
      const [name = '', realm, extra] = (isGroup ? word.slice(6) : word).split('@');
      if (extra !== undefined || !isValidName(name) || (realm !== undefined && !isValidName(realm))) return undefined;
      return realm === undefined ? {kind: isGroup ? 'group' : 'user', name} : {kind: isGroup ? 'group' : 'user', name, realm};
    }
  }
}

/** Longest search text accepted, in characters. */
const MAX_TERMS = 256;

/**
 * The words of a search text: split on `+` and on anything that is not a letter or a digit (the way the daemon's
 * full-text index cuts message text into words), lower-cased; undefined when no word remains.
 */
export function searchWordsOf(text: string): string[] | undefined {
  const words = text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
  return words.length > 0 ? words : undefined;
}

function parseCount(word: string): number | undefined {
  if (!/^\d{1,9}$/.test(word)) return undefined;
  return Number(word);
}

/** Raised by buildRequest for arguments that do not fit the command. */
export class RequestUsageError extends Error {
  override name = 'RequestUsageError';
}

/**
 * Builds the wire line of a command (with CRLF) from its arguments: the fixed parameters, then the message text or
 * register's name and country. Checks the arguments with the same rules the daemon applies.
 */
export function buildRequest(command: string, args: readonly (string | number)[], options: {token?: string} = {}): string {
  const spec = findCommand(command);
  if (!spec) throw new RequestUsageError(`unknown command: ${command}`);
  const words = args.map(String).map((arg) => arg.trim()).filter((arg) => arg !== '');
  if (words.some((word) => /[\r\n]/.test(word))) throw new RequestUsageError('arguments may not contain line breaks');
  // The line is split on spaces again by the daemon, so a fixed parameter with a space would shift the others.
  spec.params.forEach((param, index) => {
    if (words[index] !== undefined && /\s/.test(words[index])) {
      throw new RequestUsageError(`${param.name} must be one word; usage: ${spec.usage}`);
    }
  });
  const line = [spec.name, ...(spec.session && options.token ? [options.token] : []), ...words].join(' ');
  const split = splitRequest(line)!;
  const checked = parseParams({...split, spec});
  if (!checked.ok) throw new RequestUsageError(`${problemOf(spec, words, checked.code)}; usage: ${spec.usage}`);
  return line + '\r\n';
}

/** What each kind of parameter allows, in words (for usage errors). */
const ALLOWED: Record<ParamKind, string> = {
  name: 'a name: 1 to 32 letters, digits, _ - or .',
  word: 'one word',
  port: 'a port number, 1 to 65535',
  count: 'a whole number',
  group: 'a group name (devs, #devs or group:devs)',
  recipients: 'a group (devs, #devs) or users u1,u2',
  conversation: 'a user (bob), a group (#devs, group:devs), with @realm for another realm',
  scope: 'a conversation (bob, #devs, carol@beta) or * for all',
  terms: 'words joined with + (hello+world), at most 256 characters',
};

/** Names the parameter that does not fit, and what it allows: `bad group: "x y" is not …`, `missing message`. */
function problemOf(spec: CommandSpec, words: readonly string[], code: ErrorCode): string {
  if (code === 'MISSING_PARAMETER') {
    const missing = spec.params.find((param, index) => !param.optional && words[index] === undefined);
    const rest = spec.rest === 'text' ? 'message' : 'full name and country';
    return `missing parameter: ${missing?.name ?? rest}`;
  }
  for (const [index, param] of spec.params.entries()) {
    const word = words[index];
    if (word !== undefined && parseValue(param.kind, word) === undefined) {
      return `bad parameter ${param.name}: "${word}" is not ${ALLOWED[param.kind]}`;
    }
  }
  if (!spec.rest && words.length > spec.params.length) return `bad parameter: too many words (${spec.name} takes ${spec.params.length})`;
  return spec.rest === 'nameAndCountry' ? 'bad parameter: the full name and the country are at most 100 characters, the password at most 256'
    : 'bad parameter';
}

/** The parameter specs of a command, for help and completion. */
export function paramsOf(command: string): readonly ParamSpec[] {
  return findCommand(command)?.params ?? [];
}
