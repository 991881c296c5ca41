/**
 * A conversation's messages as screen lines: a day separator when the date changes, a `── new ──` line where the
 * unread part starts, then per message `HH:MM sender text` (group messages that name us marked as mentions, file
 * messages marked as files, a search result marked as found), wrapped to the pane's width with continuation lines
 * indented under the text. Pure.
 */
import {sanitize} from '../../shared/text.js';
import {isOwnMessage} from '../store/conversations.js';
import {mentions} from '../store/mentions.js';
import type {DisplayMessage} from '../store/types.js';
import {textWidth, truncate, wrapText} from './wrap.js';

/** One screen line of the history pane. */
export interface HistoryLine {
  /** Stable React key. */
  readonly key: string;
  /** `marker`: the `── new ──` line before the first unread message. */
  readonly kind: 'day' | 'marker' | 'first' | 'more';
  /** `HH:MM` on a message's first line. */
  readonly time?: string;
  /** The sender on a message's first line. */
  readonly sender?: string;
  readonly own?: boolean;
  /** Spaces before the text on continuation lines. */
  readonly indent?: number;
  readonly text: string;
  readonly pending?: boolean;
  readonly failed?: boolean;
  /** A group message that names us (highlighted). */
  readonly mention?: boolean;
  /** A file message (`[file] NAME (SIZE)`): its id for getfile (shown in its own colour; /save fetches it). */
  readonly fileId?: number;
  /** The message a search result jumped to (highlighted). */
  readonly found?: boolean;
}

/** The key of the `── new ──` line. */
export const MARKER_KEY = 'marker';

/** The key of the first line of message `id`. */
export const messageLineKey = (id: number) => `m${id}-0`;

export interface HistoryLineOptions {
  readonly width: number;
  readonly me: string | undefined;
  readonly realm: string | undefined;
  /** `24h` (09:41, the default) or `12h` (9:41a). */
  readonly timeFormat?: '24h' | '12h';
  /** The read marker the conversation had when it came on screen: `── new ──` goes before the first message after it. */
  readonly markerAfter?: number | undefined;
  /** The message a search result jumped to. */
  readonly found?: number | undefined;
}

/** A message's time: `09:41`, or `9:41p` in 12-hour form (5 columns either way). */
export function clockTime(date: Date, format: '24h' | '12h' = '24h'): string {
  if (format === '24h') return `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  const hours = date.getHours() % 12 === 0 ? 12 : date.getHours() % 12;
  return `${hours}:${pad2(date.getMinutes())}${date.getHours() < 12 ? 'a' : 'p'}`;
}

/** Longest sender shown before truncation, in columns. */
const SENDER_MAX = 16;

const pad2 = (value: number) => String(value).padStart(2, '0');

function dayOf(date: Date): string {
  return `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
}

export function historyLines(messages: readonly DisplayMessage[], options: HistoryLineOptions): HistoryLine[] {
  const lines: HistoryLine[] = [];
  let lastDay: string | undefined;
  let markerPending = options.markerAfter !== undefined;
  for (const message of messages) {
    if (markerPending && message.id > options.markerAfter!) {
      lines.push({key: MARKER_KEY, kind: 'marker', text: 'new'});
      markerPending = false;
    }
    const date = new Date(message.ts);
    const valid = !Number.isNaN(date.getTime());
    const day = valid ? dayOf(date) : undefined;
    if (day !== undefined && day !== lastDay) {
      lines.push({key: `day-${day}-${message.id}`, kind: 'day', text: day});
      lastDay = day;
    }
    const time = valid ? clockTime(date, options.timeFormat) : '--:--';
    const own = isOwnMessage(message, options.me, options.realm);
    // The daemon marks what names us (`mention`); the client's reading covers a daemon that does not.
    const mention = !own && message.group !== undefined && (message.mention === true || mentions(message.text, options.me));
    const sender = truncate(sanitize(message.from), SENDER_MAX);
    const suffix = message.failed ? ' (not sent)' : message.pending ? ' …' : '';
    const indent = time.length + 1 + textWidth(sender) + 1;
    const textWidthAvailable = options.width - indent;
    const text = sanitize(message.text) + suffix;
    // On a very narrow pane the text goes under the header instead of beside it.
    const narrow = textWidthAvailable < 12;
    const wrapped = wrapText(text, narrow ? options.width - 2 : textWidthAvailable);
    const flags = {...(message.pending ? {pending: true} : {}), ...(message.failed ? {failed: true} : {}), ...(mention ? {mention: true} : {}),
      ...(message.file ? {fileId: message.file.id} : {}), ...(message.id === options.found ? {found: true} : {})};
    const key = `m${message.id}`;
    if (narrow) {
      lines.push({key: `${key}-0`, kind: 'first', time, sender, own, text: '', ...flags});
      wrapped.forEach((line, i) => lines.push({key: `${key}-${i + 1}`, kind: 'more', indent: 2, text: line, ...flags}));
    } else {
      wrapped.forEach((line, i) => lines.push(i === 0
        ? {key: `${key}-0`, kind: 'first', time, sender, own, text: line, ...flags}
        : {key: `${key}-${i}`, kind: 'more', indent, text: line, ...flags}));
    }
  }
  return lines;
}
