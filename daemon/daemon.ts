/**
 * createDaemon: assembles one realm's daemon from injected parts (store, clock, logger, options). It keeps no
 * module-level state, so tests run several daemons in one process.
 */
import {createServer, type AddressInfo, type Server} from 'node:net';
import type {DaemonOptions, Services} from './context.js';
import {Connection} from './connection.js';
import {noFederation, type Federation} from './federation-api.js';
import {InboxWaiters} from './inbox-waiters.js';
import {systemClock, type Clock} from './clock.js';
import {silentLogger, type Logger} from './logger.js';
import {createLimits} from './limits/index.js';
import type {SendLimits} from './limits/send-limiter.js';
import {DEFAULT_SCRYPT_COST} from './passwords.js';
import {SessionRegistry} from './sessions.js';
import {TurnScheduler} from './turn-scheduler.js';
import type {Store} from './store/types.js';
import {BurstLog} from './burst-log.js';

const DEFAULT_SEND_LIMITS: SendLimits = {
  messages: {perSecond: 50, burst: 200},
  bytes: {perSecond: 1024 * 1024, burst: 4 * 1024 * 1024},
  unreadBytesPerRecipient: 16 * 1024 * 1024,
};

export const DEFAULT_OPTIONS: DaemonOptions = {
  realm: 'alpha',
  maxLineBytes: 64 * 1024,
  inboxMaxMessages: 1000,
  inboxMaxBytes: 1024 * 1024,
  maxWaitSeconds: 60,
  maxQueuedBytes: 8 * 1024 * 1024,
  drainTimeoutMs: 30_000,
  maxPipelinedRequests: 256,
  historyDefaultLimit: 50,
  historyMaxLimit: 500,
  historyMaxBytes: 1024 * 1024,
  sliceMs: 2,
  maxConnections: Number.POSITIVE_INFINITY,
  shutdownGraceMs: 3000,
  scryptCost: DEFAULT_SCRYPT_COST,
  authUserBackoff: {freeFailures: 5, baseMs: 1000, maxMs: 5 * 60_000},
  authPeerBackoff: {freeFailures: 50, baseMs: 1000, maxMs: 5 * 60_000},
  hashConcurrency: 4,
  sendLimits: DEFAULT_SEND_LIMITS,
  maxFileBytes: 8 * 1024 * 1024,
  fileLimits: {
    messages: {perSecond: 2, burst: 30},
    bytes: {perSecond: 1024 * 1024, burst: 64 * 1024 * 1024},
    unreadBytesPerRecipient: Number.POSITIVE_INFINITY,
  },
  realmSendLimits: DEFAULT_SEND_LIMITS,
  realmLinkLimits: {
    messages: {perSecond: 1000, burst: 5000},
    bytes: {perSecond: 16 * 1024 * 1024, burst: 64 * 1024 * 1024},
  },
  maxOutboxPerRealm: 100_000,
  maxGroupsPerUser: 100,
  groupsDefaultLimit: 500,
  groupsMaxLimit: 5000,
  maxTotalQueuedBytes: 256 * 1024 * 1024,
};

/** What createDaemon needs. Only the store is required. */
export interface DaemonConfig {
  store: Store;
  clock?: Clock;
  logger?: Logger;
  options?: Partial<DaemonOptions>;
  /** Builds the realm links once the services exist; without it the daemon has no federation. */
  federation?: (services: Omit<Services, 'federation'>) => Federation;
}

/** A running (or ready to run) daemon. */
export interface Daemon {
  readonly services: Services;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** The bound address, once listening. */
  address(): AddressInfo | undefined;
  /** Open client connections. */
  readonly connectionCount: number;
  /**
   * Stops gracefully: stops accepting, answers the requests already received (long polls answer at once), closes
   * connections, stops links and closes the store. Connections still busy after `shutdownGraceMs` are cut.
   */
  close(): Promise<void>;
}

export function createDaemon(config: DaemonConfig): Daemon {
  const options: DaemonOptions = {...DEFAULT_OPTIONS, ...config.options};
  const clock = config.clock ?? systemClock;
  const logger = config.logger ?? silentLogger;
  const base = {
    options, store: config.store, clock, logger,
    storeOutages: new BurstLog(logger, {
      first: 'the store is unavailable: answering UNAVAILABLE until it is back',
      end: 'the store answers again', countField: 'unavailable',
    }),
    sessions: new SessionRegistry(config.store, clock),
    inboxWaiters: new InboxWaiters(config.store.wakeups()),
    limits: createLimits(options, config.store, clock, logger),
  };
  const services: Services = {...base, federation: config.federation?.(base) ?? noFederation};
  const turns = new TurnScheduler(config.store, logger, base.storeOutages);
  const connections = new Set<Connection>();
  let nextId = 1;
  let server: Server | undefined;
  let closing: Promise<void> | undefined;

  function accept(socket: import('node:net').Socket): void {
    if (closing) {
      socket.destroy();
      return;
    }
    const connection = new Connection(nextId++, socket, services, turns);
    connections.add(connection);
    logger.debug('connection opened', {connection: connection.id, peer: `${socket.remoteAddress}:${socket.remotePort}`});
    void connection.closed.then(() => {
      connections.delete(connection);
      logger.debug('connection closed', {connection: connection.id});
    });
  }

  // A refusal is the operator's to fix, not a bug: one line when a burst starts, one with the count when it ends.
  const refusals = new BurstLog(logger, {
    first: 'refusing new connections: the connection cap is reached (it keeps descriptors free below ' +
      'the process limit; raise LimitNOFILE / ulimit -n or --max-connections)',
    end: 'accepting connections again', countField: 'refused',
  });

  async function stop(): Promise<void> {
    refusals.stop();
    services.storeOutages.stop();
    const stopped = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
    for (const connection of connections) connection.drain();
    // Links first: their sockets came from this server (server.close waits for them), and senders still waiting
    // for a peer's verdict are answered "queued" at once instead of holding the shutdown.
    await services.federation.close();
    const allClosed = Promise.all([...connections].map((connection) => connection.closed));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), options.shutdownGraceMs); });
    if ((await Promise.race([allClosed, deadline])) === 'timeout') {
      logger.warn('cutting connections still busy at shutdown', {count: connections.size});
      for (const connection of connections) connection.destroy();
      await allClosed;
    }
    clearTimeout(timer);
    await stopped;
    services.inboxWaiters.close();
    await config.store.close();
  }

  return {
    services,
    get connectionCount() {
      return connections.size;
    },
    async listen(port, host = '127.0.0.1') {
      // The linked realms come first: a request must never find a realm unknown because it was not read yet.
      await services.federation.load();
      server = createServer({allowHalfOpen: true}, accept);
      if (Number.isFinite(options.maxConnections)) server.maxConnections = options.maxConnections;
      server.on('drop', () => refusals.note({maxConnections: options.maxConnections}));
      return new Promise((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => {
          server!.off('error', reject);
          server!.on('error', (err) => logger.error('server error', {err}));
          const address = server!.address() as AddressInfo;
          services.federation.start(address); // links (re)connect once there is a port to tell peers
          resolve(address);
        });
      });
    },
    address() {
      return (server?.address() as AddressInfo | null) ?? undefined;
    },
    close() {
      return (closing ??= stop());
    },
  };
}
