/**
 * `/set` and `/bell`: the client's settings (tui/shared/settings.ts) in the state, kept in config.json like
 * `realmchat config set` keeps them, so the next start (and the shell) sees them.
 */
import type {SessionConfig} from '../../shared/config.js';
import {formatSetting, isSettingName, parseSetting, SETTING_HELP, SETTING_NAMES, type SettingName, type Settings} from '../../shared/settings.js';
import type {StoreState} from './store-state.js';
import type {ChatState} from './types.js';

/** The part of the state each setting drives. */
function statePatch(name: SettingName, value: Settings[SettingName]): Partial<ChatState> {
  switch (name) {
    case 'bell': return {bell: value as boolean};
    case 'notify': return {notifications: value as boolean};
    case 'time': return {timeFormat: value as Settings['time']};
    case 'color': return {color: value as boolean};
    case 'mouse': return {mouse: value as boolean};
  }
}

/** The settings of the running client. */
export class UserSettings {
  constructor(private readonly state: StoreState, private readonly config: SessionConfig) {}

  /** The value a setting has on screen now. */
  current(name: SettingName): Settings[SettingName] {
    const state = this.state.current;
    switch (name) {
      case 'bell': return state.bell;
      case 'notify': return state.notifications;
      case 'time': return state.timeFormat;
      case 'color': return state.color;
      case 'mouse': return state.mouse;
    }
  }

  /** Changes a setting on screen and in config.json. */
  change<Name extends SettingName>(name: Name, value: Settings[Name]): void {
    this.state.set(statePatch(name, value));
    try {
      this.config.setSetting(name, value);
    } catch (error) {
      this.state.setStatus(`${name} is ${formatSetting(value)} until you quit: cannot write the config file (${(error as Error).message})`, 'error');
      return;
    }
    this.state.setStatus(`${name} ${formatSetting(value)} (kept in ${this.config.path})`, 'ok');
  }

  /** `/set`: every setting; `/set NAME`: one; `/set NAME VALUE`: change it. */
  run(name: string | undefined, value: string | undefined): void {
    const state = this.state;
    if (name === undefined) {
      state.setStatus(SETTING_NAMES.map((entry) => `${entry} ${formatSetting(this.current(entry))}`).join(' · '), 'info');
      return;
    }
    if (!isSettingName(name)) {
      state.setStatus(`/set: no setting "${name}"; the settings are ${SETTING_NAMES.join(', ')}`, 'error');
      return;
    }
    if (value === undefined) {
      state.setStatus(`${name} ${formatSetting(this.current(name))} — ${SETTING_HELP[name]}`, 'info');
      return;
    }
    const parsed = parseSetting(name, value);
    if (!parsed.ok) {
      state.setStatus(`/set: ${parsed.error}`, 'error');
      return;
    }
    this.change(name, parsed.value);
  }
}
