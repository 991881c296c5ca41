/** Daemon addresses as users type them: `host:port`, `[v6]:port`. */

/** Where a daemon listens. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/** realmchatd's default address. */
export const DEFAULT_SERVER: ServerAddress = {host: '127.0.0.1', port: 8889};

/** Parses `host:port` or `[v6-address]:port`; undefined when it is not one. */
export function parseServerAddress(text: string): ServerAddress | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return {host: match[1] ?? match[2]!, port};
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatServerAddress(address: ServerAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
