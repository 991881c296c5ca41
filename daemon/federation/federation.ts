/**
 * createFederation: a daemon's realm links behind the Federation interface the realm commands use. Holds the
 * links by realm (no module-level state: two daemons in one process each have their own), accepts incoming links,
 * runs addrealm's check of the peer, and turns sends into durable outbox rows plus the peer's verdict. It answers
 * in domain results (federation-api.ts); the realm commands' handlers write the replies.
 */
import {randomUUID} from 'node:crypto';
import type {AddressInfo, Socket} from 'node:net';
import type {Recipients} from '../../common/protocol/request.js';
import type {Services} from '../context.js';
import type {RealmStatus} from '../../common/protocol/reply-shapes.js';
import type {AddRealmResult, Federation, LinkAcceptor, RealmSendResult, RemoveRealmResult} from '../federation-api.js';
import type {Awaitable, FileRef, NewMessage, RealmRecord} from '../store/types.js';
import type {SecureContext} from 'node:tls';
import {CoalescedRefresh} from './coalesced-refresh.js';
import {acceptLink, dialLink, type HandshakeSettings} from './connect.js';
import {generateIdentity, type RealmIdentity} from './identity.js';
import {isAdmin, mayAddRealm, type LinkPolicy} from './policy.js';
import {ReceivedPruner} from './received-pruner.js';
import {realmTlsContext} from './tls.js';
import {KeyPins} from './trust.js';
import type {LinkChannel} from './channel.js';
import {RealmLink, type LinkEnvironment} from './link.js';
import type {Verdict} from './verdict-waiters.js';
import {encodeMessageBody, LINK_HELLO_VERB, type MessageBody, type MessageTarget} from './link-codec.js';
import {DEFAULT_LINK_TUNABLES, type FederationConfig, type LinkTunables, type PeerAddress, type PeerSpec} from './options.js';

/** The daemon services federation runs on. */
export type FederationServices = Omit<Services, 'federation'>;

/** Builds the factory createDaemon takes (`federation` in DaemonConfig). Each daemon gets its own instance. */
export function createFederation(config: FederationConfig = {}): (services: FederationServices) => Federation {
  // One identity per config: a daemon restarted with the same config keeps its key.
  const identity = config.identity ?? generateIdentity();
  return (services) => new LinkedFederation(services, config, identity);
}

const lower = (name: string) => name.toLowerCase();

/** `::ffff:127.0.0.1` → `127.0.0.1`, for display. */
function plainAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

class LinkedFederation implements Federation {
  readonly acceptor: LinkAcceptor;
  readonly #services: FederationServices;
  readonly #config: FederationConfig;
  readonly #tunables: LinkTunables;
  readonly #peers = new Map<string, PeerSpec>();
  readonly #identity: RealmIdentity;
  readonly #pins: KeyPins;
  readonly #policy: LinkPolicy;
  readonly #pruner: ReceivedPruner;
  #tlsContext: SecureContext | undefined;
  readonly #links = new Map<string, RealmLink>();
  /** Realms whose addrealm check is running (a second addrealm for the same name answers "Realm sudah ada"). */
  readonly #adding = new Set<string>();
  /** Incoming connections still in their handshake. */
  readonly #handshaking = new Set<Socket>();
  readonly #env: LinkEnvironment;
  /** Aborted when the daemon stops: dials still in their handshake give up at once. */
  readonly #stopping = new AbortController();
  /** Re-reads the realm table (a store several processes share: what the others link or unlink reaches this one). */
  readonly #realmTable = new CoalescedRefresh(() => this.#reconcile());
  #unwatchRealms: (() => void) | undefined;
  #port = 0;
  #started = false;
  #closed = false;

  constructor(services: FederationServices, config: FederationConfig, identity: RealmIdentity) {
    this.#services = services;
    this.#config = config;
    this.#identity = identity;
    this.#tunables = {...DEFAULT_LINK_TUNABLES, ...config.tunables};
    const peers = config.peers instanceof Map ? [...config.peers] : Object.entries(config.peers ?? {});
    const pins = new Map<string, string>();
    for (const [name, address] of peers) {
      this.#peers.set(lower(name), address);
      if (address.key !== undefined) pins.set(lower(name), address.key);
    }
    this.#pins = new KeyPins({pins, tofu: config.tofu ?? false}, services);
    this.#policy = {admins: new Set((config.admins ?? []).map(lower)), courseMode: config.courseMode ?? false};
    this.#pruner = new ReceivedPruner(services, this.#tunables);
    this.#env = {
      services,
      tunables: this.#tunables,
      handshakeSettings: () => this.#handshakeSettings(),
      random: Math.random,
      stopping: this.#stopping.signal,
      // Unique per process and start: a restarted process must claim its leases anew.
      leaseOwner: randomUUID(),
    };
    this.acceptor = {verb: LINK_HELLO_VERB, accept: (socket, head) => this.#accept(socket, head)};
  }

  async load(): Promise<void> {
    const {store, logger} = this.#services;
    for (const record of await store.listRealms()) {
      this.#links.set(lower(record.name), await RealmLink.open(this.#env, record));
    }
    // Several processes of this realm: another one's addrealm or removerealm reaches this one by the store's hint.
    if (store.sharedLinks) {
      this.#unwatchRealms = store.wakeups().subscribeRealms(() => void this.#realmTable.request().catch((err: unknown) => {
        logger.warn('could not re-read the linked realms (read again on the next change or miss)', {err: String(err)});
      }));
    }
  }

  has(realm: string): Awaitable<boolean> {
    const name = this.realmName(realm);
    return name instanceof Promise ? name.then((found) => found !== undefined) : name !== undefined;
  }

  realmName(realm: string): Awaitable<string | undefined> {
    const link = this.#links.get(lower(realm));
    if (link || !this.#services.store.sharedLinks || this.#closed) return link?.name;
    // Another process may have linked it a moment ago, before its hint reached this one: read the table now.
    return this.#realmTable.request().then(() => this.#links.get(lower(realm))?.name);
  }

  /**
   * Brings the links in line with the realm table that other processes of the realm change: a realm linked there
   * gets a link here (it claims the lease like every link, so only the holder dials), one unlinked there is closed
   * here (giving up the lease if this process held it). Realms this process is adding itself are left alone.
   */
  async #reconcile(): Promise<void> {
    const {store, logger} = this.#services;
    const known = new Map(this.#links);
    const records = await store.listRealms();
    const stored = new Set(records.map((record) => lower(record.name)));
    for (const record of records) {
      if (this.#closed) return;
      const key = lower(record.name);
      const link = this.#links.get(key);
      if (link) {
        if (link.record.host !== record.host || link.record.port !== record.port || link.record.dial !== record.dial) link.updateRecord(record);
        continue;
      }
      if (this.#adding.has(key)) continue;
      const opened = await RealmLink.open(this.#env, record);
      if (this.#closed || this.#links.has(key)) {
        void opened.close();
        continue;
      }
      this.#links.set(key, opened);
      if (this.#started) opened.start();
      logger.info('realm linked by another process of this realm', {realm: record.name});
    }
    for (const [key, link] of known) {
      if (stored.has(key) || this.#links.get(key) !== link || this.#adding.has(key)) continue;
      this.#links.delete(key);
      this.#pins.forget(link.name);
      void link.close();
      logger.info('realm removed by another process of this realm', {realm: link.name});
    }
  }

  start(address: AddressInfo): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#port = address.port;
    for (const link of this.#links.values()) link.start();
    this.#pruner.start();
  }

  list(): RealmStatus[] {
    return [...this.#links.values()].map((link) => link.status()).sort((a, b) => a.name.localeCompare(b.name));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unwatchRealms?.();
    this.#stopping.abort();
    this.#pruner.stop();
    for (const socket of this.#handshaking) socket.destroy();
    this.#handshaking.clear();
    // Gives held link leases up, so another process of the realm takes the links over at once.
    await Promise.all([...this.#links.values()].map((link) => link.close()));
  }

  // ---- addrealm ----

  async add(realm: string, address: PeerAddress | undefined, by: string): Promise<AddRealmResult> {
    const {options, store, clock, logger} = this.#services;
    if (this.#adding.has(lower(realm))) return {kind: 'exists'};
    // Read through: another process of the realm may have linked it.
    if ((await this.has(realm)) || this.#adding.has(lower(realm))) return {kind: 'exists'};
    const configured = this.#peers.get(lower(realm));
    const target = address ?? configured;
    if (!target) return {kind: 'no-address'};
    if (!mayAddRealm(this.#policy, by, configured, address)) {
      logger.warn('addrealm refused: only an admin may link a realm this daemon does not know',
        {user: by, realm, address: `${target.host}:${target.port}`});
      return {kind: 'forbidden'};
    }
    this.#adding.add(lower(realm));
    try {
      const result = await dialLink(this.#handshakeSettings(), {...target, expected: realm}, undefined, this.#stopping.signal);
      if (this.#closed) {
        if (result.ok) result.channel.close('daemon stopping');
        return {kind: 'stopping'};
      }
      if (!result.ok) {
        logger.warn('addrealm: the realm cannot be reached', {realm, address: `${target.host}:${target.port}`, reason: result.reason});
        return {kind: 'unreachable'};
      }
      const existing = this.#links.get(lower(realm));
      if (existing) {
        // It linked to us while we were checking it: it ran addrealm for us at the same moment. A link that
        // nobody dials never comes back once its connection drops, so exactly one side must become the dialler:
        // the realm whose name sorts first (both sides decide alike). The other keeps the link it was given.
        if (existing.record.dial || lower(options.realm) > lower(result.peer)) {
          result.channel.close('already linked');
          return {kind: 'exists'};
        }
        const record: RealmRecord = {...existing.record, host: target.host, port: target.port, dial: true};
        await store.saveRealm(record);
        existing.updateRecord(record);
        existing.adopt(result.channel);
        logger.info('realm added (it was linking to us at the same time; this realm dials)',
          {realm: record.name, address: `${target.host}:${target.port}`});
        return {kind: 'added', realm: record.name, host: target.host, port: target.port};
      }
      const record: RealmRecord = {name: result.peer, host: target.host, port: target.port, dial: true, addedAt: clock.now()};
      const opened = await RealmLink.open(this.#env, record).catch((err: unknown) => {
        result.channel.close('store failure');
        throw err;
      });
      // A re-read of the realm table may have opened it meanwhile (it names the peer's spelling, not the one typed).
      const link = this.#links.get(lower(record.name)) ?? opened;
      if (link !== opened) void opened.close();
      // Several processes of this realm: the connection is only kept if this one gets the link's lease. The record
      // is committed with this request's reply (the connection awaits the store before answering).
      await this.#claimThenSave(link, record, link === opened).catch((err: unknown) => {
        result.channel.close('store failure');
        throw err;
      });
      link.adopt(result.channel);
      link.start();
      logger.info('realm added', {realm: record.name, address: `${target.host}:${target.port}`});
      return {kind: 'added', realm: record.name, host: target.host, port: target.port};
    } finally {
      this.#adding.delete(lower(realm));
    }
  }

  // ---- removerealm ----

  async remove(realm: string, by: string): Promise<RemoveRealmResult> {
    if (!isAdmin(this.#policy, by)) return {kind: 'forbidden'};
    await this.realmName(realm); // read through: another process of the realm may have linked it
    const link = this.#links.get(lower(realm));
    if (!link) return {kind: 'unknown-realm'};
    const {store, logger} = this.#services;
    const kept = link.status().queued;
    void link.close();
    this.#links.delete(lower(realm));
    this.#pins.forget(link.name);
    await store.removeRealm(link.name);
    logger.info('realm removed', {realm: link.name, by, outboxKept: kept});
    return {kind: 'removed', realm: link.name, outbox: kept};
  }

  /** Prunes old received ids now (tests; the daemon runs it every pruneIntervalMs). */
  pruneReceived(): Promise<number> {
    return this.#pruner.runOnce();
  }

  // ---- incoming links ----

  #accept(socket: Socket, head: Buffer): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#handshaking.add(socket);
    void acceptLink(this.#handshakeSettings(), socket, head).then((result) => {
      this.#handshaking.delete(socket);
      if (!result.ok) return; // refused and logged by acceptLink
      if (this.#closed) {
        result.channel.close('daemon stopping');
        return;
      }
      return this.#attachIncoming(result.channel, result.peer, result.peerPort, plainAddress(socket.remoteAddress));
    }).catch((err: unknown) => {
      this.#services.logger.warn('could not attach an incoming realm link (the peer redials)', {err: String(err)});
    });
  }

  /** An authenticated incoming link: registers the realm if it is new here (links are symmetric), then adopts it. */
  async #attachIncoming(channel: LinkChannel, peer: string, peerPort: number, host: string): Promise<void> {
    const {store, clock, logger} = this.#services;
    let link = this.#links.get(lower(peer));
    try {
      // Another process of the realm may have linked it (as the dialler): its record must not be overwritten here.
      if (!link && (await this.realmName(peer)) !== undefined) link = this.#links.get(lower(peer));
      if (!link) {
        const record: RealmRecord = {name: peer, host, port: peerPort, dial: false, addedAt: clock.now()};
        const opened = await RealmLink.open(this.#env, record);
        // An asynchronous store may have let another link of this realm in meanwhile: the first one stays.
        link = this.#links.get(lower(peer)) ?? opened;
        if (link === opened) {
          await this.#claimThenSave(opened, record, true);
          logger.info('realm linked by its peer', {realm: peer, from: channel.remote});
        } else {
          void opened.close(); // as addrealm does with a link it opened and did not keep
        }
      } else if (!link.record.dial && (link.record.host !== host || link.record.port !== peerPort)) {
        const record = {...link.record, host, port: peerPort};
        await store.saveRealm(record);
        link.updateRecord(record);
      }
    } catch (err) {
      channel.close('store failure');
      throw err;
    }
    // Several processes of this realm: a link new here claims its lease first (adopt refuses without it).
    if (!link.mayRun) await link.claim();
    if (this.#closed) {
      channel.close('daemon stopping');
      return;
    }
    link.adopt(channel);
    if (this.#started) link.start();
  }

  /**
   * Keeps the link of a realm linked here (addrealm, or the realm's first incoming link) and saves the realm. Several
   * processes of this realm: the lease is claimed before the realm is saved, so another process that hears of the
   * realm from the store finds the lease taken, instead of taking it and making this one drop the connection it has
   * just made or accepted. Marked as being added meanwhile, so a re-read of the realm table does not take the unsaved
   * link away. When the save fails, a link opened for it (`own`) goes again and gives its lease up.
   */
  async #claimThenSave(link: RealmLink, record: RealmRecord, own: boolean): Promise<void> {
    const key = lower(record.name);
    const marked = !this.#adding.has(key);
    if (marked) this.#adding.add(key);
    this.#links.set(key, link);
    try {
      await link.claim();
      await this.#services.store.saveRealm(record);
    } catch (err) {
      if (own && this.#links.get(key) === link) {
        this.#links.delete(key);
        void link.close(); // gives the lease up
      }
      throw err;
    } finally {
      if (marked) this.#adding.delete(key);
    }
  }

  // ---- sending ----

  sendPrivate(sender: string, realm: string, user: string, text: string, file?: FileRef): Promise<RealmSendResult> {
    return this.#send(sender, realm, {to: user}, text, file);
  }

  sendGroup(sender: string, realm: string, recipients: Recipients, text: string, file?: FileRef): Promise<RealmSendResult> {
    const target: MessageTarget = recipients.kind === 'group' ? {group: recipients.name} : {users: recipients.names};
    return this.#send(sender, realm, target, text, file);
  }

  /**
   * Accepts a message for another realm: the sender's copies and the outbox row commit together; then the reply
   * waits (boundedly) for the peer's verdict. A file's outbox row names its blob, which the link sends in chunks.
   */
  async #send(sender: string, realm: string, target: MessageTarget, text: string, file?: FileRef): Promise<RealmSendResult> {
    if (!this.#links.has(lower(realm))) await this.realmName(realm); // read through, as has()
    const link = this.#links.get(lower(realm));
    if (!link) return {kind: 'unknown-realm'};
    const {options, store, clock} = this.#services;
    const limited = await sendLimited(this.#services, sender, text, link.status().queued);
    if (limited) return limited;
    const ts = clock.now();
    const body = {id: newMessageId(ts), origin: options.realm, from: sender, text, ts, ...(file ? {file} : {}), ...target} as MessageBody;
    const copies = senderCopies(sender, link.name, target, text, ts).map((copy) => (file ? {...copy, file} : copy));
    const record = await store.enqueueOutbox(link.name, encodeMessageBody(body), copies, ts, file && {sha256: file.sha256, size: file.size});
    await store.settled(); // only a committed message may leave this realm
    const verdict: Verdict = await link.offer(record);
    if (verdict.kind === 'refused') return verdict;
    return {kind: 'accepted', realm: link.name, ids: record.localIds, queued: verdict.kind === 'queued'};
  }

  #handshakeSettings(): HandshakeSettings {
    return {
      self: this.#services.options.realm,
      identity: this.#identity,
      pins: this.#pins,
      tlsContext: () => (this.#tlsContext ??= realmTlsContext(this.#identity, this.#services.options.realm, new Date(this.#services.clock.now()))),
      tls: this.#config.tls ?? 'auto',
      port: this.#port,
      logger: this.#services.logger,
      maxFrameBytes: this.#tunables.maxFrameBytes,
      timeoutMs: this.#tunables.handshakeTimeoutMs,
      // A realm not linked here yet is accepted: its new link claims the lease before it adopts the connection.
      mayLink: (realm) => this.#links.get(lower(realm))?.mayRun ?? true,
    };
  }
}

/**
 * The bounds of a send to another realm: the sender's own rates (its unread cap is the other realm's to enforce)
 * and the realm's outbox (DaemonOptions.maxOutboxPerRealm). RATE_LIMITED with `retry_after` past either.
 */
async function sendLimited(
  services: FederationServices, sender: string, text: string, queued: number,
): Promise<RealmSendResult | undefined> {
  if (queued >= services.options.maxOutboxPerRealm) return {kind: 'rate-limited', retryAfter: 60};
  const retryAfter = await services.limits.send.take(sender, null, [], Buffer.byteLength(text));
  return retryAfter === 0 ? undefined : {kind: 'rate-limited', retryAfter};
}

/** The sender's own copies (for its history): one per private recipient, one for a group. Never in an inbox. */
function senderCopies(sender: string, realm: string, target: MessageTarget, text: string, ts: number): NewMessage[] {
  if ('to' in target) return [{sender, recipient: target.to, recipientRealm: realm, body: text, ts}];
  if ('group' in target) return [{sender, group: target.group, recipientRealm: realm, body: text, ts}];
  return target.users.map((user) => ({sender, recipient: user, recipientRealm: realm, body: text, ts}));
}

/**
 * A message id: a UUID version 7 (48-bit millisecond time, then random bits). Time-ordered ids keep the receiver's
 * dedup index (realm, id) growing at its end instead of at random places, which keeps its inserts cheap as it grows.
 */
export function newMessageId(now: number): string {
  // randomUUID draws from a pooled entropy buffer: a tenth of the cost of randomBytes per id. Its random bits after
  // the version digit (with the RFC 4122 variant already set) become the 74 random bits of the v7 id.
  const random = randomUUID();
  const time = now.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
