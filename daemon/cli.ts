#!/usr/bin/env node
/**
 * realmchatd: the command line of the daemon. Parses flags, opens the store, starts listening, prints one start-up
 * line and stops gracefully on SIGTERM/SIGINT. Everything else lives in createDaemon.
 */
import {readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {parseArgs} from 'node:util';
import {isValidName} from '../common/protocol/request.js';
import {createDaemon, DEFAULT_OPTIONS} from './daemon.js';
import {ensureDemoUsers} from './demo-users.js';
import {createFederation} from './federation/federation.js';
import {loadOrCreateIdentity, type RealmIdentity} from './federation/identity.js';
import {parsePeer, readPeersFile, type PeerSpec} from './federation/options.js';
import {LIMIT_FLAGS, LIMIT_HELP, parseLimitFlags} from './limits/cli-flags.js';
import {createLogger, LOG_LEVELS, type LogLevel} from './logger.js';
import type {Durability} from './store/sqlite-store.js';
import {describeStore, openStore, parseStoreChoice, type StoreChoice} from './store-choice.js';
import type {Store} from './store/types.js';

/** Descriptors kept free for the database, its checkpoint worker, realm links we dial and the log. */
const DESCRIPTOR_RESERVE = 100;

const HELP = `Usage: realmchatd [options]

Runs one realm of the realmchat chat system: a TCP daemon speaking the line protocol
(one request per line, one JSON reply ending in \\r\\n\\r\\n). See docs/PROTOCOL.md.

Options:
  --host HOST          address to listen on                       (default 127.0.0.1)
  --port PORT          TCP port; 0 picks a free one               (default 8889)
  --realm NAME         this daemon's realm name                   (default alpha)
  --data DIR           folder of the realm key and of the SQLite database, created if missing
                       (default $XDG_DATA_HOME/realmchat/<realm>, else ~/.local/share/realmchat/<realm>)
  --store STORE        sqlite: the database file in the data folder; postgres://USER@HOST:PORT/DB:
                       a PostgreSQL database that several realmchatd processes of one realm share
                       (each with the same realm key file)   (default $REALMCHAT_STORE, else sqlite)
  --store-password-file FILE
                       PostgreSQL password, first line of FILE (mode 0600); else PGPASSWORD.
                       A password in the URL is refused (argv is visible to everyone)
  --demo-users         create the course's sample users messi, henderson, lineker (password surabaya)
  --durability MODE    normal: a reply's change survives a daemon crash; full: also a power loss
                       (fsync per group commit)                   (default normal)
  --sqlite-locking MODE
                       exclusive: no other process may open the SQLite database while the
                       daemon runs (and its commits take no file locks); shared: tools may
                       read it live, for about 10 µs more CPU per commit   (default exclusive)
  --log-level LEVEL    debug, info, warn, error or silent         (default info)
  --peer NAME=HOST:PORT[,KEY]
                       a known realm: \`addrealm NAME\` links it without an address
                       (its client port), and KEY (what \`realmchatd key show\`
                       prints on that realm) is pinned: only that key may link as
                       NAME; repeatable
  --peers-file FILE    known realms, one NAME=HOST:PORT,KEY per line (# comments)
  --federation MODE    pinned: links only from realms whose key is pinned;
                       tofu: also pin the first key seen for a new realm name
                       (default pinned; tofu with --demo-users)
  --admins U1,U2       users who may addrealm a realm this daemon does not know
                       and removerealm                            (default none)
  --max-file-bytes N   largest file sendfile/sendgroupfile may carry   (default 8388608)
  --link-lease-ms N    with several processes on PostgreSQL: how long one process's hold on a peer realm's
                       link lasts unrenewed; a dead holder's links move within about this   (default 3000)
  --max-connections N  most connections held at once; past it new ones are closed
                       and the daemon says so once per burst
                       (default: the process's open-file limit minus ${DESCRIPTOR_RESERVE})
${LIMIT_HELP}  --help               show this help
  --version            show the version

Commands:
  realmchatd key show [--realm NAME] [--data DIR]
                       print this realm's public key (made on first use)

The realm's key pair is kept in DIR/realm-key.pem (0600), made on first start.
Off loopback, realm links run over TLS pinned to the realms' keys. See docs/FEDERATION.md.

Examples:
  realmchatd --port 8889 --realm alpha --demo-users
  realmchatd --port 8890 --realm beta --admins root --peer alpha=127.0.0.1:8889,KEY_OF_ALPHA
`;

/** The soft limit on open files of this process (Linux /proc), or undefined where it cannot be read. */
function descriptorLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((row) => row.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

function fail(message: string): never {
  process.stderr.write(`realmchatd: ${message}\nTry 'realmchatd --help'.\n`);
  process.exit(2);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string};
  return pkg.version;
}

/** The default data folder of a realm (XDG base directory spec). */
export function defaultDataDir(realm: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'realmchat', realm);
}

/** The realm's identity in `dir`, made on first use; exits with the reason when it cannot be read. */
function identityOrFail(dir: string): {identity: RealmIdentity; created: boolean; file: string} {
  try {
    return loadOrCreateIdentity(dir);
  } catch (err) {
    fail(`${(err as Error).message} (to make a new key pair, move the file away and start again)`);
  }
}

async function main(): Promise<void> {
  let values;
  let positionals: string[];
  try {
    ({values, positionals} = parseArgs({
      options: {
        host: {type: 'string', default: '127.0.0.1'},
        port: {type: 'string', default: '8889'},
        realm: {type: 'string', default: 'alpha'},
        data: {type: 'string'},
        store: {type: 'string'},
        'store-password-file': {type: 'string'},
        'demo-users': {type: 'boolean', default: false},
        durability: {type: 'string', default: 'normal'},
        'sqlite-locking': {type: 'string', default: 'exclusive'},
        'log-level': {type: 'string', default: 'info'},
        peer: {type: 'string', multiple: true, default: []},
        'federation-key-file': {type: 'string'},
        'peers-file': {type: 'string'},
        federation: {type: 'string'},
        admins: {type: 'string'},
        'max-connections': {type: 'string'},
        'max-file-bytes': {type: 'string'},
        'link-lease-ms': {type: 'string'},
        ...LIMIT_FLAGS,
        help: {type: 'boolean', default: false},
        version: {type: 'boolean', default: false},
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.version) {
    process.stdout.write(`${version()}\n`);
    return;
  }
  if (positionals.length > 0) {
    if (positionals.join(' ') !== 'key show') fail(`unknown command "${positionals.join(' ')}" (the only command is: key show)`);
    const {identity, created, file} = identityOrFail(values.data ?? defaultDataDir(values.realm));
    if (created) process.stderr.write(`realmchatd: made a new realm key in ${file}\n`);
    process.stdout.write(`${identity.publicKey}\n`);
    return;
  }
  if (values['federation-key-file'] !== undefined) {
    fail('--federation-key-file was removed: one shared key let any holder link as any realm. Each realm now has its own '
      + 'key pair; pin peers with --peer NAME=HOST:PORT,KEY (KEY from `realmchatd key show` there). See docs/FEDERATION.md.');
  }
  if (values.federation !== undefined && values.federation !== 'pinned' && values.federation !== 'tofu') {
    fail(`--federation must be pinned or tofu, not "${values.federation}"`);
  }
  const admins = values.admins === undefined ? [] : values.admins.split(',');
  if (admins.some((name) => !isValidName(name))) fail('--admins must be a comma list of usernames, e.g. --admins alice,bob');
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) fail(`--port must be a number from 0 to 65535, not "${values.port}"`);
  if (!isValidName(values.realm)) fail('--realm must be 1-32 letters, digits, "_", "-" or "."');
  if (!(LOG_LEVELS as readonly string[]).includes(values['log-level'])) fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  if (values.durability !== 'normal' && values.durability !== 'full') fail('--durability must be normal or full');
  const locking = values['sqlite-locking'];
  if (locking !== 'exclusive' && locking !== 'shared') fail('--sqlite-locking must be exclusive or shared');
  const peers = new Map<string, PeerSpec>();
  if (values['peers-file'] !== undefined) {
    try {
      for (const peer of readPeersFile(values['peers-file'])) peers.set(peer.name.toLowerCase(), peer.address);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  for (const spec of values.peer) {
    const peer = parsePeer(spec);
    if (!peer) {
      fail(`--peer must be NAME=HOST:PORT or NAME=HOST:PORT,KEY (e.g. beta=127.0.0.1:8890), with KEY as \`realmchatd key show\` prints it on that realm (43 characters), not "${spec}"`);
    }
    peers.set(peer.name.toLowerCase(), peer.address);
  }
  const linkLeaseMs = Number(values['link-lease-ms'] ?? 3000);
  if (!/^\d+$/.test(values['link-lease-ms'] ?? '3000') || linkLeaseMs < 300 || linkLeaseMs > 600_000) {
    fail('--link-lease-ms must be a whole number of ms from 300 to 600000');
  }
  const maxFileBytes = values['max-file-bytes'] === undefined ? DEFAULT_OPTIONS.maxFileBytes : Number(values['max-file-bytes']);
  if (!/^\d+$/.test(values['max-file-bytes'] ?? '0') || maxFileBytes > 1024 * 1024 * 1024) {
    fail('--max-file-bytes must be a whole number of bytes, at most 1073741824');
  }
  let maxConnections = Number.POSITIVE_INFINITY;
  if (values['max-connections'] !== undefined) {
    maxConnections = Number(values['max-connections']);
    if (!/^\d+$/.test(values['max-connections']) || maxConnections < 1) fail('--max-connections must be a whole number from 1');
  } else {
    const limit = descriptorLimit();
    if (limit !== undefined) maxConnections = Math.max(16, limit - DESCRIPTOR_RESERVE);
  }
  let storeChoice: StoreChoice;
  try {
    storeChoice = parseStoreChoice(values.store ?? process.env.REALMCHAT_STORE, values['store-password-file']);
  } catch (err) {
    fail((err as Error).message);
  }
  let limits;
  try {
    limits = parseLimitFlags(values, DEFAULT_OPTIONS);
  } catch (err) {
    fail((err as Error).message);
  }
  const logger = createLogger(values['log-level'] as LogLevel);
  const dataDir = values.data ?? defaultDataDir(values.realm);
  const {identity, created} = identityOrFail(dataDir);
  if (created) logger.info('made a new realm key pair', {file: join(dataDir, 'realm-key.pem'), publicKey: identity.publicKey});
  const tofu = values.federation === undefined ? values['demo-users'] : values.federation === 'tofu';
  for (const [name, peer] of peers) {
    if (!tofu && peer.key === undefined) {
      logger.warn('no key is pinned for a configured realm: links with it are refused until it is pinned (--peer NAME=HOST:PORT,KEY)', {realm: name});
    }
  }
  const file = describeStore(storeChoice, dataDir);
  let store: Store;
  try {
    store = await openStore(storeChoice, {dataDir, realm: values.realm, durability: values.durability as Durability, locking, logger});
  } catch (err) {
    fail(`cannot open the database ${file}: ${(err as Error).message}`);
  }
  const daemon = createDaemon({store, logger, options: {...limits, realm: values.realm, maxConnections, maxFileBytes}, federation: createFederation({
    identity, peers, tofu, admins, courseMode: values['demo-users'], tunables: {linkLeaseMs},
  })});
  if (values['demo-users']) {
    const created = await ensureDemoUsers(daemon.services);
    if (created.length > 0) logger.info('created demo users', {users: created.join(',')});
  }
  let address;
  try {
    address = await daemon.listen(port, values.host);
  } catch (err) {
    await store.close();
    fail(`cannot listen on ${values.host}:${port}: ${(err as Error).message}`);
  }
  const federation = `realm key ${identity.publicKey}; links from ${tofu ? 'pinned realms and new realm names (trust on first use)' : 'pinned realms only'}`;
  process.stdout.write(
    `realmchatd ${version()}: realm ${values.realm} listening on ${address.address}:${address.port}, data ${file}; ${federation}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn('second signal: exiting at once', {signal});
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping', {signal});
    daemon.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('error while stopping', {err});
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`realmchatd: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
