/**
 * The command table: every command of the protocol as data. The daemon's router checks requests against it and the
 * client library builds requests from it, so command names, arity and parameter rules have one source of truth.
 */

/** How one parameter word is checked and converted. */
export type ParamKind =
  /** A username, group or realm name: letters, digits, `_`, `-`, `.`, 1..32 characters, never UUID-shaped. */
  | 'name'
  /** Any word (a password, a host). */
  | 'word'
  /** A TCP port, 1..65535. */
  | 'port'
  /** A non-negative whole number (seconds, a limit, a message id). */
  | 'count'
  /** A group: `NAME` or the course clients' `group:NAME`. */
  | 'group'
  /** A group-realm target: `NAME`, `group:NAME`, or a comma list of usernames `u1,u2`. */
  | 'recipients'
  /** A conversation: `user`, `group:NAME`, `user@realm`, `group:NAME@realm`. */
  | 'conversation'
  /** A conversation, or `*` for all of the caller's conversations (search). */
  | 'scope'
  /** Search words joined with `+` (`hello+world`): at least one word of letters or digits, at most 256 characters. */
  | 'terms';

/** One fixed parameter of a command. */
export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  /** Optional parameters may only follow required ones. */
  readonly optional?: boolean;
}

/** What comes after the fixed parameters. */
export type RestKind =
  /** Message text: the rest of the line, trimmed, inner spaces kept; required. */
  | 'text'
  /** register's `nama… negara`: one or more name words (`_` read as a space), then the country. */
  | 'nameAndCountry'
  /**
   * A file: the sender's path (one or more words: a path may hold spaces), then the content as one word, base64,
   * bare or as the course clients' Python bytes `b'…'`. Lines of these commands may be far longer than others.
   */
  | 'file';

/** One command of the protocol. */
export interface CommandSpec {
  readonly name: string;
  /** Needs a session (an inline token as the second word, or the connection's). */
  readonly session: boolean;
  readonly params: readonly ParamSpec[];
  readonly rest?: RestKind;
  /** One line for help texts. */
  readonly summary: string;
  /** The syntax a user types (no token). */
  readonly usage: string;
  /** A typed example. */
  readonly example: string;
  /** True for commands realmchat added beyond the seed spec. */
  readonly extension?: boolean;
}

const p = (name: string, kind: ParamKind, optional = false): ParamSpec => ({name, kind, optional});

/** Every command, in the order of the spec, then realmchat's additions. */
export const COMMANDS: readonly CommandSpec[] = [
  {name: 'auth', session: false, params: [p('username', 'name'), p('password', 'word')],
    summary: 'log in', usage: 'auth <username> <password>', example: 'auth messi surabaya'},
  {name: 'register', session: false, params: [p('username', 'name'), p('password', 'word')], rest: 'nameAndCountry',
    summary: 'create an account and log in', usage: 'register <username> <password> <full_name> <country>',
    example: 'register alice s3cret Alice_Liddell indonesia'},
  {name: 'addgroup', session: true, params: [p('group', 'name')],
    summary: 'create a group (you become a member)', usage: 'addgroup <group>', example: 'addgroup informatika21'},
  {name: 'joingroup', session: true, params: [p('group', 'name')],
    summary: 'join a group', usage: 'joingroup <group>', example: 'joingroup informatika21'},
  {name: 'send', session: true, params: [p('username', 'name')], rest: 'text',
    summary: 'send a private message', usage: 'send <username> <message>', example: 'send henderson hello world'},
  {name: 'sendgroup', session: true, params: [p('group', 'group')], rest: 'text',
    summary: 'send a message to a group you belong to', usage: 'sendgroup <group> <message>',
    example: 'sendgroup informatika21 hai semua'},
  {name: 'inbox', session: true, params: [p('wait_seconds', 'count', true)],
    summary: 'read and mark read your unread messages (optionally wait for the first one)', usage: 'inbox [wait_seconds]',
    example: 'inbox'},
  {name: 'logout', session: true, params: [],
    summary: 'end the session', usage: 'logout', example: 'logout'},
  {name: 'info', session: true, params: [p('username', 'name', true)],
    summary: 'show a user (yourself without a name)', usage: 'info [username]', example: 'info henderson'},
  {name: 'addrealm', session: true, params: [p('realm', 'name'), p('host', 'word', true), p('port', 'port', true)],
    summary: 'link another realm', usage: 'addrealm <realm> [<host> <port>]', example: 'addrealm beta 127.0.0.1 8890'},
  {name: 'sendprivaterealm', session: true, params: [p('realm', 'name'), p('username', 'name')], rest: 'text',
    summary: 'send a private message to a user of a realm', usage: 'sendprivaterealm <realm> <username> <message>',
    example: 'sendprivaterealm beta carol halo realm'},
  {name: 'sendgrouprealm', session: true, params: [p('realm', 'name'), p('group', 'recipients')], rest: 'text',
    summary: 'send a message to a group (or users u1,u2) of a realm', usage: 'sendgrouprealm <realm> <group> <message>',
    example: 'sendgrouprealm beta ops halo grup'},
  {name: 'getrealminbox', session: true, params: [p('realm', 'name')],
    summary: 'read your unread messages from a realm', usage: 'getrealminbox <realm>', example: 'getrealminbox beta'},
  {name: 'groups', session: true, params: [p('limit', 'count', true), p('after', 'name', true)], extension: true,
    summary: 'list groups by name with their member count and whether you are a member (a page; `more` when others follow)',
    usage: 'groups [limit] [after]', example: 'groups 100'},
  {name: 'history', session: true, extension: true,
    params: [p('conversation', 'conversation'), p('limit', 'count', true), p('before_id', 'count', true)],
    summary: 'a conversation in both directions, newest page first (marks nothing read)',
    usage: 'history <user|group:NAME>[@realm] [limit] [before_id]', example: 'history henderson 50'},
  {name: 'conversations', session: true, extension: true,
    params: [p('limit', 'count', true), p('before', 'count', true)],
    summary: 'your conversations, newest first, with the last message, unread and mention counts and your read marker',
    usage: 'conversations [limit] [before]', example: 'conversations 50'},
  {name: 'seen', session: true, extension: true,
    params: [p('conversation', 'conversation'), p('message_id', 'count')],
    summary: 'move your read marker of a conversation forward (never back)',
    usage: 'seen <user|group:NAME>[@realm] <message_id>', example: 'seen henderson 42'},
  {name: 'search', session: true, extension: true,
    params: [p('text', 'terms'), p('conversation', 'scope', true), p('limit', 'count', true), p('before', 'count', true)],
    summary: 'search your messages (words joined with +; the last one also as a prefix), best match first',
    usage: 'search <word[+word…]> [conversation|*] [limit] [before]', example: 'search hello+world * 20'},
  {name: 'realms', session: true, params: [], extension: true,
    summary: 'list linked realms with link state and queued messages', usage: 'realms', example: 'realms'},
  {name: 'removerealm', session: true, params: [p('realm', 'name')], extension: true,
    summary: 'unlink a realm (admins only; its queued messages are kept)', usage: 'removerealm <realm>',
    example: 'removerealm beta'},
  // Verbs of other course groups' clients (their Flet app lists contacts and groups with them).
  {name: 'getusers', session: true, params: [p('limit', 'count', true), p('after', 'name', true)],
    summary: 'list the users of this realm by name (a page; `more` when others follow)', usage: 'getusers [limit] [after]',
    example: 'getusers'},
  {name: 'getgroups', session: true, params: [p('limit', 'count', true), p('after', 'name', true)],
    summary: 'list groups by name with their members (a page; `more` when others follow)', usage: 'getgroups [limit] [after]',
    example: 'getgroups'},
  {name: 'privateinbox', session: true, params: [p('username', 'name')],
    summary: 'read and mark read your unread messages from one user', usage: 'privateinbox <username>',
    example: 'privateinbox henderson'},
  // Files, as the course's own clients send them.
  {name: 'sendfile', session: true, params: [p('username', 'name')], rest: 'file',
    summary: 'send a file to a user (content in base64)', usage: 'sendfile <username> <filepath> <base64>',
    example: 'sendfile henderson notes.txt aGFsbwo='},
  {name: 'sendgroupfile', session: true, params: [p('group', 'group')], rest: 'file',
    summary: 'send a file to a group you belong to (content in base64)', usage: 'sendgroupfile <group> <filepath> <base64>',
    example: 'sendgroupfile informatika21 notes.txt aGFsbwo='},
  {name: 'getfile', session: true, params: [p('file_id', 'count')], extension: true,
    summary: 'fetch a file you sent or received (its file_id from inbox or history)', usage: 'getfile <file_id>',
    example: 'getfile 42'},
];

/** The commands whose request line carries a file, and may be as long as the file limit allows. */
export const FILE_COMMANDS: ReadonlySet<string> = new Set(COMMANDS.filter((spec) => spec.rest === 'file').map((spec) => spec.name));

/** Looks a command up by name, case-insensitively. */
export function findCommand(name: string): CommandSpec | undefined {
  return COMMAND_INDEX.get(name.toLowerCase());
}

const COMMAND_INDEX = new Map(COMMANDS.map((spec) => [spec.name, spec]));
