/**
 * Runs one protocol command for the shell (one-shot and repl alike): sends it on a connected ChatClient, keeps the
 * stored session in step with the reply, prints the result, and maps the outcome to an exit code.
 */
import type {ChatClient, RequestOptions} from '../../common/client/chat-client.js';
import {buildRequestLine} from '../../common/client/request-line.js';
import {formatServerAddress, type ServerAddress} from '../../common/client/address.js';
import {ConnectionError, RequestTimeoutError} from '../../common/client/errors.js';
import {findCommand} from '../../common/protocol/commands.js';
import {errorCodeOf, type Reply} from '../../common/protocol/replies.js';
import {loginOf} from '../../common/protocol/reply-shapes.js';
import {RequestUsageError} from '../../common/protocol/request.js';
import type {SessionConfig} from '../shared/config.js';
import {EXIT, type ExitCode} from './exit-codes.js';
import {explainRefusal} from '../shared/refusals.js';
import {sanitize} from '../shared/text.js';
import {formatOk} from './format.js';
import {findHelpTopic} from './help.js';
import type {Style} from './style.js';

/** Somewhere to print: a stream or a test's collector. */
export interface Output {
  write(text: string): unknown;
}

/** What running a command needs. */
export interface ShellContext {
  readonly client: ChatClient;
  readonly config: SessionConfig;
  readonly server: ServerAddress;
  readonly stdout: Output;
  readonly stderr: Output;
  readonly style: Style;
  /** Print the daemon's reply as JSON instead of text. */
  readonly json: boolean;
  readonly now: () => Date;
}

/** Writes lines, each ended by a newline. */
export function writeLines(output: Output, lines: readonly string[]): void {
  if (lines.length > 0) output.write(lines.join('\n') + '\n');
}

/**
 * The arguments as the protocol wants them. register's country is the last word of the request, so spaces in it
 * (`"New Zealand"` typed as one shell argument) become `_`, which the daemon reads back as spaces.
 */
export function requestArgs(command: string, args: readonly string[]): string[] {
  if (command !== 'register' || args.length < 4) return [...args];
  return [...args.slice(0, -1), args.at(-1)!.trim().replace(/\s+/g, '_')];
}

/** Checks a command's arguments without a daemon; the usage error text, or undefined when they fit. */
export function usageProblem(command: string, args: readonly string[]): string | undefined {
  try {
    buildRequestLine(command, requestArgs(command, args));
    return undefined;
  } catch (error) {
    if (error instanceof RequestUsageError) return usageText(command, error);
    throw error;
  }
}

/** Host names that do not resolve. */
const DNS_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']);
/** Addresses the network cannot reach. */
const UNROUTABLE_CODES: ReadonlySet<string> = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** How to start a daemon on `port`: `npm start` serves 8889; another port needs the option. */
export function startCommand(port: number): string {
  return port === 8889 ? 'npm start (or realmchatd)' : `npm start -- --port ${port}, or realmchatd --port ${port}`;
}

function usageText(command: string, error: RequestUsageError): string {
  const spec = findHelpTopic(command);
  const reason = error.message.replace(/; usage: .*$/, '');
  return spec
    ? `realmchat ${spec.name}: ${reason}\nusage:   realmchat ${spec.usage}\nexample: realmchat ${spec.example}\n`
    : `realmchat: ${reason}\n`;
}

/** Plain words for "the daemon is not there", with the hint that fits the failure (issue 12, point 5). */
export function unreachableText(error: ConnectionError | RequestTimeoutError, server: ServerAddress): string {
  const address = formatServerAddress(server);
  const start = `Is realmchatd running there? Start it with: ${startCommand(server.port)}\n` +
    'Or pick another daemon with --server HOST:PORT.\n';
  if (error instanceof ConnectionError && error.failure === 'connect' && DNS_CODES.has(error.code ?? '')) {
    return `realmchat: cannot reach realmchatd at ${address}: the host name "${server.host}" does not resolve (${error.code}).\n` +
      'Check the host in --server HOST:PORT (or use an IP address such as 127.0.0.1).\n';
  }
  if (error instanceof ConnectionError && error.failure === 'connect' && UNROUTABLE_CODES.has(error.code ?? '')) {
    return `realmchat: cannot reach realmchatd at ${address}: ${error.reason}.\nCheck the host in --server HOST:PORT and the network.\n`;
  }
  if (error instanceof ConnectionError && error.failure === 'connect-timeout') {
    return `realmchat: cannot reach realmchatd at ${address}: no answer to the connection attempt.\n` +
      'Something between here and there drops the connection (a firewall?), or the host is wrong: check --server HOST:PORT.\n';
  }
  if (error instanceof RequestTimeoutError) {
    return `realmchat: realmchatd at ${address} did not answer "${error.command}" within ${Math.round(error.timeoutMs / 1000)} s.\n`;
  }
  switch (error.failure) {
    case 'lost':
      return `realmchat: lost the connection to realmchatd at ${address} before it answered.\n${start}`;
    case 'connect':
      return `realmchat: cannot reach realmchatd at ${address}: ${error.reason}.\n${start}`;
    default:
      return `realmchat: ${error.message}.\n`;
  }
}

/** How executeCommand sends its request. */
export interface ShellRequestOptions extends RequestOptions {
  /** Called when the request has its reply (or failed), before anything is printed. */
  readonly onSettled?: () => void;
}

/**
 * Sends one request, or the several a whole answer takes: a bare `groups` lists every group and a search fills its
 * page (the daemon answers a search that reads far back in parts), the client following the daemon's pages.
 */
function sendFollowingPages(client: ChatClient, command: string, sent: readonly (string | number)[], options: RequestOptions): Promise<Reply> {
  const name = command.toLowerCase();
  if (name === 'groups' && sent.length === 0) return client.groups();
  if (name === 'search' && sent.length <= 3) {
    const [words, conversation, limit] = sent;
    return client.searchThrough(String(words), {
      ...(conversation === undefined ? {} : {conversation: String(conversation)}), ...(limit === undefined ? {} : {limit: Number(limit)}),
    });
  }
  return client.request(command, sent, options);
}

/**
 * Sends `command` with `args` and prints the outcome; resolves with the exit code (and leaves the reply in `out`).
 * `request`: a file transfer's progress listener, and what to do once the reply is in, before anything is printed
 * (erase the progress line).
 */
export async function executeCommand(
  context: ShellContext, command: string, args: readonly string[], out: {reply?: Reply} = {}, request: ShellRequestOptions = {},
): Promise<ExitCode> {
  const {client, stdout, stderr} = context;
  const sent = requestArgs(command, args);
  const {onSettled, ...options} = request;
  let reply: Reply;
  try {
    reply = await sendFollowingPages(client, command, sent, options).finally(() => onSettled?.());
  } catch (error) {
    if (error instanceof RequestUsageError) {
      stderr.write(usageText(command, error));
      return EXIT.USAGE;
    }
    if (error instanceof ConnectionError || error instanceof RequestTimeoutError) {
      stderr.write(unreachableText(error, context.server));
      return EXIT.UNREACHABLE;
    }
    throw error;
  }
  out.reply = reply;
  const name = findCommand(command)!.name;
  if (reply.status === 'OK') {
    rememberSession(context, name, sent, reply);
    if (context.json) writeLines(stdout, [JSON.stringify(reply)]);
    else writeLines(stdout, formatOk(name, sent, reply, {
      me: client.username ?? context.config.username,
      server: formatServerAddress(context.server),
      style: context.style,
      now: context.now(),
    }));
    return EXIT.OK;
  }
  if (context.json) writeLines(stdout, [JSON.stringify(reply)]);
  const code = errorCodeOf(reply);
  if (name === 'logout' && code === 'NO_SESSION') {
    // A second logout: the session is over either way, which is what was asked (issue 12, point 5).
    context.config.clearToken();
    if (!context.json) writeLines(stdout, [`Not logged in on ${formatServerAddress(context.server)}: nothing to log out.`]);
    return EXIT.OK;
  }
  writeLines(stderr, [context.style.red(sanitize(explainRefusal(reply, 'shell'))), ...errorHints(context, name, reply)]);
  // The daemon's own arity and format checks are usage errors too.
  return code === 'MISSING_PARAMETER' || code === 'BAD_PARAMETER' || code === 'UNKNOWN_COMMAND' ? EXIT.USAGE : EXIT.DAEMON_ERROR;
}

/** Keeps config.json in step: a login stores the session, a logout (or a session the daemon no longer knows) clears it. */
function rememberSession(context: ShellContext, command: string, args: readonly string[], reply: Reply): void {
  const login = command === 'auth' || command === 'register' ? loginOf(reply) : undefined;
  if (login) {
    context.config.saveSession({
      server: context.server,
      username: login.username ?? args[0]!,
      token: login.token,
      ...(login.realm === undefined ? {} : {realm: login.realm}),
    });
  } else if (command === 'logout') {
    context.config.clearToken();
  }
}

function errorHints(context: ShellContext, command: string, reply: Reply): string[] {
  const {style} = context;
  switch (errorCodeOf(reply)) {
    case 'NO_SESSION': {
      const hadToken = context.config.token !== undefined;
      context.config.clearToken();
      return [style.dim(hadToken
        ? `Your stored session on ${formatServerAddress(context.server)} has ended. Log in again: realmchat auth <username> <password>`
        : `Not logged in on ${formatServerAddress(context.server)}. Log in: realmchat auth <username> <password> (or register)`)];
    }
    case 'MISSING_PARAMETER':
    case 'BAD_PARAMETER': {
      const spec = findHelpTopic(command);
      return spec ? [style.dim(`usage: realmchat ${spec.usage}`)] : [];
    }
    default:
      return [];
  }
}
