/**
 * Desktop notifications through the terminal (issue 12, point 14): OSC 777 (`ESC ] 777 ; notify ; title ; body BEL`,
 * urxvt, foot, VTE terminals, WezTerm) or OSC 9 (`ESC ] 9 ; text BEL`, iTerm2, Windows Terminal, kitty, Ghostty,
 * WezTerm). Which one a terminal understands is read from its environment; REALMCHAT_NOTIFY=osc777|osc9|none
 * decides by hand. A terminal that knows neither gets nothing. Pure.
 */
import type {Notification} from './store/mentions.js';

export type NotificationStyle = 'osc777' | 'osc9' | 'none';

/** The sequence this terminal understands, from its environment. */
export function notificationStyle(env: NodeJS.ProcessEnv): NotificationStyle {
  const chosen = env.REALMCHAT_NOTIFY?.toLowerCase();
  if (chosen === 'osc777' || chosen === 'osc9' || chosen === 'none') return chosen;
  const program = env.TERM_PROGRAM ?? '';
  const term = env.TERM ?? '';
  if (program === 'iTerm.app' || program === 'ghostty' || env.WT_SESSION !== undefined || term === 'xterm-kitty') return 'osc9';
  if (program === 'WezTerm' || env.VTE_VERSION !== undefined || term.startsWith('rxvt') || term.startsWith('foot')) return 'osc777';
  return 'none';
}

// eslint-disable-next-line no-control-regex -- control characters end or break an OSC sequence
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Text made safe inside an OSC sequence (no control characters; OSC 777 fields also lose `;`), and kept short. */
function clean(text: string, max: number, semicolons: boolean): string {
  const plain = text.replace(CONTROL, ' ');
  const safe = semicolons ? plain : plain.replaceAll(';', ',');
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}

/** The bytes that raise `notification` in a terminal of `style`; undefined for none. */
export function notificationSequence(notification: Notification, style: NotificationStyle): string | undefined {
  switch (style) {
    case 'osc777': return `\u001B]777;notify;${clean(notification.title, 80, false)};${clean(notification.body, 200, false)}\u0007`;
    case 'osc9': return `\u001B]9;${clean(`${notification.title}: ${notification.body}`, 240, true)}\u0007`;
    case 'none': return undefined;
  }
}
