/**
 * Who may make this daemon link a realm (addrealm) or drop one (removerealm). Linking a realm the daemon does not
 * already know makes it dial an address a user chose, so it is an administrator's act (`--admins`); any user may
 * link a configured peer at its configured address; in course mode (`--demo-users`) any user may also link a realm
 * on a loopback address, so the course's two realms on one machine link with no set-up. Pure.
 */
import type {PeerAddress, PeerSpec} from './options.js';

/** The rules' inputs. */
export interface LinkPolicy {
  /** Lower-cased usernames of the administrators. */
  readonly admins: ReadonlySet<string>;
  readonly courseMode: boolean;
}

/** True for a literal loopback host: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  return host.toLowerCase() === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1';
}

export function isAdmin(policy: LinkPolicy, user: string): boolean {
  return policy.admins.has(user.toLowerCase());
}

/**
 * Whether `user` may run addrealm for `realm` at `address` (undefined: the configured address). `configured` is
 * the realm's --peer entry, if any.
 */
export function mayAddRealm(
  policy: LinkPolicy, user: string, configured: PeerSpec | undefined, address: PeerAddress | undefined,
): boolean {
  if (isAdmin(policy, user)) return true;
  if (configured && (!address || (address.host === configured.host && address.port === configured.port))) return true;
  const target = address ?? configured;
  return policy.courseMode && target !== undefined && isLoopbackHost(target.host);
}
