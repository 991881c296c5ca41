/**
 * The receiving half of a link: judges each message from a peer realm (who gets it, or why it is refused),
 * deduplicates by message id, stores a chunk's messages with their ids in one write, and acknowledges only what
 * has committed. Acknowledgements are cumulative (`upto`) and carry the refusals, so the sender learns every
 * verdict exactly as stored.
 */
import type {ErrorCode} from '../../common/protocol/replies.js';
import type {Clock} from '../clock.js';
import type {Logger} from '../logger.js';
import type {InboxWaiters} from '../inbox-waiters.js';
import type {ReceivedMessage, RemoteDelivery, Store} from '../store/types.js';
import {REALM_SENDER, type Limits} from '../limits/index.js';
import {isWellFormedMessage, type AckFrame, type MsgFrame} from './link-codec.js';
import {EXPIRY_MARGIN_MS} from './options.js';

/** What a verdict is made of. */
export interface InboundServices {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly inboxWaiters: InboxWaiters;
  readonly limits: Pick<Limits, 'inbound' | 'inboundRealm'>;
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
  const base = {sender: frame.from, senderRealm: peer, body: frame.text, ts: frame.ts};
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
   * Frames are handled one after another (each sees the ones before it), in order, whether the store answers at
   * once or later: each step waits for the one before. With a synchronous store the whole chunk is still handled
   * within its turn (microtasks), so its messages join that turn's group commit.
   */
  #work: Promise<void> = Promise.resolve();

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
  }

  /** Judges a message (reads see every earlier write, committed or not); stores it at the chunk's end. */
  receive(frame: MsgFrame): void {
    this.#enqueue(() => this.#judge(frame));
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
    const known = this.#batchIds.has(frame.id) ? this.#batchIds.get(frame.id)! : await store.receivedVerdict(this.peer, frame.id);
    let verdict: string | null;
    if (known !== undefined) {
      verdict = known; // a retry: answer as the first time, store nothing
    } else {
      let judgement = await judgeMessage(store, this.peer, frame);
      if (judgement.verdict === null && isExpired(frame, this.services.clock.now(), this.retentionMs)) {
        judgement = {verdict: 'MESSAGE_EXPIRED', deliveries: []};
      }
      verdict = judgement.verdict ?? await this.#rateLimited(frame, judgement.deliveries);
      if (verdict === 'BAD_PARAMETER') {
        logger.warn('refused a malformed or foreign-origin message from a realm', {realm: this.peer, origin: frame.origin, seq: frame.seq});
      }
      this.#batch.push({frame, received: {uid: frame.id, verdict, deliveries: verdict === null ? judgement.deliveries : []}});
      this.#batchIds.set(frame.id, verdict);
    }
    if (verdict !== null) this.#refusals.push([frame.seq, verdict]);
    this.#handledUpto = Math.max(this.#handledUpto, frame.seq);
    this.#owesAck = true;
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
    const {store, clock, inboxWaiters} = this.services;
    if (this.#batch.length > 0) {
      const batch = this.#batch;
      this.#batch = [];
      this.#batchIds.clear();
      await store.storeReceived(this.peer, batch.map((item) => item.received), clock.now());
      for (const {received} of batch) {
        for (const delivery of received.deliveries) for (const user of delivery.recipients) inboxWaiters.notify(user);
      }
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
