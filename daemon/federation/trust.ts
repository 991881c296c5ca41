/**
 * Which public key may speak for which realm name. A key is trusted for a realm when it is pinned: configured
 * (`--peer NAME=HOST:PORT,KEY` or the peers file) or stored in the database (`realm_keys`, migration 4) by an
 * earlier trust on first use. With TOFU on (`--federation tofu`, or course mode), the first key that completes a
 * handshake for a name nobody pinned is stored and trusted from then on; with it off, an unpinned name is refused.
 * A configured pin always wins over a stored one.
 */
import type {Clock} from '../clock.js';
import type {Logger} from '../logger.js';
import type {Store} from '../store/types.js';
import type {KeyCheck} from './handshake.js';

/** How a daemon decides whom to trust. */
export interface TrustSettings {
  /** Configured pins: lower-cased realm name → public key. */
  readonly pins: ReadonlyMap<string, string>;
  /** Pin the first key seen for an unpinned name. */
  readonly tofu: boolean;
}

/** What one handshake checks a peer's key with: the pins of the realm it is for, read before it runs. */
export interface HandshakePins {
  /** The check the handshake runs on the key a peer presents for a name. */
  readonly check: KeyCheck;
  /**
   * After the handshake proved `key` for `realm`: pins it if nothing is pinned yet (TOFU). False when another key
   * was pinned meanwhile (two first connections raced): the link must be refused.
   */
  confirm(realm: string, key: string): boolean;
}

const lower = (name: string) => name.toLowerCase();

export class KeyPins {
  /** Keys pinned on first use by this process, so the second of two racing first handshakes loses. */
  readonly #pinnedHere = new Map<string, string>();

  constructor(
    private readonly settings: TrustSettings,
    private readonly services: {readonly store: Store; readonly clock: Clock; readonly logger: Logger},
  ) {}

  /** True when the realm is configured with a key (so any user may addrealm it). */
  configured(realm: string): boolean {
    return this.settings.pins.has(lower(realm));
  }

  /**
   * The pins for a handshake with `realm`: its configured key, else the one stored (read now, so the handshake
   * itself never waits for the store). Rejects when the store cannot be read: no handshake may trust on first use
   * then, since an unread pin is not an absent one.
   */
  async forRealm(realm: string): Promise<HandshakePins> {
    const stored = this.settings.pins.get(lower(realm)) ?? await this.services.store.realmKey(realm);
    const pinned = () => stored ?? this.#pinnedHere.get(lower(realm));
    const check: KeyCheck = (name, key) => {
      if (lower(name) !== lower(realm)) {
        return {ok: false, reason: 'unknown-realm', detail: `the handshake was prepared for realm ${realm}, not ${name}`};
      }
      const pin = pinned();
      if (pin === undefined) {
        return this.settings.tofu ? {ok: true}
          : {ok: false, reason: 'unknown-realm', detail: `no key is pinned for realm ${name} (and trust on first use is off)`};
      }
      return pin === key ? {ok: true} : {ok: false, reason: 'wrong-key', detail: `the key presented is not the one pinned for realm ${name}`};
    };
    const confirm = (name: string, key: string): boolean => {
      if (lower(name) !== lower(realm)) return false;
      const pin = pinned();
      if (pin !== undefined) return pin === key;
      if (!this.settings.tofu) return false;
      this.#pin(name, key);
      return true;
    };
    return {check, confirm};
  }

  /** A realm was unlinked: its key pinned on first use goes with it (the store deletes its row). */
  forget(realm: string): void {
    this.#pinnedHere.delete(lower(realm));
  }

  #pin(realm: string, key: string): void {
    this.#pinnedHere.set(lower(realm), key);
    const failed = (err: unknown) => this.services.logger.error('could not store a realm key pinned on first use', {realm, err});
    try {
      const written = this.services.store.pinRealmKey(realm, key, this.services.clock.now());
      if (written instanceof Promise) written.catch(failed);
    } catch (err) {
      failed(err);
    }
    this.services.logger.info('pinned a realm key on first use', {realm, key});
  }
}
