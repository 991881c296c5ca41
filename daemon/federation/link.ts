/**
 * One realm link: the long-lived state machine for one peer realm, across any number of TCP connections.
 *
 *                 ┌────────── dial fails / connection lost ◀──────────┐
 *                 ▼                                                   │
 *   start ──▶ connecting ──(TCP up)──▶ handshaking ──(ready)──▶ ready ┤
 *     │           ▲                                             ▲    │
 *     │        backoff ◀── (timer: capped exponential + jitter) │    ▼
 *     │                                                         │ backoff
 *     └─ (realm that dials us) ─▶ backoff ──(it connects in)────┘
 *   any state ──(daemon stops)──▶ closed
 *
 * A link that this realm added dials (and redials forever); a link the peer added waits for the peer to redial.
 * Either way one connection carries both directions. When a newer authenticated connection for the same realm
 * arrives, it replaces the current one (the old one may be a half-dead socket of a peer that restarted).
 *
 * Sending: the durable outbox is sent in seq order by the pump (outbox-pump.ts: pipelined up to `maxInFlight`
 * unacknowledged messages, written in batches, pausing while the socket's buffer is full). Every connection starts
 * again from the oldest unacknowledged message; the receiver deduplicates by message id, so retries never duplicate
 * and order holds. An ack settles the outbox in the store, then tells the waiting senders (verdict-waiters.ts, where
 * each sender's wait ends in exactly one place). This file keeps the connection's life: dialling, redial timers,
 * adopting connections, routing frames. Receiving: see inbound.ts.
 */
import {ERRORS, type ErrorCode} from '../../common/protocol/replies.js';
import type {RealmLinkState, RealmStatus} from '../../common/protocol/reply-shapes.js';
import type {OutboxRecord, RealmRecord, RemoteDelivery} from '../store/types.js';
import {backoffDelay} from '../../common/util/backoff.js';
import type {ChannelHandler, LinkChannel} from './channel.js';
import {dialLink, type HandshakeSettings} from './connect.js';
import {InboundReceiver, type InboundServices} from './inbound.js';
import type {AckFrame, LinkFrame, MessageBody} from './link-codec.js';
import {AckWatchdog} from './ack-watchdog.js';
import {LinkLeaseKeeper} from './link-lease.js';
import {deliveryFailureNotice} from './notices.js';
import type {LinkTunables} from './options.js';
import {OutboxPump} from './outbox-pump.js';
import {OutboxWindow} from './outbox-window.js';
import {VerdictWaiters, type Verdict} from './verdict-waiters.js';

/** The states of a link (see the diagram above). */
export type LinkState = Exclude<RealmLinkState, 'unknown'>;

/** What every link of a daemon shares. */
export interface LinkEnvironment {
  readonly services: InboundServices;
  readonly tunables: LinkTunables;
  /** Handshake settings (our client port is only known once the daemon listens). */
  handshakeSettings(): HandshakeSettings;
  /** Random source for the backoff jitter. */
  readonly random: () => number;
  /** Aborted when the daemon stops: a dial still in its handshake gives up at once. */
  readonly stopping?: AbortSignal;
  /** This process, as the owner of link leases (a shared store: see link-lease.ts). */
  readonly leaseOwner?: string;
}

/** The link to one peer realm (see the diagram at the top of this file). */
export class RealmLink {
  #state: LinkState = 'backoff';
  #record: RealmRecord;
  #channel: LinkChannel | undefined;
  #started = false;
  #dialing = false;
  #attempt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #lastDialError: string | undefined;
  readonly #outbox: OutboxPump;
  /** Committed outbox rows not yet acknowledged (what `realms` shows as queued), kept here so listing is cheap. */
  #queued: number;
  readonly #waiters: VerdictWaiters;
  readonly #inbound: InboundReceiver;
  readonly #ackWatchdog: AckWatchdog;
  /** Only on a store several processes share: whether this process may run the link now. */
  readonly #lease: LinkLeaseKeeper | undefined;
  readonly #window: OutboxWindow;

  /** The link of a realm, with its outbox's size and last seq read from the store. */
  static async open(env: LinkEnvironment, record: RealmRecord): Promise<RealmLink> {
    return new RealmLink(env, record, await env.services.store.outboxStats(record.name));
  }

  private constructor(private readonly env: LinkEnvironment, record: RealmRecord, stats: {count: number; lastSeq: number}) {
    this.#record = record;
    const {store, logger} = env.services;
    this.#queued = stats.count;
    const window = new OutboxWindow(
      (after, upto, limit) => store.outboxPage(record.name, after, upto, limit),
      env.tunables.outboxWindow,
      stats.lastSeq,
      (error) => {
        if (error === undefined) this.#outbox.pump();
        else logger.warn('realm link: could not read the outbox (it is read again on the next send or ack)', {realm: this.name, err: String(error)});
      },
      store.sharedLinks,
    );
    this.#window = window;
    this.#lease = store.sharedLinks
      ? new LinkLeaseKeeper(
        {store, realm: record.name, owner: env.leaseOwner ?? 'this process', ttlMs: env.tunables.linkLeaseMs, logger, now: () => performance.now()},
        {acquired: () => this.#leaseAcquired(), lost: (reason) => this.#leaseLost(reason), ticked: () => this.#refreshShared()},
      )
      : undefined;
    this.#outbox = new OutboxPump(window, env.tunables.maxInFlight, (sha256, offset, length) => store.readBlobRange(sha256, offset, length));
    this.#waiters = new VerdictWaiters(env.tunables.verdictTimeoutMs);
    this.#inbound = new InboundReceiver(
      env.services, record.name,
      (ack) => this.#channel?.send(ack),
      (reason) => this.#channel?.close(reason),
      env.tunables.receivedRetentionMs,
    );
    this.#ackWatchdog = new AckWatchdog(env.tunables.ackTimeoutMs, () => this.#outbox.inFlight, () => {
      env.services.logger.warn('realm link: no acknowledgement in time, closing (messages are resent)',
        {realm: this.name, inFlight: this.#outbox.inFlight, ackTimeoutMs: env.tunables.ackTimeoutMs});
      this.#channel?.close(`no acknowledgement within ${env.tunables.ackTimeoutMs} ms`);
    }, Date.now, () => this.#outbox.inFlightBytes, env.tunables.minLinkBytesPerSecond);
  }

  /** The peer realm's stored name. */
  get name(): string {
    return this.#record.name;
  }

  get state(): LinkState {
    return this.#state;
  }

  get record(): RealmRecord {
    return this.#record;
  }

  /** Updates what is shown for a realm that dials us (it told us a new port, or comes from a new address). */
  updateRecord(record: RealmRecord): void {
    this.#record = record;
  }

  /** True while this process may run the link: always on a store of its own, while it holds the lease on a shared one. */
  get mayRun(): boolean {
    return this.#lease === undefined || this.#lease.held;
  }

  /** Claims the lease now (addrealm, before it adopts the connection it made); true when this process holds it. */
  async claim(): Promise<boolean> {
    await this.#lease?.round();
    return this.mayRun;
  }

  /** Starts the link: dials a realm added here, or waits for one that dials us. */
  start(): void {
    if (this.#started || this.#state === 'closed') return;
    this.#started = true;
    this.#lease?.start();
    if (this.#channel) return;
    if (!this.mayRun) {
      this.#setState('backoff', 'another process of this realm runs the link');
      return;
    }
    if (this.#record.dial) void this.#dial();
    else this.#setState('backoff', 'waiting for the realm to connect');
  }

  /** Takes an authenticated connection (dialled or accepted) as the link's connection, replacing any other. */
  adopt(channel: LinkChannel): void {
    if (this.#state === 'closed') {
      channel.close('link closed');
      return;
    }
    if (!this.mayRun) {
      channel.close('another process of this realm runs the link');
      return;
    }
    const old = this.#channel;
    this.#channel = channel;
    if (old) old.close('replaced by a newer connection');
    clearTimeout(this.#retryTimer);
    // Unacknowledged rows are sent again on this connection, from the oldest.
    this.#outbox.attach(channel);
    this.#inbound.reset();
    this.#attempt = 0;
    this.#lastDialError = undefined;
    this.#setState('ready', `connected (${channel.remote})`);
    channel.startHeartbeat(this.env.tunables.heartbeatIntervalMs, this.env.tunables.heartbeatTimeoutMs);
    this.#ackWatchdog.start();
    // Attaching hands over frames held since the handshake, or a close that happened meanwhile (→ #onClosed).
    channel.attach(this.#handlerFor(channel));
  }

  /**
   * Hands over a message whose outbox row has committed. Resolves with the peer's verdict when it comes within
   * `verdictTimeoutMs` while the link is up or coming up; otherwise (or at once while it is down) with "queued".
   */
  offer(record: OutboxRecord): Promise<Verdict> {
    this.#queued++;
    this.#outbox.add(record);
    if (this.#state === 'backoff' || this.#state === 'closed') return Promise.resolve({kind: 'queued'});
    return this.#waiters.wait(record.seq);
  }

  /** The link as `realms` lists it. */
  status(): RealmStatus {
    return {
      name: this.#record.name,
      host: this.#record.host,
      port: this.#record.port,
      state: this.#state,
      queued: this.#queued,
      direction: this.#record.dial ? 'outbound' : 'inbound',
    };
  }

  /** Stops the link for good (the daemon is stopping); resolves once a held lease is given up. */
  close(): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    this.#setState('closed', 'daemon stopping');
    clearTimeout(this.#retryTimer);
    this.#channel?.close('daemon stopping');
    this.#channel = undefined;
    this.#ackWatchdog.stop();
    this.#outbox.detach();
    this.#waiters.releaseAll();
    return this.#lease?.stop() ?? Promise.resolve();
  }

  // ---- the lease (a shared store only) ----

  async #leaseAcquired(): Promise<void> {
    if (this.#state === 'closed') return;
    let stats: {count: number; lastSeq: number};
    try {
      stats = await this.env.services.store.outboxStats(this.name);
    } catch (err) {
      this.#lease?.lost(`the outbox could not be read (${String(err)})`);
      return;
    }
    if (!this.mayRun || (this.#state as LinkState) === 'closed') return;
    // Another process may have sent and settled rows while it held the link: start again from the database.
    this.#queued = stats.count;
    this.#window.reset(stats.lastSeq);
    this.#outbox.pump();
    if (!this.#started || this.#channel) return;
    if (this.#record.dial) void this.#dial();
    else this.#setState('backoff', 'waiting for the realm to connect');
  }

  #leaseLost(reason: string): void {
    clearTimeout(this.#retryTimer);
    this.#channel?.close(`link lease lost: ${reason}`);
    if (this.#state !== 'closed' && !this.#dialing) this.#setState('backoff', 'another process of this realm runs the link');
  }

  /** Outbox rows other processes of the realm added: counted, and sent while this process runs the link. */
  #refreshShared(): void {
    void Promise.resolve(this.env.services.store.outboxStats(this.name)).then((stats) => {
      this.#queued = stats.count;
      if (!this.mayRun) return;
      this.#window.learnCommitted(stats.lastSeq);
      this.#outbox.pump();
    }, () => {});
  }

  // ---- connection management ----

  async #dial(): Promise<void> {
    if (this.#state === 'closed' || this.#channel || this.#dialing) return;
    if (!this.mayRun) {
      this.#setState('backoff', 'another process of this realm runs the link');
      return;
    }
    this.#dialing = true;
    this.#setState('connecting', `dialling ${this.#record.host}:${this.#record.port}`);
    const result = await dialLink(
      this.env.handshakeSettings(),
      {host: this.#record.host, port: this.#record.port, expected: this.#record.name},
      () => {
        if (!this.#channel) this.#setState('handshaking');
      },
      this.env.stopping,
    );
    this.#dialing = false;
    if ((this.#state as LinkState) === 'closed') { // it may have closed while we dialled
      if (result.ok) result.channel.close('link closed');
      return;
    }
    if (result.ok) {
      this.adopt(result.channel);
      return;
    }
    if (this.#channel) return; // the peer connected to us meanwhile
    const {logger} = this.env.services;
    // Say it once per kind of failure, not at every retry of a peer that stays down.
    if (result.reason !== this.#lastDialError) {
      logger.warn('realm link: cannot connect', {realm: this.name, address: `${this.#record.host}:${this.#record.port}`, reason: result.reason});
      this.#lastDialError = result.reason;
    }
    this.#scheduleRedial();
  }

  #scheduleRedial(): void {
    // The client library's backoff: capped exponential, with jitter in [d/2, d].
    const delay = backoffDelay(this.#attempt++, {
      initialDelayMs: this.env.tunables.backoffBaseMs, maxDelayMs: this.env.tunables.backoffCapMs, random: this.env.random,
    });
    this.#setState('backoff', `redial in ${delay} ms`);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#dial(), delay);
    this.#retryTimer.unref();
  }

  #handlerFor(channel: LinkChannel): ChannelHandler {
    return {
      frame: (frame) => {
        if (channel === this.#channel) this.#onFrame(channel, frame);
      },
      chunkEnd: () => {
        if (channel === this.#channel) this.#inbound.chunkEnd();
      },
      writable: () => {
        if (channel === this.#channel) this.#outbox.writable();
      },
      closed: (reason) => this.#onClosed(channel, reason),
    };
  }

  #onFrame(channel: LinkChannel, frame: LinkFrame): void {
    switch (frame.type) {
      case 'msg':
        this.#inbound.receive(frame);
        return;
      case 'chunk':
        this.#inbound.chunk(frame);
        return;
      case 'ack':
        this.#onAck(frame);
        return;
      default:
        this.env.services.logger.warn('realm link: unexpected frame, closing', {realm: this.name, frame: frame.type});
        channel.close(`unexpected ${frame.type} frame`);
    }
  }

  #onClosed(channel: LinkChannel, reason: string): void {
    if (channel !== this.#channel) return;
    this.#channel = undefined;
    this.#ackWatchdog.stop();
    this.#outbox.detach();
    this.#inbound.reset();
    this.#waiters.releaseAll();
    if (this.#state === 'closed') return;
    this.env.services.logger.info('realm link lost', {realm: this.name, reason});
    if (!this.mayRun) this.#setState('backoff', 'another process of this realm runs the link');
    else if (this.#record.dial) this.#scheduleRedial();
    else this.#setState('backoff', 'waiting for the realm to reconnect');
  }

  #setState(next: LinkState, why?: string): void {
    if (next === this.#state) return;
    const from = this.#state;
    this.#state = next;
    const fields = {realm: this.name, from, to: next, ...(why ? {why} : {})};
    if (next === 'ready' || from === 'ready') this.env.services.logger.info('realm link state', fields);
    else this.env.services.logger.debug('realm link state', fields);
    // The link is down: no verdict will come soon.
    if (next !== 'ready' && next !== 'connecting' && next !== 'handshaking') this.#waiters.releaseAll();
  }

  // ---- sending ----

  /** The peer stored (or refused) everything up to `upto`: settle the outbox, tell the senders, send more. */
  #onAck(frame: AckFrame): void {
    const done = this.#outbox.acknowledge(frame.upto);
    if (done.length === 0) return;
    this.#ackWatchdog.progress();
    this.#queued = Math.max(0, this.#queued - done.length);
    const {store, clock, logger} = this.env.services;
    const refused = new Map(frame.refused ?? []);
    const notices: RemoteDelivery[] = [];
    const dropMessageIds: number[] = [];
    const verdicts: Array<[number, Verdict]> = [];
    for (const entry of done) {
      const code = refused.get(entry.seq);
      // Own keys only: a peer's code such as `constructor` must not pass for one of ours.
      const errorCode: ErrorCode | undefined =
        code === undefined ? undefined : Object.hasOwn(ERRORS, code) ? (code as ErrorCode) : 'INTERNAL';
      if (this.#waiters.has(entry.seq)) {
        verdicts.push([entry.seq, errorCode ? {kind: 'refused', code: errorCode} : {kind: 'delivered'}]);
        // The sender gets an ERROR: its copy goes, as if the message had never been accepted.
        if (errorCode) dropMessageIds.push(...entry.localIds);
      } else if (errorCode) {
        // The sender was told "queued": it learns of the refusal from a notice in its inbox.
        notices.push(deliveryFailureNotice(JSON.parse(entry.body) as MessageBody, this.name, errorCode, clock.now()));
        logger.info('realm refused a queued message; notice stored for its sender', {realm: this.name, seq: entry.seq, code: errorCode});
      }
    }
    const settled = () => {
      // Told only now: a refused sender's copy is gone from the store by the time it hears so.
      for (const [seq, verdict] of verdicts) this.#waiters.settle(seq, verdict);
      this.#outbox.pump();
    };
    // The rows stay on disk if this fails: after a restart they are resent, and the peer answers them again from
    // its dedup table.
    const failed = (err: unknown) => {
      logger.error('could not settle the outbox after an ack', {realm: this.name, err});
      settled();
    };
    try {
      // Fenced: under a lease another process took over meanwhile (or none held now: epoch 0 is never given out),
      // nothing changes and this process stops the link.
      const lease = this.#lease && (this.#lease.lease ?? {owner: '', epoch: 0});
      const applied = (ok: boolean) => {
        if (!ok) this.#lease?.lost('the lease moved to another process (its acknowledgement was not applied)');
        settled();
      };
      const written = store.completeOutbox({realm: this.name, upto: done[done.length - 1]!.seq, notices, dropMessageIds, ...(lease ? {lease} : {})});
      if (written instanceof Promise) written.then(applied, failed);
      else applied(written);
    } catch (err) {
      failed(err);
    }
  }
}
