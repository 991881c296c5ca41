/**
 * The realm link wire format: bytes in, typed frames out, and back. Pure: no sockets, timers or logging.
 *
 * A frame is one line: a verb, one space, a compact JSON object, LF. JSON.stringify never emits a raw LF, so the
 * line framing is unambiguous; the frames are framed by the same LineFramer as client requests, so a frame split
 * anywhere (even inside a multi-byte character) decodes the same. The first frame of a link, `realmlink …`, is
 * also what lets the daemon tell a link from a client on its one port (docs/FEDERATION.md).
 */
import {LineFramer} from '../../common/protocol/line-framer.js';
import {isValidName} from '../../common/protocol/request.js';

/** The verb of the first line of a link; a connection starting with it is handed to the federation module. */
export const LINK_HELLO_VERB = 'realmlink';
/** The link protocol version this code speaks (3: files, `chunk` frames). A peer of another version is refused. */
export const LINK_VERSION = 3;
/** File bytes per `chunk` frame: 256 KiB, about 342 KiB of base64, well under the frame limit. */
export const FILE_CHUNK_BYTES = 256 * 1024;
/** Largest frame accepted, in bytes. A message text is at most one client line (64 KiB), JSON-escaped. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** The initiator's first frame: who it is, whom it wants, and its fresh nonce. */
export interface HelloFrame {
  type: 'hello';
  v: number;
  /** The initiator's realm. */
  realm: string;
  /** The realm the initiator expects to reach. */
  to: string;
  /** 32 hex digits (16 random bytes). */
  nonce: string;
  /** The initiator's public realm key (43 base64url characters, see identity.ts). */
  key: string;
  /** The initiator asks for TLS: the responder answers `starttls` and both start TLS before the challenge. */
  tls: boolean;
  /** The initiator's client port (for display on the other side; never dialled). 0 when unknown. */
  port: number;
}

/** The responder's answer to a hello that asked for TLS (plain text; TLS starts right after it). */
export interface StartTlsFrame {
  type: 'starttls';
}

/** The responder's answer to hello: its name, its nonce and its public key. Nothing secret-derived. */
export interface ChallengeFrame {
  type: 'challenge';
  realm: string;
  nonce: string;
  key: string;
}

/** The initiator's signature of the handshake transcript (see handshake.ts); it proves first. */
export interface ResponseFrame {
  type: 'response';
  sig: string;
}

/** The responder accepted the initiator, with its own signature of the transcript: the link is up. */
export interface ReadyFrame {
  type: 'ready';
  sig: string;
}

/** The handshake failed; the sender closes right after. */
export interface RefuseFrame {
  type: 'refuse';
  reason: string;
}

/** The file of a file message: the name kept of the sender's path, its size and its content's SHA-256 (hex). */
export interface LinkFile {
  name: string;
  size: number;
  sha256: string;
}

/** Who a message is for, on the receiving realm. */
export type MessageTarget = {to: string} | {group: string} | {users: string[]};

/** The content of a cross-realm message, as stored in the sender's outbox (everything but the link sequence). */
export type MessageBody = {
  /** Unique id of the message (a UUID); the receiver deduplicates by it. */
  id: string;
  /** The realm the message comes from; must be the link's authenticated peer. */
  origin: string;
  /** The sending user on the origin realm. */
  from: string;
  text: string;
  /** When the origin realm accepted it, ms since the epoch. */
  ts: number;
  /** A file message's file: its content follows the `msg` frame in `chunk` frames (`text` is `[file] NAME (SIZE)`). */
  file?: LinkFile;
} & MessageTarget;

/** One cross-realm message on the link. */
export type MsgFrame = {type: 'msg'; seq: number} & MessageBody;

/** The receiver handled every message up to `upto`; `refused` lists those it refused, with the reply code. */
export interface AckFrame {
  type: 'ack';
  upto: number;
  refused?: Array<[seq: number, code: string]>;
}

/**
 * A piece of the file of message `seq`, right after its `msg` frame: `data` is base64, at most FILE_CHUNK_BYTES
 * bytes; the chunks of a file come in order and add up to its size. `lost`: the sender no longer has the content.
 */
export interface ChunkFrame {
  type: 'chunk';
  seq: number;
  data: string;
  lost?: boolean;
}

export interface PingFrame {
  type: 'ping';
}

export interface PongFrame {
  type: 'pong';
}

/** Every frame of the link protocol. */
export type LinkFrame =
  | HelloFrame | StartTlsFrame | ChallengeFrame | ResponseFrame | ReadyFrame | RefuseFrame | MsgFrame | ChunkFrame | AckFrame
  | PingFrame | PongFrame;

/** Why a line is not a frame. */
export type FrameErrorCode =
  | 'LINE_TOO_LONG' | 'INVALID_UTF8'
  /** Not `verb {json}` or the JSON does not parse. */
  | 'MALFORMED'
  /** A verb this version does not know (a newer peer may send it). */
  | 'UNKNOWN_VERB'
  /** A known verb whose fields are missing or of the wrong type. */
  | 'BAD_FIELDS';

/** What the decoder yields for each line. */
export type DecodedFrame = {ok: true; frame: LinkFrame} | {ok: false; code: FrameErrorCode; verb?: string};

const VERB_OF: Record<LinkFrame['type'], string> = {
  hello: LINK_HELLO_VERB, starttls: 'starttls', challenge: 'challenge', response: 'response', ready: 'ready', refuse: 'refuse',
  msg: 'msg', chunk: 'chunk', ack: 'ack', ping: 'ping', pong: 'pong',
};

/** Encodes one frame as its line (LF included). */
export function encodeFrame(frame: LinkFrame): string {
  const {type, ...fields} = frame;
  return `${VERB_OF[type]} ${JSON.stringify(fields)}\n`;
}

/** Encodes a message body once, for the outbox; `encodeMessageFrame` then only prepends the sequence number. */
export function encodeMessageBody(body: MessageBody): string {
  return JSON.stringify(body);
}

/** The `msg` line for a stored body (the hot path: no re-serialisation of the body). */
export function encodeMessageFrame(seq: number, bodyJson: string): string {
  return `msg {"seq":${seq},${bodyJson.slice(1)}\n`;
}

/** The `chunk` line of bytes of message `seq`'s file. */
export function encodeChunkFrame(seq: number, data: Buffer): string {
  return `chunk {"seq":${seq},"data":"${data.toString('base64')}"}\n`;
}

/** Turns the link's byte stream into frames. Keeps the tail of an incomplete line between pushes. */
export class LinkDecoder {
  readonly #framer: LineFramer;

  constructor(options: {maxFrameBytes?: number} = {}) {
    this.#framer = new LineFramer({maxLineBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES});
  }

  /** Feeds bytes; returns every frame (or framing error) they complete, in order. */
  push(chunk: Uint8Array): DecodedFrame[] {
    const out: DecodedFrame[] = [];
    for (const line of this.#framer.push(chunk)) {
      // This framer has no long-line verbs, so no FILE_TOO_LARGE; the type says it could.
      out.push(line.kind === 'error' ? {ok: false, code: line.code === 'FILE_TOO_LARGE' ? 'LINE_TOO_LONG' : line.code} : decodeLine(line.text));
    }
    return out;
  }

  /** Bytes held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.#framer.bufferedBytes;
  }
}

/** Decodes one line (without its line ending) into a frame. */
export function decodeLine(line: string): DecodedFrame {
  const space = line.indexOf(' ');
  if (space <= 0) return {ok: false, code: 'MALFORMED'};
  const verb = line.slice(0, space);
  let fields: unknown;
  try {
    fields = JSON.parse(line.slice(space + 1));
  } catch {
    return {ok: false, code: 'MALFORMED', verb};
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) return {ok: false, code: 'MALFORMED', verb};
  // Own keys only: a verb such as `constructor` or `hasOwnProperty` must not find an Object.prototype member.
  const check = Object.hasOwn(CHECKS, verb) ? CHECKS[verb] : undefined;
  if (!check) return {ok: false, code: 'UNKNOWN_VERB', verb};
  const frame = check(fields as Record<string, unknown>);
  return frame ? {ok: true, frame} : {ok: false, code: 'BAD_FIELDS', verb};
}

const isName = (value: unknown): value is string => typeof value === 'string' && isValidName(value);
const isHex = (value: unknown, length: number): value is string =>
  typeof value === 'string' && value.length === length && /^[0-9a-f]+$/.test(value);
const isKey = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
const isSig = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9_-]{86}$/.test(value);
const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isShortText = (value: unknown): value is string => typeof value === 'string' && value.length <= 200;

/** Field checks per verb: a frame object when the fields fit, else undefined. Extra fields are ignored. */
const CHECKS: Record<string, (f: Record<string, unknown>) => LinkFrame | undefined> = {
  [LINK_HELLO_VERB]: (f) =>
    Number.isSafeInteger(f.v) && isName(f.realm) && isName(f.to) && isHex(f.nonce, 32) && isKey(f.key) &&
    (f.tls === undefined || typeof f.tls === 'boolean') &&
    Number.isSafeInteger(f.port) && (f.port as number) >= 0 && (f.port as number) <= 65535
      ? {type: 'hello', v: f.v as number, realm: f.realm, to: f.to, nonce: f.nonce, key: f.key, tls: f.tls === true, port: f.port as number}
      : undefined,
  starttls: () => ({type: 'starttls'}),
  challenge: (f) =>
    isName(f.realm) && isHex(f.nonce, 32) && isKey(f.key)
      ? {type: 'challenge', realm: f.realm, nonce: f.nonce, key: f.key} : undefined,
  response: (f) => (isSig(f.sig) ? {type: 'response', sig: f.sig} : undefined),
  ready: (f) => (isSig(f.sig) ? {type: 'ready', sig: f.sig} : undefined),
  refuse: (f) => (isShortText(f.reason) ? {type: 'refuse', reason: f.reason} : undefined),
  msg: checkMsg,
  chunk: (f) => {
    if (!isSeq(f.seq) || typeof f.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(f.data)) return undefined;
    return f.lost === true ? {type: 'chunk', seq: f.seq, data: f.data, lost: true} : {type: 'chunk', seq: f.seq, data: f.data};
  },
  ack: (f) => {
    if (!isSeq(f.upto)) return undefined;
    if (f.refused === undefined) return {type: 'ack', upto: f.upto};
    if (!Array.isArray(f.refused)) return undefined;
    const refused: Array<[number, string]> = [];
    for (const item of f.refused as unknown[]) {
      if (!Array.isArray(item) || item.length !== 2 || !isSeq(item[0]) || !isShortText(item[1])) return undefined;
      refused.push([item[0], item[1]]);
    }
    return {type: 'ack', upto: f.upto, refused};
  },
  ping: () => ({type: 'ping'}),
  pong: () => ({type: 'pong'}),
};

/**
 * A `msg` frame needs a sequence number and an id to be answered at all; everything else is checked too, but a
 * message with a usable seq/id and bad content is still a frame (the receiver refuses it with a verdict, so one
 * bad message cannot block the link). Such a frame comes back with `text` etc. as found; see `isWellFormedMessage`.
 */
function checkMsg(f: Record<string, unknown>): MsgFrame | undefined {
  if (!isSeq(f.seq) || typeof f.id !== 'string' || f.id.length === 0 || f.id.length > 100) return undefined;
  // Anything but a string reads as '' (an invalid name, refused with a verdict). Never String(value): the peer's
  // JSON may be an object with its own `toString`, which makes the conversion throw.
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const base = {
    type: 'msg' as const, seq: f.seq, id: f.id,
    origin: text(f.origin), from: text(f.from),
    text: text(f.text), ts: Number.isSafeInteger(f.ts) ? (f.ts as number) : -1,
    ...(f.file !== undefined ? {file: checkFile(f.file)} : {}),
  };
  if (typeof f.to === 'string') return {...base, to: f.to};
  if (typeof f.group === 'string') return {...base, group: f.group};
  if (Array.isArray(f.users)) return {...base, users: (f.users as unknown[]).map(text)};
  return {...base, to: ''};
}

/**
 * A message's file as found; a malformed one reads as size -1 (refused with a verdict, like other bad content),
 * so the receiver still knows the message has a file, and expects no chunks for it.
 */
function checkFile(value: unknown): LinkFile {
  const file = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const ok = typeof file.name === 'string' && file.name.length <= 1024 && Number.isSafeInteger(file.size) &&
    (file.size as number) >= 0 && isHex(file.sha256, 64);
  return ok ? {name: file.name as string, size: file.size as number, sha256: file.sha256 as string} : {name: '', size: -1, sha256: ''};
}

/** The largest time a JavaScript Date holds (ms since the epoch); a later `ts` could never be shown to a reader. */
const MAX_DATE_MS = 8.64e15;

/** True when a message frame's content is acceptable: valid names, a non-empty text, a timestamp, one target. */
export function isWellFormedMessage(frame: MsgFrame): boolean {
  if (!isName(frame.origin) || !isName(frame.from) || frame.text.trim() === '') return false;
  if (frame.ts < 0 || frame.ts > MAX_DATE_MS) return false;
  if (frame.file !== undefined && frame.file.size < 0) return false;
  if ('to' in frame) return isName(frame.to);
  if ('group' in frame) return isName(frame.group);
  return frame.users.length > 0 && frame.users.length <= 1000 && frame.users.every(isName);
}
