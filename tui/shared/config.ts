/**
 * The local session of realmchat (shell and TUI): which daemon to talk to and the session token of the last login.
 * Stored as JSON in the XDG config folder (`$XDG_CONFIG_HOME/realmchat/config.json`, else
 * `~/.config/realmchat/config.json` on Linux) with file mode 0600. The password is never stored: the token is
 * enough to act as the user until `logout`, and the 0600 mode is what protects it.
 */
import {chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {dirname, isAbsolute, join} from 'node:path';
import {formatServerAddress, parseServerAddress, DEFAULT_SERVER, type ServerAddress} from '../../common/client/address.js';
import {withDefaults, type SettingName, type Settings} from './settings.js';

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
  /** The client's settings (tui/shared/settings.ts); missing ones take their defaults. */
  settings?: Partial<Settings>;
}

/** Where to keep the config. */
export interface SessionConfigOptions {
  /** The folder of config.json; overrides everything else (tests). */
  configDir?: string;
  /** Environment to read XDG_CONFIG_HOME from. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Each stored field's check (the file is hand-editable: a field that fails it makes the file unusable). */
const CHECKS: Readonly<Record<keyof StoredConfig, (value: unknown) => boolean>> = {
  server: (value) => typeof value === 'string' && /^\S+:[0-9]{1,5}$/.test(value),
  username: (value) => typeof value === 'string' && value.length <= 64,
  token: (value) => typeof value === 'string' && /^[0-9a-fA-F-]{36}$/.test(value),
  realm: (value) => typeof value === 'string' && value.length <= 64,
  settings: (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
};

/** The platform's config folder for realmchat when XDG_CONFIG_HOME does not say (where conf put it before). */
function platformConfigDir(env: NodeJS.ProcessEnv): string {
  switch (process.platform) {
    case 'darwin': return join(homedir(), 'Library', 'Preferences', 'realmchat');
    case 'win32': return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'realmchat', 'Config');
    default: return join(homedir(), '.config', 'realmchat');
  }
}

/**
 * The folder of config.json for an environment: `$XDG_CONFIG_HOME/realmchat` when that is set (and absolute),
 * else undefined, meaning the platform's default (`~/.config/realmchat` on Linux).
 */
export function configDirFor(env: NodeJS.ProcessEnv): string | undefined {
  const base = env.XDG_CONFIG_HOME;
  return base && isAbsolute(base) ? join(base, 'realmchat') : undefined;
}

/**
 * The stored session and settings in config.json. One instance per process; no module-level state. The file is read
 * once and written whole on every change, to a temporary file renamed over it, with mode 0600 (a plain JSON file:
 * no conf and no schema compiler, so a one-shot command starts quickly; issue 12, point 15).
 */
export class SessionConfig {
  readonly #file: string;
  #data: StoredConfig;

  /** Throws when config.json exists but is not valid (the message names the file). */
  constructor(options: SessionConfigOptions = {}) {
    const env = options.env ?? process.env;
    const dir = options.configDir ?? configDirFor(env) ?? platformConfigDir(env);
    this.#file = join(dir, 'config.json');
    this.#data = readConfig(this.#file);
  }

  /** The path of config.json. */
  get path(): string {
    return this.#file;
  }

  /** The remembered daemon, if any and valid. */
  get server(): ServerAddress | undefined {
    const text = this.#current.server;
    return text === undefined ? undefined : parseServerAddress(text);
  }

  get username(): string | undefined {
    return this.#current.username;
  }

  get token(): string | undefined {
    return this.#current.token;
  }

  get realm(): string | undefined {
    return this.#current.realm;
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
    const previous = this.#current.server;
    if (previous === text) return {};
    const droppedSessionOf = previous !== undefined && this.token !== undefined ? this.username ?? '?' : undefined;
    this.#update((data) => (previous === undefined ? {...data, server: text} : {...without(data, 'token', 'realm'), server: text}));
    return droppedSessionOf === undefined ? {} : {droppedSessionOf};
  }

  /** Stores the session of a successful auth/register. */
  saveSession(session: {server: ServerAddress; username: string; token: string; realm?: string}): void {
    this.#update((data) => ({
      ...without(data, 'realm'), server: formatServerAddress(session.server), username: session.username, token: session.token,
      ...(session.realm === undefined ? {} : {realm: session.realm}),
    }));
  }

  /** The settings, with the defaults for those never set. */
  get settings(): Settings {
    return withDefaults(this.#current.settings);
  }

  /** Changes one setting (kept in config.json). */
  setSetting<Name extends SettingName>(name: Name, value: Settings[Name]): void {
    this.#update((data) => ({...data, settings: {...data.settings, [name]: value}}));
  }

  /** Forgets the token (after logout, or when the daemon no longer knows it); the username stays as a hint. */
  clearToken(): void {
    if (this.#current.token === undefined) return;
    this.#update((data) => without(data, 'token'));
  }

  /** The file as it is now (another realmchat may have changed it); the last known state when it cannot be read. */
  get #current(): StoredConfig {
    try {
      this.#data = readConfig(this.#file);
    } catch {
      // Keep what was read last.
    }
    return this.#data;
  }

  /**
   * Changes the file: reads it as it is now, applies `change`, writes the whole file (0600, through a temporary file
   * renamed over it).
   */
  #update(change: (data: StoredConfig) => StoredConfig): void {
    const data = change(this.#current);
    mkdirSync(dirname(this.#file), {recursive: true, mode: 0o700});
    const temporary = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(data, undefined, '\t')}\n`, {mode: 0o600});
    chmodSync(temporary, 0o600);
    renameSync(temporary, this.#file);
    this.#data = data;
  }
}

/** A copy of `data` without some fields. */
function without(data: StoredConfig, ...keys: (keyof StoredConfig)[]): StoredConfig {
  const copy = {...data};
  for (const key of keys) delete copy[key];
  return copy;
}

/** Reads config.json: nothing when it does not exist; throws (naming the file) when it is not valid. */
function readConfig(file: string): StoredConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`${file}: ${(error as Error).message}`, {cause: error});
  }
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, {cause: error});
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`${file}: not a JSON object`);
  for (const [key, check] of Object.entries(CHECKS)) {
    const value = (data as Record<string, unknown>)[key];
    if (value !== undefined && !check(value)) throw new Error(`${file}: the value of "${key}" is not valid`);
  }
  return data as StoredConfig;
}
