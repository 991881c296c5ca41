/**
 * The receiving half of a link: judges each message from a peer realm (who gets it, or why it is refused),
 * deduplicates by message id, stores a chunk's messages with their ids in one write, and acknowledges only what
 * has committed. Acknowledgements are cumulative (`upto`) and carry the refusals, so the sender learns every
 * verdict exactly as stored. A file message is judged when its `msg` frame comes (this realm's own file limits
 * apply), then its chunks are assembled (inbound-file.ts) and only then is it stored and answered.
 */
import {fileBaseName, fileMessageText} from '../../common/protocol/files.js';
import type {ErrorCode} from '../../common/protocol/replies.js';
import {andThen} from '../awaitable.js';
import type {Clock} from '../clock.js';
import type {DaemonOptions} from '../context.js';
import type {Logger} from '../logger.js';
import type {InboxWaiters} from '../inbox-waiters.js';
import type {Awaitable, ReceivedMessage, RemoteDelivery, Store} from '../store/types.js';
import {REALM_SENDER, type Limits} from '../limits/index.js';
import {FileAssembly} from './inbound-file.js';
import {isWellFormedMessage, type AckFrame, type ChunkFrame, type MsgFrame} from './link-codec.js';
import {EXPIRY_MARGIN_MS} from './options.js';

/** What a verdict is made of. */
export interface InboundServices {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly inboxWaiters: InboxWaiters;
  readonly limits: Pick<Limits, 'inbound' | 'inboundRealm' | 'inboundFiles'>;
  readonly options: Pick<DaemonOptions, 'maxFileBytes'>;
}

/** Who receives a message on this realm, or why nobody does. */
export type Judgement = {verdict: null; deliveries: RemoteDelivery[]} | {verdict: ErrorCode; deliveries: []};

/**
 * Decides a message from realm `peer` (the link's authenticated name). A realm may only deliver messages that
 * come from itself; a group message reaches every member of the group here; a user list is all or nothing.
 */
export async function judgeMessage(store: Store, peer: string, frame: MsgFrame): Promise<Judgement> {
  if (!isWellFormedMessage(frame)) return {verdict: 'BAD_PARAMETER', deliveries: []};
  if (frame.origin.toLowerCase() !== peer.toLowerCase()) return {verdict: 'BAD_PARAMETER', deliveries: []};
  const file = frame.file && {name: fileBaseName(frame.file.name), size: frame.file.size, sha256: frame.file.sha256};
  const base = {
    sender: frame.from, senderRealm: peer, ts: frame.ts,
    ...(file ? {body: fileMessageText(file.name, file.size), file} : {body: frame.text}),
  };
  if ('to' in frame) {
    const user = await store.getUser(frame.to);
    if (!user) return {verdict: 'USER_NOT_FOUND', deliveries: []};
    return {verdict: null, deliveries: [{message: {...base, recipient: user.username}, recipients: [user.username]}]};
  }
  if ('group' in frame) {
    const group = await store.groupName(frame.group);
    if (group === undefined) return {verdict: 'GROUP_NOT_FOUND', deliveries: []};
    return {verdict: null, deliveries: [{message: {...base, group}, recipients: await store.members(group)}]};
  }
  const users = [];
  for (const name of new Set(frame.users.map((user) => user.toLowerCase()))) users.push(await store.getUser(name));
  if (users.some((user) => user === undefined)) return {verdict: 'USER_NOT_FOUND', deliveries: []};
  return {
    verdict: null,
    deliveries: users.map((user) => ({message: {...base, recipient: user!.username}, recipients: [user!.username]})),
  };
}

/**
 * True when a message is too old for its id to be still known if this were a resend (ids are pruned after the
 * retention window; a day of margin covers the two realms' clocks disagreeing).
 */
export function isExpired(frame: MsgFrame, now: number, retentionMs: number): boolean {
  return frame.ts >= 0 && now - frame.ts > retentionMs - EXPIRY_MARGIN_MS;
}

/** One link's receiver. `send` writes an ack on the link's current connection. */
export class InboundReceiver {
  /** Messages of the chunk being read, stored together at the chunk's end. */
  #batch: Array<{frame: MsgFrame; received: ReceivedMessage}> = [];
  /** Ids in the current batch, so a peer repeating an id within one chunk is still answered once. */
  readonly #batchIds = new Map<string, string | null>();
  /** Highest seq handled on this connection, and the refusals not yet acknowledged. */
  #handledUpto = -1;
  #refusals: Array<[number, string]> = [];
  /** Messages were handled since the last ack was scheduled. */
  #owesAck = false;
  #ackScheduled = false;
  #generation = 0;
  /**
   * Frames (messages, file chunks, chunk ends) are handled one after another, in order, whether the store answers
   * at once or later: each step waits for the one before. With a synchronous store the whole chunk is still handled
   * within its turn (microtasks), so its messages join that turn's group commit.
   */
  #work: Promise<void> = Promise.resolve();
  /** The file being received: every frame until its last chunk belongs to it. */
  #file: {assembly: FileAssembly; frame: MsgFrame; deliveries: RemoteDelivery[]} | undefined;

  constructor(
    private readonly services: InboundServices,
    /** The peer realm's stored name. */
    private readonly peer: string,
    private readonly send: (ack: AckFrame) => void,
    private readonly fail: (reason: string) => void,
    /** Ids are kept this long (received-pruner.ts); older messages are refused as MESSAGE_EXPIRED. */
    private readonly retentionMs: number = Number.POSITIVE_INFINITY,
  ) {}

  /** A new connection: acknowledgements pending for the old one are dropped (the peer resends those rows). */
  reset(): void {
    this.#generation++;
    this.#batch = [];
    this.#batchIds.clear();
    this.#handledUpto = -1;
    this.#refusals = [];
    this.#owesAck = false;
    this.#ackScheduled = false;
    this.#file?.assembly.discard();
    this.#file = undefined;
  }

  /** Judges a message (reads see every earlier write, committed or not); stores it at the chunk's end. */
  receive(frame: MsgFrame): void {
    this.#enqueue(() => this.#judge(frame));
  }

  /** A chunk of the file being received; chunks of files refused or already received are ignored. */
  chunk(frame: ChunkFrame): void {
    this.#enqueue(() => this.#chunk(frame));
  }

  /** Stores the chunk's messages in one write, wakes their readers, and schedules the ack after the commit. */
  chunkEnd(): void {
    this.#enqueue(() => this.#storeChunk());
  }

  /** Runs `step` after every step before it, unless the connection changed meanwhile; a failure ends the link. */
  #enqueue(step: () => Promise<void> | void): void {
    const generation = this.#generation;
    this.#work = this.#work
      .then(() => (generation === this.#generation ? step() : undefined))
      .catch((err: unknown) => {
        if (generation !== this.#generation) return;
        this.reset(); // what was judged of this connection is dropped: the peer resends it on the next one
        this.services.logger.error('could not handle messages from a realm', {realm: this.peer, err});
        this.fail('store failure');
      });
  }

  async #judge(frame: MsgFrame): Promise<void> {
    const {store, logger} = this.services;
    if (this.#file) {
      this.#protocolError('a message frame before the last chunk of a file');
      return;
    }
    const known = this.#batchIds.has(frame.id) ? this.#batchIds.get(frame.id)! : await store.receivedVerdict(this.peer, frame.id);
    if (known !== undefined) {
      this.#handled(frame, known); // a retry: answer as the first time, store nothing (its chunks are ignored)
      return;
    }
    let judgement = await judgeMessage(store, this.peer, frame);
    if (judgement.verdict === null && isExpired(frame, this.services.clock.now(), this.retentionMs)) {
      judgement = {verdict: 'MESSAGE_EXPIRED', deliveries: []};
    }
    const verdict = judgement.verdict ?? await this.#fileRefused(frame, judgement.deliveries) ?? await this.#rateLimited(frame, judgement.deliveries);
    if (verdict === 'BAD_PARAMETER') {
      logger.warn('refused a malformed or foreign-origin message from a realm', {realm: this.peer, origin: frame.origin, seq: frame.seq});
    }
    if (verdict === null && frame.file) {
      // Stored once its content is all here and checked (a refused file's chunks are ignored).
      this.#file = {assembly: new FileAssembly(frame.seq, frame.file, store.incomingBlob()), frame, deliveries: judgement.deliveries};
      if (this.#file.assembly.complete) await this.#fileDone(this.#file.assembly.finish());
      return;
    }
    this.#stored(frame, verdict, verdict === null ? judgement.deliveries : []);
  }

  /** Handles a chunk; waits (in the frame chain, so later frames wait too) while a finished file is stored. */
  #chunk(frame: ChunkFrame): Awaitable<void> {
    const file = this.#file;
    if (!file || file.assembly.seq !== frame.seq) return;
    const outcome = file.assembly.add(frame);
    switch (outcome.kind) {
      case 'more': return;
      case 'done': return this.#fileDone(outcome.stored);
      case 'lost':
        this.#file = undefined;
        this.#stored(file.frame, 'FILE_NOT_FOUND', []);
        return;
      case 'invalid':
        this.#file = undefined;
        this.#protocolError('a file chunk past the file\'s size or empty');
    }
  }

  /** The file being received is complete: stored (its message goes in the batch) or refused as BAD_FILE. */
  #fileDone(finished: Awaitable<boolean>): Awaitable<void> {
    const {frame, deliveries} = this.#file!;
    this.#file = undefined;
    // A blob written asynchronously (PostgreSQL) may finish after the connection changed: its message is then not ours.
    const generation = this.#generation;
    return andThen(finished, (stored) => {
      if (generation === this.#generation) this.#fileStored(frame, deliveries, stored);
    });
  }

  #fileStored(frame: MsgFrame, deliveries: RemoteDelivery[], stored: boolean): void {
    if (!stored) this.services.logger.warn('refused a file whose content does not match its SHA-256', {realm: this.peer, seq: frame.seq});
    this.#stored(frame, stored ? null : 'BAD_FILE', stored ? deliveries : []);
  }

  #protocolError(what: string): void {
    this.services.logger.warn('closing a realm link that broke the file protocol', {realm: this.peer, what});
    this.fail(what);
  }

  /** A message judged for the first time: its verdict (and deliveries) go in the chunk's batch. */
  #stored(frame: MsgFrame, verdict: string | null, deliveries: RemoteDelivery[]): void {
    this.#batch.push({frame, received: {uid: frame.id, verdict, deliveries}});
    this.#batchIds.set(frame.id, verdict);
    this.#handled(frame, verdict);
  }

  /** A message is answered: it counts towards the next ack. */
  #handled(frame: MsgFrame, verdict: string | null): void {
    if (verdict !== null) this.#refusals.push([frame.seq, verdict]);
    this.#handledUpto = Math.max(this.#handledUpto, frame.seq);
    this.#owesAck = true;
  }

  /**
   * This realm's own bounds on a file: its size (DaemonOptions.maxFileBytes: FILE_TOO_LARGE) and the remote
   * sender's file allowance (fileLimits: RATE_LIMITED); null when it may come, or when the message has no file.
   */
  async #fileRefused(frame: MsgFrame, deliveries: readonly RemoteDelivery[]): Promise<'FILE_TOO_LARGE' | 'RATE_LIMITED' | null> {
    if (!frame.file) return null;
    if (frame.file.size > this.services.options.maxFileBytes) return 'FILE_TOO_LARGE';
    const recipients = deliveries.flatMap((delivery) => delivery.recipients);
    return await this.services.limits.inboundFiles.take(frame.from, this.peer, recipients, frame.file.size) === 0 ? null : 'RATE_LIMITED';
  }

  /**
   * Applies the realm's allowance (DaemonOptions.realmLinkLimits), then the remote sender's (realmSendLimits):
   * RATE_LIMITED past either, else null.
   */
  async #rateLimited(frame: MsgFrame, deliveries: readonly RemoteDelivery[]): Promise<'RATE_LIMITED' | null> {
    const {inbound, inboundRealm} = this.services.limits;
    const bytes = Buffer.byteLength(frame.text);
    if (await inboundRealm.take(REALM_SENDER, this.peer, [], bytes) > 0) return 'RATE_LIMITED';
    const recipients = deliveries.flatMap((delivery) => delivery.recipients);
    return await inbound.take(frame.from, this.peer, recipients, bytes) === 0 ? null : 'RATE_LIMITED';
  }

  async #storeChunk(): Promise<void> {
    const {store, clock} = this.services;
    if (this.#batch.length > 0) {
      const batch = this.#batch;
      this.#batch = [];
      this.#batchIds.clear();
      await store.storeReceived(this.peer, batch.map((item) => item.received), clock.now());
      // The recipients' long polls wake on the store's hint once this commits (InboxWaiters).
    }
    if (this.#owesAck) this.#scheduleAck();
  }

  /** Acks only what is committed: the handled prefix as of now, once the store's current batch commits. */
  #scheduleAck(): void {
    if (this.#ackScheduled) return;
    this.#ackScheduled = true;
    this.#owesAck = false;
    const generation = this.#generation;
    const upto = this.#handledUpto;
    const refused = this.#refusals;
    this.#refusals = [];
    this.services.store.settled().then(
      () => {
        if (generation !== this.#generation) return;
        this.#ackScheduled = false;
        this.send(refused.length > 0 ? {type: 'ack', upto, refused} : {type: 'ack', upto});
        if (this.#owesAck) this.#scheduleAck();
      },
      (err: unknown) => {
        if (generation !== this.#generation) return;
        // Nothing of the failed batch is stored: the peer will resend it on the next connection.
        this.services.logger.error('commit of messages from a realm failed', {realm: this.peer, err});
        this.fail('commit failed');
      },
    );
  }
}
