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
import {prepareDataDir} from './data-dir.js';
import {ensureDemoUsers} from './demo-users.js';
import {createFederation} from './federation/federation.js';
import {parsePeer, readKeyFile, type PeerAddress} from './federation/options.js';
import {LIMIT_FLAGS, LIMIT_HELP, parseLimitFlags} from './limits/cli-flags.js';
import {createLogger, LOG_LEVELS, type LogLevel} from './logger.js';
import {SqliteStore, type Durability} from './store/sqlite-store.js';

/** Descriptors kept free for the database, its checkpoint worker, realm links we dial and the log. */
const DESCRIPTOR_RESERVE = 100;

const HELP = `Usage: realmchatd [options]

Runs one realm of the realmchat chat system: a TCP daemon speaking the line protocol
(one request per line, one JSON reply ending in \\r\\n\\r\\n). See docs/PROTOCOL.md.

Options:
  --host HOST          address to listen on                       (default 127.0.0.1)
  --port PORT          TCP port; 0 picks a free one               (default 8889)
  --realm NAME         this daemon's realm name                   (default alpha)
  --data DIR           folder of the SQLite database, created if missing
                       (default $XDG_DATA_HOME/realmchat/<realm>, else ~/.local/share/realmchat/<realm>)
  --demo-users         create the course's sample users messi, henderson, lineker (password surabaya)
  --durability MODE    normal: a reply's change survives a daemon crash; full: also a power loss
                       (fsync per group commit)                   (default normal)
  --log-level LEVEL    debug, info, warn, error or silent         (default info)
  --peer NAME=HOST:PORT
                       a realm that \`addrealm NAME\` may link without an address
                       (its client port); repeatable
  --federation-key-file FILE
                       the shared federation key (at least 16 bytes, e.g. from
                       \`openssl rand -hex 32\`); realm links must prove they know it.
                       Without it, links are accepted from loopback peers only.
                       See docs/FEDERATION.md.
  --max-file-bytes N   largest file sendfile/sendgroupfile may carry   (default 8388608)
  --max-connections N  most connections held at once; past it new ones are closed
                       and the daemon says so once per burst
                       (default: the process's open-file limit minus ${DESCRIPTOR_RESERVE})
${LIMIT_HELP}  --help               show this help
  --version            show the version

Examples:
  realmchatd --port 8889 --realm alpha --demo-users
  realmchatd --port 8890 --realm beta --federation-key-file key --peer alpha=127.0.0.1:8889
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

async function main(): Promise<void> {
  let values;
  try {
    ({values} = parseArgs({
      options: {
        host: {type: 'string', default: '127.0.0.1'},
        port: {type: 'string', default: '8889'},
        realm: {type: 'string', default: 'alpha'},
        data: {type: 'string'},
        'demo-users': {type: 'boolean', default: false},
        durability: {type: 'string', default: 'normal'},
        'log-level': {type: 'string', default: 'info'},
        peer: {type: 'string', multiple: true, default: []},
        'federation-key-file': {type: 'string'},
        'max-connections': {type: 'string'},
        'max-file-bytes': {type: 'string'},
        ...LIMIT_FLAGS,
        help: {type: 'boolean', default: false},
        version: {type: 'boolean', default: false},
      },
      strict: true,
      allowPositionals: false,
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
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) fail(`--port must be a number from 0 to 65535, not "${values.port}"`);
  if (!isValidName(values.realm)) fail('--realm must be 1-32 letters, digits, "_", "-" or "."');
  if (!(LOG_LEVELS as readonly string[]).includes(values['log-level'])) fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  if (values.durability !== 'normal' && values.durability !== 'full') fail('--durability must be normal or full');
  const peers = new Map<string, PeerAddress>();
  for (const spec of values.peer) {
    const peer = parsePeer(spec);
    if (!peer) fail(`--peer must be NAME=HOST:PORT (e.g. beta=127.0.0.1:8890), not "${spec}"`);
    peers.set(peer.name.toLowerCase(), peer.address);
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
  let limits;
  try {
    limits = parseLimitFlags(values, DEFAULT_OPTIONS);
  } catch (err) {
    fail((err as Error).message);
  }
  const keyFile = values['federation-key-file'];
  let key: Buffer | undefined;
  if (keyFile !== undefined) {
    try {
      key = readKeyFile(keyFile);
    } catch (err) {
      fail((err as Error).message);
    }
  }

  const logger = createLogger(values['log-level'] as LogLevel);
  const dataDir = values.data ?? defaultDataDir(values.realm);
  const file = join(dataDir, 'realmchat.db');
  let store: SqliteStore;
  try {
    prepareDataDir(dataDir, file);
    store = new SqliteStore({
      file, durability: values.durability as Durability,
      onCheckpointError: (message) => logger.warn('background WAL checkpoint failed', {error: message}),
    });
  } catch (err) {
    fail(`cannot open the database ${file}: ${(err as Error).message}`);
  }
  const daemon = createDaemon({store, logger, options: {...limits, realm: values.realm, maxConnections, maxFileBytes}, federation: createFederation({key, peers})});
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
  const federation = key
    ? `realm links need the federation key from ${keyFile}`
    : 'no federation key: realm links accepted from loopback peers only';
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
