/**
 * Logs a repeated condition once per burst: the first occurrence at once (warn, with its fields), then, once it has
 * not happened for `quietMs`, how many times it happened in all. A flood is one pair of lines, never one per event.
 */
import type {Logger} from './logger.js';

/** The two lines of a burst and the field that carries its count. */
export interface BurstMessages {
  first: string;
  end: string;
  countField: string;
}

export class BurstLog {
  #count = 0;
  #quietTimer: NodeJS.Timeout | undefined;

  constructor(private readonly logger: Logger, private readonly messages: BurstMessages, private readonly quietMs = 10_000) {}

  /** One more occurrence; logged only when it starts a burst. */
  readonly note = (fields?: Record<string, unknown>): void => {
    if (this.#count++ === 0) this.logger.warn(this.messages.first, fields);
    clearTimeout(this.#quietTimer);
    this.#quietTimer = setTimeout(() => this.#endBurst(), this.quietMs);
    this.#quietTimer.unref();
  };

  #endBurst(): void {
    this.logger.warn(this.messages.end, {[this.messages.countField]: this.#count});
    this.#count = 0;
  }

  stop(): void {
    clearTimeout(this.#quietTimer);
  }
}
