/** Test harness: real daemons on loopback port 0 with temp SQLite files, and a raw line client. */
import {mkdtempSync, rmSync} from 'node:fs';
import {connect, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {ReplyDecoder} from '../../common/protocol/reply-codec.js';
import type {Reply} from '../../common/protocol/replies.js';
import {createDaemon, type Daemon, type DaemonConfig} from '../../daemon/daemon.js';
import type {DaemonOptions} from '../../daemon/context.js';
import {SqliteStore, type SqliteStoreOptions} from '../../daemon/store/sqlite-store.js';
import type {Store} from '../../daemon/store/types.js';

/** Cheap scrypt so tests that register many users stay fast (production uses N=16384). */
export const TEST_SCRYPT = {N: 1024, r: 8, p: 1};

/** Send limits switched off: tests of other rules send freely (test/daemon/send-limits.test.ts sets its own). */
export const NO_SEND_LIMITS = {
  messages: {perSecond: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY},
  bytes: {perSecond: Number.POSITIVE_INFINITY, burst: Number.POSITIVE_INFINITY},
  unreadBytesPerRecipient: Number.POSITIVE_INFINITY,
};

export interface TestDaemon {
  daemon: Daemon;
  port: number;
  dir: string;
  /** Stops the daemon (the data folder stays until cleanup). */
  stop(): Promise<void>;
  /** Starts a new daemon on the same data folder (and the same port when it is free). */
  restart(options?: Partial<DaemonOptions>): Promise<TestDaemon>;
  /** Stops and removes the data folder. */
  cleanup(): Promise<void>;
}

/** Starts an in-process daemon on 127.0.0.1:0 with a temp database. */
export async function startDaemon(
  options: Partial<DaemonOptions> = {},
  extra: Omit<DaemonConfig, 'store' | 'options'> & {
    /** Puts a wrapper (test/helpers/outage-store.ts) around the daemon's real SqliteStore. */
    wrapStore?: (store: SqliteStore) => Store;
    /** Options of the SqliteStore beside its file (small shards, a search budget). */
    sqlite?: Omit<SqliteStoreOptions, 'file'>;
  } = {},
  dir = mkdtempSync(join(tmpdir(), 'realmchat-test-')),
  port = 0,
): Promise<TestDaemon> {
  const {wrapStore, sqlite: sqliteOptions, ...config} = extra;
  const sqlite = new SqliteStore({...sqliteOptions, file: join(dir, 'realmchat.db')});
  const store = wrapStore ? wrapStore(sqlite) : sqlite;
  const daemon = createDaemon({store, options: {scryptCost: TEST_SCRYPT, sendLimits: NO_SEND_LIMITS, realmSendLimits: NO_SEND_LIMITS,
    realmLinkLimits: NO_SEND_LIMITS, ...options}, ...config});
  const address = await daemon.listen(port, '127.0.0.1');
  let stopped = false;
  const test: TestDaemon = {
    daemon,
    port: address.port,
    dir,
    async stop() {
      if (!stopped) {
        stopped = true;
        await daemon.close();
      }
    },
    async restart(next = {}) {
      await test.stop();
      return startDaemon({...options, ...next}, extra, dir, address.port);
    },
    async cleanup() {
      await test.stop();
      rmSync(dir, {recursive: true, force: true});
    },
  };
  return test;
}

/** A raw protocol connection: send exact bytes, read replies in order. */
export class LineClient {
  readonly socket: Socket;
  readonly #decoder = new ReplyDecoder();
  readonly #replies: Reply[] = [];
  readonly #waiters: Array<(reply: Reply) => void> = [];
  /** The chunks received, joined only when `raw` is read (joining on each chunk is quadratic for replies of MiB). */
  readonly #chunks: Buffer[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      for (const reply of this.#decoder.push(chunk)) {
        const waiter = this.#waiters.shift();
        if (waiter) waiter(reply);
        else this.#replies.push(reply);
      }
    });
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new LineClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Every byte received, for assertions on the exact wire format. */
  get raw(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /** Writes exact bytes (no line ending added). */
  write(data: string | Uint8Array): void {
    this.socket.write(data);
  }

  /** The next reply, waiting up to `ms`. */
  next(ms = 5000): Promise<Reply> {
    const queued = this.#replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply in time')), ms);
      this.#waiters.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  /** Sends one line (CRLF added) and returns its reply. */
  async request(line: string): Promise<Reply> {
    this.write(line + '\r\n');
    return this.next();
  }

  /** Replies received but not yet taken. */
  get pending(): number {
    return this.#replies.length;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Registers a user on a fresh connection; returns the connection (logged in) and the token. */
export async function registerUser(port: number, username: string, password = 'pw'): Promise<{client: LineClient; token: string}> {
  const client = await LineClient.connect(port);
  const reply = await client.request(`register ${username} ${password} ${username}_Name indonesia`);
  if (reply.status !== 'OK') throw new Error(`register ${username} failed: ${reply.message}`);
  return {client, token: reply.tokenid as string};
}
