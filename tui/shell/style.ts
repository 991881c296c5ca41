/** Terminal colors without a dependency: a handful of SGR codes, switched off when output is not a terminal. */

/** Wraps text in a color or attribute; identity functions when colors are off. */
export interface Style {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  magenta(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

export function createStyle(enabled: boolean): Style {
  if (!enabled) {
    return {enabled, bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain, magenta: plain};
  }
  return {
    enabled,
    bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39),
    yellow: sgr(33, 39), cyan: sgr(36, 39), magenta: sgr(35, 39),
  };
}

/** Removes SGR sequences, to measure the visible width of styled text. */
export function stripStyle(text: string): string {
  // eslint-disable-next-line no-control-regex -- SGR sequences start with ESC
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
