/**
 * A file transfer's progress in the status line. Each change of the status line is a render of the screen, and a
 * transfer tells its progress at every 256 KiB written or every socket read, so the line changes at most every
 * MIN_INTERVAL_MS (ten renders a second at most) and only while the conversation it is about is on screen (a status
 * line about another conversation goes when that one leaves the screen, issue 12, point 4).
 */
import type {ProgressListener, RequestProgress} from '../../../common/client/client-protocol.js';
import type {StoreState} from './store-state.js';

/** The status line shows a transfer's progress at most this often. */
export const MIN_INTERVAL_MS = 100;

/**
 * A progress listener that shows `describe(progress)` (nothing when it says undefined) as the info status of the
 * conversation `key`, at most every MIN_INTERVAL_MS by `now`.
 */
export function progressStatus(
  state: StoreState, key: string, now: () => number, describe: (progress: RequestProgress) => string | undefined,
): ProgressListener {
  let shownAt = Number.NEGATIVE_INFINITY;
  let shown: string | undefined;
  return (progress) => {
    const text = describe(progress);
    if (text === undefined || text === shown || state.visibleKey() !== key) return;
    const at = now();
    if (at - shownAt < MIN_INTERVAL_MS) return;
    shownAt = at;
    shown = text;
    state.setStatus(text, 'info', key);
  };
}
