/** How an inbox page is cut from the unread rows a store read (one more than the page holds, to learn of more). */
import type {InboxLimits, InboxPage, StoredMessage} from './types.js';

/**
 * The page of `rows` (in arrival order): at most `limits.maxMessages`, and messages only while their bytes
 * (`bytesOf`: text plus the base64 of a file) stay within `limits.maxBytes`; one message always fits.
 */
export function cutInboxPage<Row>(
  rows: readonly Row[], limits: InboxLimits, bytesOf: (row: Row) => number, toMessage: (row: Row) => StoredMessage,
): InboxPage {
  const messages: StoredMessage[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (messages.length === limits.maxMessages) break;
    bytes += bytesOf(row);
    if (messages.length > 0 && bytes > limits.maxBytes) break;
    messages.push(toMessage(row));
  }
  return {messages, more: rows.length > messages.length};
}
