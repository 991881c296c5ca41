/** The exit codes of realmchat, documented in docs/CLIENT.md. */
export const EXIT = {
  /** Done; the daemon answered OK. */
  OK: 0,
  /** The daemon answered ERROR (its message is on stderr). */
  DAEMON_ERROR: 1,
  /** Wrong use of realmchat: unknown command or option, missing or bad arguments. */
  USAGE: 2,
  /** The daemon could not be reached, or did not answer. */
  UNREACHABLE: 3,
} as const;

/** One of the exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
