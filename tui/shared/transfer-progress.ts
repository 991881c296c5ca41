/**
 * What a file transfer has done so far, in words, for the shell's progress line and the full-screen client's status
 * line, from ChatClient's request progress. Pure.
 *
 * Sending, the line's length is known from the start: the share of it written is the share of the file. Fetching,
 * the reply is one JSON object whose length nobody says up front: when the caller knows the file's size (the
 * `file_size` of its inbox or history entry) the reply is taken to be the file's base64, 4/3 of it (the JSON around
 * it is a few hundred bytes), and the percentage stops at 99 until the reply is complete; without a size only the
 * bytes received are shown.
 */
import type {RequestProgress} from '../../common/client/client-protocol.js';
import {base64Length} from '../../common/protocol/files.js';

/** Transfers bigger than this show their progress. */
export const PROGRESS_BYTES = 1024 * 1024;

/** One transfer's progress, for people. */
export interface TransferView {
  /** Bytes of the file so far; of the reply when `size` is unknown. */
  readonly bytes: number;
  /** The file's size, when known. */
  readonly size: number | undefined;
  /** Whole percent, 100 only once done; undefined without a size. */
  readonly percent: number | undefined;
}

/**
 * The progress of a file going out (`send`: the phase of its request line) or coming in (`receive`: the phase of its
 * getfile reply); undefined for the other phase, which is a short line or a short reply.
 */
export function transferView(direction: RequestProgress['phase'], progress: RequestProgress, size?: number): TransferView | undefined {
  if (progress.phase !== direction) return undefined;
  if (size === undefined) return {bytes: progress.bytes, size: undefined, percent: undefined};
  const total = Math.max(1, progress.total ?? base64Length(size));
  const share = progress.done ? 1 : Math.min(1, progress.bytes / total);
  return {bytes: Math.round(share * size), size, percent: progress.done ? 100 : Math.min(99, Math.floor(share * 100))};
}

const MIB = 1024 * 1024;

/** Bytes in MiB with one decimal, the unit of every transfer big enough to show progress. */
function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}

/** `3.1 / 8.0 MiB  39 %`; without a size, `4.1 MiB received`. */
export function progressAmount(view: TransferView): string {
  if (view.size === undefined || view.percent === undefined) return `${mib(view.bytes)} MiB received`;
  return `${mib(view.bytes)} / ${mib(view.size)} MiB  ${view.percent} %`;
}
