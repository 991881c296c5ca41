/**
 * Wake-up hints: a store tells the daemon's long polls that someone may have new unread messages (or lost a session,
 * which a waiting long poll must notice at once). A hint is only a hint: a waiter re-reads the store. A resync means
 * hints may have been missed (the PostgreSQL listener reconnected), so every waiter re-checks. The same hub tells the
 * realm links when another process of the realm changed the linked realms (addrealm, removerealm, a peer that linked
 * in): they re-read the realm table.
 */

/** Who may have new unread messages: their names, or '*' for anyone. */
export type WakeupHint = readonly string[] | '*';

/** Where the daemon subscribes to wake-up hints. */
export interface Wakeups {
  /**
   * Calls `onHint` when messages were delivered and `onResync` when hints may have been lost; returns an unsubscribe.
   * PostgreSQL hints after the commit (other processes can only read it then); SQLite, one process, as soon as the
   * write is in the open batch, so a woken reader's read joins that batch and its reply leaves with the same commit.
   */
  subscribe(onHint: (users: WakeupHint) => void, onResync: () => void): () => void;
  /**
   * Calls `onChanged` when another process of the realm committed a change of the linked realms, and after a resync
   * (a change may have been missed); returns an unsubscribe. A store of one process never calls it.
   */
  subscribeRealms(onChanged: () => void): () => void;
}

interface Subscriber {
  onHint: (users: WakeupHint) => void;
  onResync: () => void;
}

/** The subscribers of one store, and the two announcements the store makes to them. */
export class WakeupHub implements Wakeups {
  readonly #subscribers = new Set<Subscriber>();
  readonly #realmWatchers = new Set<() => void>();

  subscribe(onHint: (users: WakeupHint) => void, onResync: () => void): () => void {
    const subscriber = {onHint, onResync};
    this.#subscribers.add(subscriber);
    return () => { this.#subscribers.delete(subscriber); };
  }

  subscribeRealms(onChanged: () => void): () => void {
    const watcher = () => onChanged();
    this.#realmWatchers.add(watcher);
    return () => { this.#realmWatchers.delete(watcher); };
  }

  /** Another process changed the linked realms. */
  realmsChanged(): void {
    for (const watcher of [...this.#realmWatchers]) notify(watcher);
  }

  hint(users: WakeupHint): void {
    if (users !== '*' && users.length === 0) return;
    for (const subscriber of [...this.#subscribers]) notify(() => subscriber.onHint(users));
  }

  resync(): void {
    for (const subscriber of [...this.#subscribers]) notify(() => subscriber.onResync());
    this.realmsChanged();
  }
}

/** Calls a subscriber; one that throws is a bug reported on its own, never a failure of the commit that hinted. */
function notify(call: () => void): void {
  try {
    call();
  } catch (error) {
    queueMicrotask(() => { throw error; });
  }
}
