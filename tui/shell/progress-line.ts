/**
 * The shell's progress of a file transfer: one line on stderr, rewritten in place (`\r`, erase to the end of the
 * line), only when stderr is a terminal (a pipe or a log file never gets these bytes) and the transfer is bigger than
 * PROGRESS_BYTES: `sending notes.bin  3.1 / 8.0 MiB  39 %`, or for `getfile`, whose size the shell does not know
 * before the reply, `fetching file 42  4.1 MiB received`. The line is erased when the transfer ends, so stdout's
 * result (or `--json`) is all that stays.
 */
import type {ProgressListener} from '../../common/client/client-protocol.js';
import {PROGRESS_BYTES, progressAmount, transferView} from '../shared/transfer-progress.js';

/** Names longer than this are cut, so the line fits a terminal and `\r` keeps rewriting one row. */
const MAX_NAME = 40;

const ERASE_TO_END = '\u001B[K';

/** One line rewritten in place; written only when its text changes. */
export class ProgressLine {
  readonly #stream: NodeJS.WritableStream;
  #shown = '';

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }

  /** Shows `text` in place of the line shown before. */
  show(text: string): void {
    if (text === this.#shown) return;
    this.#shown = text;
    this.#stream.write(`\r${text}${ERASE_TO_END}`);
  }

  /** Erases the line, if one is shown. */
  clear(): void {
    if (this.#shown === '') return;
    this.#shown = '';
    this.#stream.write(`\r${ERASE_TO_END}`);
  }
}

/** What a transfer is, for its progress line. */
export type ShellTransfer =
  | {readonly kind: 'send'; readonly name: string; readonly size: number}
  | {readonly kind: 'get'; readonly id: string};

/** A progress listener for ChatClient.request and the line it writes on, or undefined when there is nothing to show. */
export function shellProgress(transfer: ShellTransfer, stderr: NodeJS.WritableStream, stderrIsTTY: boolean): {onProgress: ProgressListener; line: ProgressLine} | undefined {
  if (!stderrIsTTY) return undefined;
  const line = new ProgressLine(stderr);
  if (transfer.kind === 'send') {
    if (transfer.size <= PROGRESS_BYTES) return undefined;
    const label = `sending ${shortName(transfer.name)}`;
    return {line, onProgress: (progress) => {
      const view = transferView('send', progress, transfer.size);
      if (view) line.show(`${label}  ${progressAmount(view)}`);
    }};
  }
  const label = `fetching file ${transfer.id}`;
  return {line, onProgress: (progress) => {
    const view = transferView('receive', progress);
    // The size is known only once the reply is in: a reply past PROGRESS_BYTES is a big file.
    if (view && view.bytes > PROGRESS_BYTES) line.show(`${label}  ${progressAmount(view)}`);
  }};
}

/** The name as the line shows it: no control characters (a terminal would obey them), at most MAX_NAME long. */
function shortName(name: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const plain = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return plain.length <= MAX_NAME ? plain : `${plain.slice(0, MAX_NAME - 1)}…`;
}
