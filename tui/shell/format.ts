/** Output for people: message lines, small tables and one-line confirmations. Pure functions of a reply. */
import {formatFileSize} from '../../common/protocol/files.js';
import {conversationsOf, groupsOf, hasMore, messagesOf, realmsOf, searchResultsOf, UNREAD_CAP, userOf, type ChatMessage, type ConversationSummary} from '../../common/protocol/reply-shapes.js';
import {searchWordsOf} from '../../common/protocol/request.js';
import {highlightWords} from '../shared/search-highlight.js';
import type {Reply} from '../../common/protocol/replies.js';
import {sanitize} from '../shared/text.js';
import {stripStyle, type Style} from './style.js';

/** What formatting needs besides the reply. */
export interface FormatContext {
  /** The logged-in username: shown as "you". */
  me: string | undefined;
  /** The daemon, `host:port`, for confirmations. */
  server: string;
  style: Style;
  /** Today, to decide whether a time needs its date. */
  now: Date;
}

const pad2 = (value: number) => String(value).padStart(2, '0');

/** `09:41` for today (local time), `2025-01-31 09:41` for other days, `--:--` for a missing time. */
export function formatTime(ts: string, now: Date): string {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return '--:--';
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}`;
  const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  return sameDay ? time : `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())} ${time}`;
}

const isMe = (name: string, me: string | undefined) => me !== undefined && name.toLowerCase() === me.toLowerCase();

/** Where a message went: `you`, a user (`bob`, `carol@beta`) or a group (`#devs`, `#ops@beta`). */
function targetOf(message: ChatMessage, me: string | undefined): string {
  if (message.group !== undefined) {
    // In a history the group address is in msg_to (with @realm for a remote group); in an inbox msg_to is the reader.
    const to = message.to;
    const groupAddress = to.toLowerCase() === message.group.toLowerCase() || to.toLowerCase().startsWith(`${message.group.toLowerCase()}@`);
    return `#${groupAddress ? to : message.group}`;
  }
  return isMe(message.to, me) ? 'you' : message.to;
}

/** `[09:41] alice → you: hello`, `[09:42] bob → #devs: hi all`, `[09:43] carol@beta → you: halo`. */
export function formatMessage(message: ChatMessage, context: FormatContext): string {
  const {style, me} = context;
  const from = isMe(message.from, me) ? 'you' : message.from;
  const to = targetOf(message, me);
  const styledTo = to.startsWith('#') ? style.magenta(sanitize(to)) : style.bold(sanitize(to));
  return `${style.dim(`[${formatTime(message.ts, context.now)}]`)} ${style.cyan(style.bold(sanitize(from)))} → ${styledTo}: ${sanitize(message.text)}`;
}

/** Aligned columns with a dimmed header row. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], style: Style): string[] {
  const widths = headers.map((header, column) =>
    Math.max(stripStyle(header).length, ...rows.map((row) => stripStyle(row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - stripStyle(cell).length))).join('  ').trimEnd();
  return [style.dim(line(headers)), ...rows.map(line)];
}

/** `key  value` lines for a record. */
function formatFields(fields: readonly (readonly [string, string])[], style: Style): string[] {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${style.dim(key.padEnd(width))}  ${value}`);
}

const groupLabel = (word: string | undefined) => `#${(word ?? '').replace(/^(group:|#)/, '')}`;

/** Lines for an OK reply of `command` (sent with `args`). */
export function formatOk(command: string, args: readonly string[], reply: Reply, context: FormatContext): string[] {
  const {style, server} = context;
  const realmNote = typeof reply.realm === 'string' ? ` (realm ${reply.realm})` : '';
  switch (command) {
    case 'auth':
      return [`Logged in as ${style.bold(String(reply.username ?? args[0]))} on ${server}${realmNote}.`];
    case 'register':
      return [`Registered ${style.bold(String(reply.username ?? args[0]))} and logged in on ${server}${realmNote}.`];
    case 'logout':
      return ['Logged out.'];
    case 'addgroup':
      return [`Created group ${style.magenta(groupLabel(args[0]))}; you are its first member.`];
    case 'joingroup':
      return [`Joined group ${style.magenta(groupLabel(args[0]))}.`];
    case 'send':
      return [`Message sent to ${style.bold(args[0] ?? '?')}.`];
    case 'sendgroup':
      return [`Message sent to ${style.magenta(groupLabel(args[0]))}.`];
    case 'sendfile':
    case 'sendgroupfile': {
      const to = command === 'sendfile' ? style.bold(args[0] ?? '?') : style.magenta(groupLabel(args[0]));
      return [`Sent ${sanitize(String(reply.file_name ?? args[1]))} (${formatFileSize(Number(reply.file_size ?? 0))}) to ${to}.`];
    }
    case 'sendfilerealm':
    case 'sendgroupfilerealm': {
      const to = command === 'sendfilerealm' ? style.bold(`${args[1]}@${args[0]}`) : style.magenta(`${groupLabel(args[1])}@${args[0]}`);
      const file = `${sanitize(String(reply.file_name ?? args[2]))} (${formatFileSize(Number(reply.file_size ?? 0))})`;
      return [reply.queued === true
        ? `Queued ${file} for ${to}: realm ${args[0]} is not reachable now; it is delivered when the link is back.`
        : `Sent ${file} to ${to}.`];
    }
    case 'sendprivaterealm':
      return [realmSent(style.bold(`${args[1]}@${args[0]}`), args[0], reply)];
    case 'sendgrouprealm': {
      const target = args[1] ?? '';
      const label = target.includes(',') && !target.startsWith('group:') ? target.split(',').map((user) => `${user}@${args[0]}`).join(', ') : `${groupLabel(target)}@${args[0]}`;
      return [realmSent(style.magenta(label), args[0], reply)];
    }
    case 'addrealm':
      return [`Linked realm ${style.bold(args[0] ?? '?')}${args[1] ? ` at ${args[1]}:${args[2]}` : ''}.`];
    case 'inbox':
      return messageLines(reply, context, 'No new messages.', 'More unread messages are waiting: run "realmchat inbox" again.');
    case 'getrealminbox':
      return messageLines(reply, context, `No new messages from realm ${args[0]}.`,
        `More unread messages are waiting: run "realmchat getrealminbox ${args[0]}" again.`);
    case 'history': {
      const oldest = messagesOf(reply)[0];
      return messageLines(reply, context, `No messages with ${args[0]} yet.`,
        oldest ? `Older messages: realmchat history ${args[0]} ${args[1] ?? 50} ${oldest.id}` : undefined);
    }
    case 'info':
      return infoLines(reply, style);
    case 'conversations':
      return conversationLines(reply, args, context);
    case 'search':
      return searchLines(reply, args, context);
    case 'groups': {
      const groups = groupsOf(reply);
      if (groups.length === 0) return ['No groups yet. Create one: realmchat addgroup <group>'];
      const table = formatTable(['GROUP', 'MEMBERS', 'MEMBER'],
        groups.map((group) => [style.magenta(`#${sanitize(group.name)}`), String(group.members), group.member ? style.green('yes') : 'no']), style);
      const last = groups.at(-1)!.name;
      return hasMore(reply) ? [...table, `More groups: realmchat groups ${args[0] ?? 500} ${sanitize(last)}`] : table;
    }
    case 'realms': {
      const {realm, links} = realmsOf(reply);
      const header = realm === undefined ? [] : [`This realm: ${style.bold(sanitize(realm))}`];
      if (links.length === 0) return [...header, 'No linked realms. Link one: realmchat addrealm <realm> <host> <port>'];
      return [...header, ...formatTable(['REALM', 'ADDRESS', 'STATE', 'QUEUED'], links.map((link) => [
        style.bold(sanitize(link.name)), sanitize(`${link.host}:${link.port}`),
        link.state === 'ready' ? style.green(link.state) : style.yellow(sanitize(link.state)), String(link.queued),
      ]), style)];
    }
    default:
      return [sanitize(reply.message)];
  }
}

/** A realm send is either delivered or queued (`queued: true`) while the link to the realm is down. */
function realmSent(label: string, realm: string | undefined, reply: Reply): string {
  return reply.queued === true
    ? `Message queued for ${label}: realm ${realm} is not reachable now; it is delivered when the link is back.`
    : `Message sent to ${label}.`;
}

function messageLines(reply: Reply, context: FormatContext, empty: string, more: string | undefined): string[] {
  const messages = messagesOf(reply);
  const lines = messages.length === 0 ? [context.style.dim(empty)] : messages.map((message) => formatMessage(message, context));
  if (hasMore(reply) && more !== undefined) lines.push(context.style.dim(more));
  return lines;
}

function infoLines(reply: Reply, style: Style): string[] {
  const user = userOf(reply);
  if (!user) return [sanitize(reply.message)];
  const fields: [string, string][] = [
    ['username', style.bold(sanitize(user.username))],
    ['name', sanitize(user.fullName)],
    ['country', sanitize(user.country)],
  ];
  if (user.realm !== undefined) fields.push(['realm', sanitize(user.realm)]);
  fields.push(['groups', user.groups.length === 0 ? style.dim('none') : user.groups.map((group) => style.magenta(`#${sanitize(group)}`)).join(' ')]);
  if (user.createdAt !== undefined) fields.push(['joined', user.createdAt.slice(0, 10)]);
  return formatFields(fields, style);
}

/** `bob`, `#devs`, `carol@beta`, `#ops@beta` for a conversation name (`group:devs`, …). */
function conversationLabel(name: string, style: Style): string {
  return name.startsWith('group:') ? style.magenta(`#${sanitize(name.slice(6))}`) : style.bold(sanitize(name));
}

/** A count as the daemon bounds it: 999 reads "999+". */
const countText = (count: number) => (count >= UNREAD_CAP ? `${UNREAD_CAP}+` : String(count));

/** The conversations table: name, unread, mentions, the last message. */
function conversationLines(reply: Reply, args: readonly string[], context: FormatContext): string[] {
  const {style} = context;
  const list = conversationsOf(reply);
  if (list.length === 0) return [style.dim('No conversations yet. Start one: realmchat send <user> <message>')];
  const last = (entry: ConversationSummary) => {
    if (!entry.last) return style.dim('no messages yet');
    const from = isMe(entry.last.from, context.me) ? 'you' : entry.last.from;
    const text = sanitize(entry.last.text);
    return `${style.dim(formatTime(entry.last.ts, context.now))} ${sanitize(from)}: ${text.length > 60 ? `${text.slice(0, 59)}…` : text}`;
  };
  const table = formatTable(['CONVERSATION', 'UNREAD', 'MENTIONS', 'LAST MESSAGE'], list.map((entry) => [
    conversationLabel(entry.conversation, style),
    entry.unread > 0 ? style.yellow(countText(entry.unread)) : '0',
    entry.mentions > 0 ? style.magenta(`@${countText(entry.mentions)}`) : '0',
    last(entry),
  ]), style);
  const oldest = list.at(-1)?.last?.id;
  return hasMore(reply) && oldest !== undefined ? [...table, style.dim(`More conversations: realmchat conversations ${args[0] ?? 50} ${oldest}`)] : table;
}

/** Search results, best match first: a message line each, the searched words highlighted. */
function searchLines(reply: Reply, args: readonly string[], context: FormatContext): string[] {
  const {style} = context;
  const words = searchWordsOf(args[0] ?? '') ?? [];
  const hits = searchResultsOf(reply);
  if (hits.length === 0) return [style.dim(`No messages match ${words.join(' ')}.`)];
  const lines = hits.map((hit) => {
    const [head] = formatMessage({...hit, text: ''}, context).split(/: $/);
    const text = highlightWords(sanitize(hit.text), words).map((piece) => (piece.hit ? style.yellow(style.bold(piece.text)) : piece.text)).join('');
    return `${head}: ${text}`;
  });
  return hasMore(reply) ? [...lines, style.dim(`More results: realmchat search ${words.join(' ')} --limit 100 (or fewer, narrower words)`)] : lines;
}
