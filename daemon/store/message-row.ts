/** The columns of a stored message as both stores' SQL returns them (snake_case, as in the schema). */

/** Who sent a message to whom, and its text. */
export interface MessageColumns {
  id: number;
  sender: string;
  sender_realm: string | null;
  recipient: string | null;
  recipient_realm: string | null;
  group_name: string | null;
  body: string;
}

/** A whole message row: its time and, for a file message, its file. */
export interface StoredMessageColumns extends MessageColumns {
  ts: number;
  file_name: string | null;
  file_size: number | null;
  file_sha256: string | null;
}
