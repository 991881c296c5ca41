/**
 * npm run demo: federation in one command. Starts two realms of the built realmchatd on loopback (alpha on 8889,
 * beta on 8890, temp data folders, each with its own realm key pair, pinning the other's public key), links them, registers a few users, sends
 * private and group messages both ways, stops beta for a moment to show that nothing sent meanwhile is lost, prints
 * the transcript and stops both daemons.
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs';
import {connect, createServer, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {ReplyDecoder} from '../common/protocol/reply-codec.js';
import type {Reply} from '../common/protocol/replies.js';
import {loadOrCreateIdentity} from '../daemon/federation/identity.js';
import {REALMCHATD_BIN, startRealmchatd, type RealmchatdProcess} from './realmchatd-process.js';

const BIN = REALMCHATD_BIN;
const HOST = '127.0.0.1';
const PORTS = {alpha: 8889, beta: 8890} as const;
type RealmName = keyof typeof PORTS;

const dim = (text: string) => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

/** Resolves with an error message when `port` cannot be bound on loopback. */
function portProblem(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'EADDRINUSE' ? `port ${port} on ${HOST} is already in use` : `port ${port}: ${err.message}`));
    server.listen(port, HOST, () => server.close(() => resolve(undefined)));
  });
}

/** One realmchatd child process. */
class Realm {
  constructor(readonly name: RealmName, readonly data: string, readonly peer: RealmName, readonly peerKey: string) {}

  #process: RealmchatdProcess | undefined;

  /** Starts the daemon; resolves with its start-up line. */
  async start(): Promise<string> {
    this.#process = await startRealmchatd(['--realm', this.name, '--port', String(PORTS[this.name]), '--data', this.data,
      '--peer', `${this.peer}=${HOST}:${PORTS[this.peer]},${this.peerKey}`, '--log-level', 'warn']);
    return this.#process.line;
  }

  /** Stops it gracefully (SIGTERM) and waits for the exit. */
  async stop(): Promise<void> {
    const running = this.#process;
    this.#process = undefined;
    if (!running || running.child.exitCode !== null) return;
    running.child.kill('SIGTERM');
    await running.exited.catch(() => undefined);
  }
}

/** Opens a client connection to a realm. */
function open(realm: RealmName): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(PORTS[realm], HOST, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A logged-in user speaking the line protocol, printing each request and its reply. */
class User {
  #socket: Socket | undefined;
  #decoder = new ReplyDecoder();
  readonly #replies: Reply[] = [];
  readonly #waiters: Array<(reply: Reply) => void> = [];

  private constructor(readonly name: string, readonly realm: RealmName) {}

  static async register(name: string, realm: RealmName, fullName: string): Promise<User> {
    const user = new User(name, realm);
    await user.#connect();
    await user.run(`register ${name} demo-pass ${fullName} indonesia`, {quiet: true});
    return user;
  }

  /** Sends a line and waits for the reply; prints both unless quiet. */
  async run(line: string, options: {quiet?: boolean} = {}): Promise<Reply> {
    if (!options.quiet) console.log(`${bold(`${this.name}@${this.realm}`)}> ${line}`);
    this.#socket!.write(line + '\r\n');
    const reply = this.#replies.shift() ?? await new Promise<Reply>((resolve) => this.#waiters.push(resolve));
    if (!options.quiet) console.log(formatReply(reply));
    return reply;
  }

  /** Connects and logs in again (after a restart of its realm). */
  async reconnect(): Promise<void> {
    this.close();
    await this.#connect();
    await this.run(`auth ${this.name} demo-pass`, {quiet: true});
  }

  close(): void {
    this.#socket?.destroy();
  }

  async #connect(): Promise<void> {
    const socket = await open(this.realm);
    this.#socket = socket;
    this.#decoder = new ReplyDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const reply of this.#decoder.push(chunk)) {
        const waiter = this.#waiters.shift();
        if (waiter) waiter(reply);
        else this.#replies.push(reply);
      }
    });
  }
}

interface WireMessage {
  msg_from: string;
  msg_to: string;
  msg: string;
  group?: string;
}

function formatMessage(message: WireMessage): string {
  const to = message.group ? `group ${message.group}` : message.msg_to;
  return dim(`      ${message.msg_from} → ${to}: `) + message.msg;
}

/** A reply as a few readable lines. */
function formatReply(reply: Reply): string {
  const head = `   ${reply.status === 'OK' ? 'OK' : 'ERROR'}  ${reply.message}`;
  const extra: string[] = [];
  if (reply.queued) extra.push('(queued: the realm is down; delivered when it is back)');
  const lines = [head + (extra.length ? ` ${dim(extra.join(' '))}` : '')];
  const messages = reply.messages as WireMessage[] | Record<string, WireMessage[]> | undefined;
  if (messages) {
    const list = Array.isArray(messages) ? messages : Object.values(messages).flat();
    if (list.length === 0) lines.push(dim('      (no messages)'));
    for (const message of list) lines.push(formatMessage(message));
  }
  const realms = reply.realms as Array<{name: string; host: string; port: number; state: string; queued: number; direction?: string}> | undefined;
  if (realms) {
    for (const realm of realms) {
      lines.push(dim(`      ${realm.name} ${realm.host}:${realm.port} ${realm.state}, ${realm.queued} queued, ${realm.direction ?? ''}`));
    }
  }
  return lines.join('\n');
}

function section(title: string): void {
  console.log(`\n${bold(`── ${title} `.padEnd(72, '─'))}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms for up to `ms`. */
async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

async function main(): Promise<number> {
  if (!existsSync(BIN)) {
    console.error(`The daemon is not built (${BIN} is missing). Run: npm run build`);
    return 1;
  }
  const problems = (await Promise.all(Object.values(PORTS).map(portProblem))).filter((p) => p !== undefined);
  if (problems.length > 0) {
    console.error(`Cannot run the demo: ${problems.join('; ')}.`);
    console.error('The demo needs ports 8889 and 8890 on 127.0.0.1. Stop whatever uses them (another realmchatd?) and try again.');
    return 1;
  }

  const dir = mkdtempSync(join(tmpdir(), 'realmchat-demo-'));
  // Each realm's key pair, made in its data folder as realmchatd would on first start (`realmchatd key show`).
  const alphaKey = loadOrCreateIdentity(join(dir, 'alpha')).identity.publicKey;
  const betaKey = loadOrCreateIdentity(join(dir, 'beta')).identity.publicKey;
  const alpha = new Realm('alpha', join(dir, 'alpha'), 'beta', betaKey);
  const beta = new Realm('beta', join(dir, 'beta'), 'alpha', alphaKey);
  const users: User[] = [];
  try {
    section('Two realms on this machine, each with its own key pair, each pinning the other (--peer NAME=HOST:PORT,KEY)');
    console.log(dim(`   ${await alpha.start()}`));
    console.log(dim(`   ${await beta.start()}`));

    const alice = await User.register('alice', 'alpha', 'Alice');
    const andi = await User.register('andi', 'alpha', 'Andi');
    const bob = await User.register('bob', 'beta', 'Bob');
    const budi = await User.register('budi', 'beta', 'Budi');
    users.push(alice, andi, bob, budi);
    console.log(dim('   registered alice and andi on alpha, bob and budi on beta'));

    section('alpha links beta (the address comes from --peer beta=127.0.0.1:8890)');
    await alice.run('addrealm beta');
    await alice.run('realms');
    console.log(dim('   beta lists the link too, although nobody ran addrealm there:'));
    await bob.run('realms');

    section('Private messages, both ways');
    await alice.run('sendprivaterealm beta bob Halo Bob, salam dari alpha!');
    await bob.run('getrealminbox alpha');
    await bob.run('sendprivaterealm alpha alice Halo juga Alice, dari beta!');
    await alice.run('inbox');
    await alice.run('sendprivaterealm beta nobody Are you there?');

    section('Group messages, both ways');
    await bob.run('addgroup crew');
    await budi.run('joingroup crew');
    await alice.run('sendgrouprealm beta crew Halo crew of beta!');
    await budi.run('inbox');
    await andi.run('addgroup devs');
    await alice.run('joingroup devs');
    await bob.run('sendgrouprealm alpha devs Hi devs of alpha!');
    await andi.run('getrealminbox beta');
    await alice.run('sendgrouprealm beta bob,budi  The course clients\' form: a list of users');
    await bob.run('inbox');

    section('beta stops for a moment: nothing sent meanwhile is lost');
    await beta.stop();
    console.log(dim('   (beta stopped)'));
    await until(async () => ((await alice.run('realms', {quiet: true})).realms as Array<{state: string}>)[0]?.state === 'backoff', 5000);
    await alice.run('sendprivaterealm beta bob Sent while beta was down');
    await alice.run('realms');
    console.log(dim(`   ${await beta.start()}`));
    await until(async () => ((await alice.run('realms', {quiet: true})).realms as Array<{queued: number}>)[0]?.queued === 0, 15_000);
    await alice.run('realms');
    await bob.reconnect();
    await bob.run('inbox');

    section('History of a conversation across realms');
    await alice.run('history bob@beta');

    console.log(`\n${bold('Done.')} Stopping both realms; the temporary data folder is removed.`);
    return 0;
  } finally {
    for (const user of users) user.close();
    await Promise.all([alpha.stop(), beta.stop()]);
    rmSync(dir, {recursive: true, force: true});
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
