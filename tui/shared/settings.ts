/**
 * The client's settings (issue 12, point 12): kept in config.json under `settings`, read by both faces, changed with
 * `realmchat config set NAME VALUE` or `/set NAME VALUE` in the full-screen client. Flags (--no-bell, --no-color,
 * --no-mouse) and NO_COLOR still win for one run. Pure: the reading and writing is SessionConfig's.
 */

/** Every setting and its value. */
export interface Settings {
  /** Ring the terminal bell for direct messages and mentions. */
  readonly bell: boolean;
  /** Colours in the full-screen client (`NO_COLOR` and --no-color still turn them off). */
  readonly color: boolean;
  /** How times are shown in the full-screen client. */
  readonly time: '24h' | '12h';
  /** Desktop notifications through the terminal (OSC 777 / OSC 9) for direct messages and mentions. */
  readonly notify: boolean;
  /** The mouse: wheel scrolls the history, a click selects a tab or conversation. */
  readonly mouse: boolean;
}

export type SettingName = keyof Settings;

/** The defaults. */
export const DEFAULT_SETTINGS: Settings = {bell: true, color: true, time: '24h', notify: false, mouse: true};

/** One line of help per setting, in the order shown. */
export const SETTING_HELP: Readonly<Record<SettingName, string>> = {
  bell: 'on|off: ring the terminal bell for direct messages and mentions',
  color: 'on|off: colours in the full-screen client',
  time: '24h|12h: how times are shown',
  notify: 'on|off: desktop notifications (OSC 777 / OSC 9) for direct messages and mentions',
  mouse: 'on|off: mouse wheel scrolls, a click selects a tab or conversation',
};

export const SETTING_NAMES = Object.keys(DEFAULT_SETTINGS) as SettingName[];

/** True for a setting's name. */
export function isSettingName(name: string): name is SettingName {
  return (SETTING_NAMES as string[]).includes(name);
}

const ON = new Set(['on', 'true', 'yes', '1']);
const OFF = new Set(['off', 'false', 'no', '0']);

/** Reads a value typed for a setting; an error text (what it allows) when it does not fit. */
export function parseSetting(name: SettingName, text: string): {ok: true; value: Settings[SettingName]} | {ok: false; error: string} {
  const word = text.trim().toLowerCase();
  if (name === 'time') {
    return word === '24h' || word === '12h' ? {ok: true, value: word} : {ok: false, error: `time is 24h or 12h, not "${text}"`};
  }
  if (ON.has(word)) return {ok: true, value: true};
  if (OFF.has(word)) return {ok: true, value: false};
  return {ok: false, error: `${name} is on or off, not "${text}"`};
}

/** A setting's value as typed: `on`, `off`, `24h`. */
export function formatSetting(value: Settings[SettingName]): string {
  return typeof value === 'boolean' ? (value ? 'on' : 'off') : value;
}

/** Stored settings (possibly partial or from an older version) with the defaults filled in. */
export function withDefaults(stored: Partial<Record<string, unknown>> | undefined): Settings {
  const settings: Record<string, unknown> = {...DEFAULT_SETTINGS};
  for (const name of SETTING_NAMES) {
    const value = stored?.[name];
    if (typeof value === typeof DEFAULT_SETTINGS[name] && (name !== 'time' || value === '24h' || value === '12h')) settings[name] = value;
  }
  return settings as unknown as Settings;
}
