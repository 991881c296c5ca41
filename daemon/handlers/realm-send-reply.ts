/** The reply of the realm send commands (text and file) from what federation made of the message. */
import {error, ok, OK_MESSAGES, QUEUED_MESSAGES, type Json, type Reply} from '../../common/protocol/replies.js';
import type {RealmSendResult} from '../federation-api.js';

/** The realm commands that send (their OK and queued wordings). */
export type RealmSendCommand = keyof typeof QUEUED_MESSAGES;

/**
 * OK with the sender's message id (`ids` for a user list) and the realm, plus `"queued": true` and the queued
 * wording when the realm is down; the peer's refusal as its ERROR; REALM_NOT_FOUND for a realm that is not linked.
 * `extra`: more fields of an OK (a file's name and size).
 */
export function realmSendReply(command: RealmSendCommand, result: RealmSendResult, userList = false, extra: Record<string, Json> = {}): Reply {
  switch (result.kind) {
    case 'unknown-realm': return error('REALM_NOT_FOUND');
    case 'refused': return error(result.code);
    case 'rate-limited': return error('RATE_LIMITED', {retry_after: result.retryAfter});
    case 'accepted': {
      const ids = userList ? {ids: result.ids} : {id: result.ids[0]!};
      const message = result.queued ? QUEUED_MESSAGES[command] : OK_MESSAGES[command];
      return ok(message, {...ids, realm: result.realm, ...extra, ...(result.queued ? {queued: true} : {})});
    }
  }
}
