/**
 * One read from the terminal can hold several keys. Ink 6 splits a read at escape sequences only, and hands the rest
 * to useInput as one "text": keys typed faster than the client reads them (a password manager typing the password
 * and Enter, or a burst of keys while a frame is drawn) arrived as `pw\r`, and the line editor dropped the Enter,
 * Tab or Backspace in it. splitKeys cuts such a read back into the keys Ink reports when they come one at a time.
 *
 * Pastes are told apart by bracketed paste (the terminal wraps pasted text in ESC[200~ … ESC[201~; terminal.ts turns
 * it on): pasted text stays one insert, so a pasted line break never sends. Pure, apart from the paste flag it keeps.
 */
import type {Key} from 'ink';

/** No key flag set: plain text. */
export const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false,
  end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false,
  meta: false, super: false, hyper: false, capsLock: false, numLock: false,
};

/** The paste markers as useInput reports them (Ink strips their ESC). */
const PASTE_START = '[200~';
const PASTE_END = '[201~';

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- anything but a control character
const PRINTABLE = /[^\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- a key per control character, runs of text as one
const PIECES = /[\u0000-\u001f\u007f]|[^\u0000-\u001f\u007f]+/g;

/** Whether a bracketed paste is under way; splitKeys updates it. */
export interface PasteState {
  active: boolean;
}

/** One control character as Ink's useInput reports it when it arrives alone; undefined for ones it ignores. */
function controlKey(char: string): [string, Key] | undefined {
  switch (char) {
    case '\r': return ['\r', {...NO_KEY, return: true}];
    case '\n': return ['\n', NO_KEY];
    case '\t': return ['', {...NO_KEY, tab: true}];
    case '\u007f': return ['', {...NO_KEY, delete: true}];
    case '\b': return ['', {...NO_KEY, backspace: true}];
  }
  const code = char.charCodeAt(0);
  return code >= 1 && code <= 26 ? [String.fromCharCode(code + 96), {...NO_KEY, ctrl: true}] : undefined;
}

/** The keys in what useInput reported as one (`input`, `key`), in order. */
export function splitKeys(input: string, key: Key, paste: PasteState): Array<[string, Key]> {
  if (input === PASTE_START || input === PASTE_END) {
    paste.active = input === PASTE_START;
    return [];
  }
  if (paste.active) {
    // Pasted text is inserted as it is (the line editor turns its line breaks into spaces); lone keys are not typed.
    return key.ctrl || key.meta || !PRINTABLE.test(input) ? [] : [[input, NO_KEY]];
  }
  const flagged = Object.entries(key).some(([, value]) => value === true);
  if (input.length < 2 || flagged || !CONTROL.test(input)) return [[input, key]];
  const keys: Array<[string, Key]> = [];
  for (const piece of input.match(PIECES) ?? []) {
    if (!CONTROL.test(piece)) keys.push([piece, NO_KEY]);
    else {
      const control = controlKey(piece);
      if (control) keys.push(control);
    }
  }
  return keys;
}

/** A mouse event the terminal reported (SGR mouse mode, which terminal.ts turns on unless the mouse is off). */
export interface MouseEvent {
  /** `wheel-up`, `wheel-down`, a left-button `click` (press), or anything else (`other`: ignored). */
  readonly kind: 'wheel-up' | 'wheel-down' | 'click' | 'other';
  /** Column and row, 1-based, as the terminal counts them. */
  readonly x: number;
  readonly y: number;
}

/**
 * SGR mouse reports as useInput hands them, one or more in a read: Ink strips the ESC of the first (`[<64;10;5M`)
 * but not of the ones after it (a fast wheel sends several in one read).
 */
// eslint-disable-next-line no-control-regex -- the ESC of a terminal report is the point
const MOUSE = /\u001b?\[<(\d+);(\d+);(\d+)([Mm])/g;

/** The mouse events in a read, or undefined when it is not (only) mouse reports. Ink 6 does not parse the mouse. */
export function parseMouse(input: string): MouseEvent[] | undefined {
  if (!input.startsWith('[<') && !input.startsWith('\u001b[<')) return undefined;
  const events: MouseEvent[] = [];
  let consumed = 0;
  for (const match of input.matchAll(MOUSE)) {
    if (match.index !== consumed) return undefined;
    consumed += match[0].length;
    const button = Number(match[1]);
    const press = match[4] === 'M';
    const kind = button === 64 ? 'wheel-up' : button === 65 ? 'wheel-down' : button === 0 && press ? 'click' : 'other';
    events.push({kind, x: Number(match[2]), y: Number(match[3])});
  }
  return consumed === input.length && events.length > 0 ? events : undefined;
}
