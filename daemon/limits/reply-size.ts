/**
 * The largest reply one request may legitimately get, derived from the options that bound it. The per-connection
 * and daemon-wide reply caps never count less than this for the reply being written: otherwise a file the daemon
 * accepted (up to `maxFileBytes`) could never be received (issue 10).
 */
import {base64Length} from '../../common/protocol/files.js';

/** The options a reply's size follows from (documented in DaemonOptions, daemon/context.ts). */
export interface ReplySizeOptions {
  maxFileBytes: number;
  maxLineBytes: number;
  inboxMaxBytes: number;
  inboxMaxMessages: number;
  historyMaxBytes: number;
  historyMaxLimit: number;
}

/** A text byte is at most six reply bytes: replies are ASCII JSON, a control character becomes `\u00XX`. */
const ESCAPE_FACTOR = 6;

/** A message's fields besides its text and file content (id, addresses, time, an escaped 255-character file name). */
const MESSAGE_FIELDS_BYTES = 2 * 1024;

/** Room for the reply's own fields (status, message, more, file name and addresses of getfile). */
const REPLY_FIELDS_BYTES = 4 * 1024;

/**
 * Bytes of the largest reply: a page (inbox, getrealminbox, history) holds either messages whose text and files
 * stay within its byte limit, or one message past it (its text is at most a request line, plus one file); getfile
 * carries one file. Every text byte counted as escaped, every message with its fields.
 */
export function largestReplyBytes(options: ReplySizeOptions): number {
  const pageText = Math.max(options.inboxMaxBytes, options.historyMaxBytes, options.maxLineBytes);
  const messages = Math.max(options.inboxMaxMessages, options.historyMaxLimit);
  return base64Length(options.maxFileBytes) + ESCAPE_FACTOR * pageText + messages * MESSAGE_FIELDS_BYTES + REPLY_FIELDS_BYTES;
}

/**
 * Bytes of the largest reply carrying one file: getfile, or a page holding one message past its byte limit (its
 * text at most a request line). The daemon-wide budget never goes below it: one client receiving the largest file
 * the daemon accepts is not cut, however small the budget.
 */
export function largestFileReplyBytes(options: Pick<ReplySizeOptions, 'maxFileBytes' | 'maxLineBytes'>): number {
  return base64Length(options.maxFileBytes) + ESCAPE_FACTOR * options.maxLineBytes + MESSAGE_FIELDS_BYTES + REPLY_FIELDS_BYTES;
}

/**
 * Reply bytes a connection may have queued before it is cut: `maxQueuedBytes` of backlog plus one whole reply. A
 * connection stops answering once its unwritten replies and its socket's queue pass `maxQueuedBytes`, so a client
 * that reads never gets past it; only a reply larger than the largest legitimate one could.
 */
export function connectionReplyCap(options: ReplySizeOptions & {maxQueuedBytes: number}): number {
  return options.maxQueuedBytes + largestReplyBytes(options);
}
