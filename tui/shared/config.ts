/**
 * The local session of realmchat (shell and TUI): which daemon to talk to and the session token of the last login.
 * Stored with conf in the XDG config folder (`$XDG_CONFIG_HOME/realmchat/config.json`, else
 * `~/.config/realmchat/config.json` on Linux) with file mode 0600. The password is never stored: the token is
 * enough to act as the user until `logout`, and the 0600 mode is what protects it.
 */
import {homedir} from 'node:os';
import {isAbsolute, join} from 'node:path';
import Conf from 'conf';
import {formatServerAddress, parseServerAddress, DEFAULT_SERVER, type ServerAddress} from '../../common/client/address.js';

/** What config.json holds. */
export interface StoredConfig {
  /** The daemon, `host:port`. */
  server?: string;
  /** Who the token belongs to. */
  username?: string;
  /** The session token of the last auth/register on `server`. */
  token?: string;
  /** The realm the daemon reported at login. */
  realm?: string;
}

/** Where to keep the config. */
export interface SessionConfigOptions {
  /** The folder of config.json; overrides everything else (tests). */
  configDir?: string;
  /** Environment to read XDG_CONFIG_HOME from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

const SCHEMA = {
  server: {type: 'string', pattern: '^\\S+:[0-9]{1,5}$'},
  username: {type: 'string', maxLength: 64},
  token: {type: 'string', pattern: '^[0-9a-fA-F-]{36}$'},
  realm: {type: 'string', maxLength: 64},
} as const;

/**
 * The folder of config.json for an environment: `$XDG_CONFIG_HOME/realmchat` when that is set (and absolute),
 * else undefined, meaning conf's platform default (`~/.config/realmchat` on Linux).
 */
export function configDirFor(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CONFIG_HOME;
  return base && isAbsolute(base) ? join(base, 'realmchat') : undefined;
}

/** The stored session, read and written through conf. One instance per process; no module-level state. */
export class SessionConfig {
  readonly #conf: Conf<StoredConfig>;

  /** Throws when config.json exists but is not valid (the message names the file). */
  constructor(options: SessionConfigOptions = {}) {
    const cwd = options.configDir ?? configDirFor(options.env ?? process.env);
    try {
      this.#conf = new Conf<StoredConfig>({
        projectName: 'realmchat',
        projectSuffix: '',
        configFileMode: 0o600,
        schema: SCHEMA,
        ...(cwd === undefined ? {} : {cwd}),
      });
    } catch (error) {
      // conf's messages ("Expected property name … in JSON at position 1") do not say which file.
      const dir = cwd ?? (process.platform === 'linux' ? join(homedir(), '.config', 'realmchat') : undefined);
      const file = dir === undefined ? 'realmchat/config.json in your config folder' : join(dir, 'config.json');
      throw new Error(`${file}: ${(error as Error).message}`, {cause: error});
    }
  }

  /** The path of config.json. */
  get path(): string {
    return this.#conf.path;
  }

  /** The remembered daemon, if any and valid. */
  get server(): ServerAddress | undefined {
    const text = this.#conf.get('server');
    return text === undefined ? undefined : parseServerAddress(text);
  }

  get username(): string | undefined {
    return this.#conf.get('username');
  }

  get token(): string | undefined {
    return this.#conf.get('token');
  }

  get realm(): string | undefined {
    return this.#conf.get('realm');
  }

  /** The daemon to use: the remembered one, else realmchatd's default. */
  serverOrDefault(): ServerAddress {
    return this.server ?? DEFAULT_SERVER;
  }

  /**
   * Remembers a daemon chosen with --server. A token belongs to the daemon that issued it, so switching to another
   * daemon forgets the stored token. Returns the username whose session was dropped, if any.
   */
  rememberServer(server: ServerAddress): {droppedSessionOf?: string} {
    const text = formatServerAddress(server);
    const previous = this.#conf.get('server');
    if (previous === text) return {};
    const droppedSessionOf = previous !== undefined && this.token !== undefined ? this.username ?? '?' : undefined;
    this.#conf.set('server', text);
    if (previous !== undefined) {
      this.#conf.delete('token');
      this.#conf.delete('realm');
    }
    return droppedSessionOf === undefined ? {} : {droppedSessionOf};
  }

  /** Stores the session of a successful auth/register. */
  saveSession(session: {server: ServerAddress; username: string; token: string; realm?: string}): void {
    this.#conf.set({server: formatServerAddress(session.server), username: session.username, token: session.token});
    if (session.realm !== undefined) this.#conf.set('realm', session.realm);
    else this.#conf.delete('realm');
  }

  /** Forgets the token (after logout, or when the daemon no longer knows it); the username stays as a hint. */
  clearToken(): void {
    this.#conf.delete('token');
  }
}
