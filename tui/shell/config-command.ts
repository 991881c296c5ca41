/**
 * `realmchat config [get [NAME]] | set NAME VALUE`: the client's settings (tui/shared/settings.ts) in config.json,
 * the ones the full-screen client's /set changes (issue 12, point 12). No daemon is involved.
 */
import type {SessionConfig} from '../shared/config.js';
import {formatSetting, isSettingName, parseSetting, SETTING_HELP, SETTING_NAMES} from '../shared/settings.js';
import {EXIT, type ExitCode} from './exit-codes.js';

const USAGE = 'usage:   realmchat config get [NAME]   |   realmchat config set NAME VALUE\n' +
  `settings: ${SETTING_NAMES.join(', ')}\n`;

/** Runs `realmchat config …`; the exit code (2 for a usage error). */
export function runConfigCommand(args: readonly string[], config: SessionConfig, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): ExitCode {
  const [action = 'get', name, ...rest] = args;
  const usage = (problem: string) => {
    stderr.write(`realmchat config: ${problem}\n${USAGE}`);
    return EXIT.USAGE;
  };
  if (action !== 'get' && action !== 'set') return usage(`"${action}" is not get or set`);
  if (name !== undefined && !isSettingName(name)) return usage(`no setting "${name}"`);
  const settings = config.settings;
  if (action === 'get') {
    if (rest.length > 0) return usage('get takes at most one name');
    const names = name === undefined ? SETTING_NAMES : [name];
    const width = Math.max(...names.map((entry) => entry.length));
    for (const entry of names) {
      stdout.write(name === undefined ? `${entry.padEnd(width)}  ${formatSetting(settings[entry]).padEnd(5)}  ${SETTING_HELP[entry]}\n` : `${formatSetting(settings[entry])}\n`);
    }
    return EXIT.OK;
  }
  if (name === undefined || rest.length !== 1) return usage('set takes a name and a value');
  const parsed = parseSetting(name, rest[0]!);
  if (!parsed.ok) return usage(parsed.error);
  config.setSetting(name, parsed.value);
  stdout.write(`${name} ${formatSetting(parsed.value)} (kept in ${config.path})\n`);
  return EXIT.OK;
}
