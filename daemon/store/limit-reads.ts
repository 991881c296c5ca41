/**
 * The reads behind the daemon's abuse limits (daemon/limits/). Each runs once per key, not per request: the unread
 * bytes of a (sender, recipient) pair seed an in-memory counter, the groups a user created are counted at addgroup.
 */
import type Database from 'better-sqlite3';

export function prepareLimitReads(db: Database.Database) {
  return {
    /** Unread text bytes from one sender in a recipient's inbox: (recipient, sender, sender_realm or null). */
    unreadBytesFrom: db.prepare<[string, string, string | null], number>(`
      SELECT coalesce(sum(length(CAST(m.body AS BLOB))), 0)
      FROM unread u JOIN messages m ON m.id = u.message_id
      WHERE u.recipient = ? AND m.sender = ? AND m.sender_realm IS ?`).pluck(),
    /** How many groups a user created: (username). */
    groupsCreatedBy: db.prepare<[string], number>('SELECT count(*) FROM groups WHERE created_by = ?').pluck(),
  };
}
