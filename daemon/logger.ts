/** A small leveled logger. Passed into createDaemon so tests can capture or silence it. */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the daemon logs through. Fields are printed as key=value; never pass a password or a token. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Logs an error; an Error in `fields.err` is printed with its stack. */
  error(message: string, fields?: Record<string, unknown>): void;
}

function formatFields(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  let out = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) out += `\n${value.stack ?? value.message}`;
    else out += ` ${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`;
  }
  return out;
}

/** A logger writing one line per event (ISO time, level, message, fields) to a stream, dropping lower levels. */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (name: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (LOG_LEVELS.indexOf(name) < threshold) return;
    write(`${new Date().toISOString()} ${name.toUpperCase()} ${message}${formatFields(fields)}\n`);
  };
  return {debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error')};
}

/** A logger that drops everything. */
export const silentLogger: Logger = {debug() {}, info() {}, warn() {}, error() {}};
