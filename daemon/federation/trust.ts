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

export class KeyPins {
  constructor(
    private readonly settings: TrustSettings,
    private readonly services: {readonly store: Store; readonly clock: Clock; readonly logger: Logger},
  ) {}

  /** The key pinned for a realm (configured first, then stored), or undefined. */
  pinned(realm: string): string | undefined {
    return this.settings.pins.get(realm.toLowerCase()) ?? this.services.store.realmKey(realm);
  }

  /** True when the realm is configured with a key (so any user may addrealm it). */
  configured(realm: string): boolean {
    return this.settings.pins.has(realm.toLowerCase());
  }

  /** The check the handshake runs on the key a peer presents for a name. */
  readonly check: KeyCheck = (realm, key) => {
    const pin = this.pinned(realm);
    if (pin === undefined) {
      return this.settings.tofu ? {ok: true}
        : {ok: false, reason: 'unknown-realm', detail: `no key is pinned for realm ${realm} (and trust on first use is off)`};
    }
    return pin === key ? {ok: true} : {ok: false, reason: 'wrong-key', detail: `the key presented is not the one pinned for realm ${realm}`};
  };

  /**
   * After a handshake proved `key` for `realm`: pins it if nothing is pinned yet (TOFU). False when another key
   * was pinned meanwhile (two first connections raced): the link must be refused.
   */
  confirm(realm: string, key: string): boolean {
    const pin = this.pinned(realm);
    if (pin !== undefined) return pin === key;
    if (!this.settings.tofu) return false;
    this.services.store.pinRealmKey(realm, key, this.services.clock.now());
    this.services.logger.info('pinned a realm key on first use', {realm, key});
    return true;
  }
}
