/**
 * The daemon's refusals in plain English (issue 12, point 11). The protocol keeps its exact Indonesian texts on the
 * wire (course clients compare them byte for byte); both clients show what a refusal means and what to do, and keep
 * the daemon's own words in brackets: `wrong password (Password Salah)`. Pure.
 */
import {DEFAULT_MAX_LINE_BYTES} from '../../common/protocol/line-framer.js';
import {errorCodeOf, type ErrorCode, type Reply} from '../../common/protocol/replies.js';

/** Which client explains: the hints name its own keys and commands. */
export type ClientFace = 'tui' | 'shell';

const KIB = DEFAULT_MAX_LINE_BYTES / 1024;

/** What each refusal means, per client where the hint differs. */
const EXPLAINED: Partial<Record<ErrorCode, string | Record<ClientFace, string>>> = {
  UNKNOWN_COMMAND: 'the daemon does not know that command',
  NO_SESSION: {tui: 'the session ended: log in again', shell: 'not logged in: run realmchat auth <username> <password>'},
  MISSING_PARAMETER: 'a parameter is missing',
  BAD_PARAMETER: 'a parameter is not valid',
  AUTH_UNKNOWN_USER: {tui: 'no such user — register with Ctrl+R', shell: 'no such user — create it with realmchat register'},
  AUTH_WRONG_PASSWORD: 'wrong password',
  USER_EXISTS: 'that username is taken',
  GROUP_EXISTS: 'a group with that name exists already',
  ALREADY_MEMBER: 'you are in that group already',
  GROUP_NOT_FOUND: 'no such group',
  USER_NOT_FOUND: 'no such user',
  NOT_A_MEMBER: {tui: 'you are not in that group — /join it first', shell: 'you are not in that group — run realmchat joingroup first'},
  REALM_EXISTS: 'that realm is linked already (or it is this realm)',
  REALM_NOT_FOUND: {tui: 'no such realm is linked — /addrealm it first', shell: 'no such realm is linked — run realmchat addrealm first'},
  REALM_UNREACHABLE: 'the other realm cannot be reached or did not answer as a realm',
  LINE_TOO_LONG: `message too long: the limit is ${KIB} KiB`,
  INVALID_UTF8: 'the request was not valid UTF-8',
  SHUTTING_DOWN: 'the daemon is shutting down',
  INTERNAL: 'the daemon failed (see its log)',
};

/**
 * A refusal explained, with the daemon's words in brackets: `wrong password (Password Salah)`. A reply without a
 * known code (an older daemon, another realm's words) is shown as the daemon sent it.
 */
export function explainRefusal(reply: Reply, face: ClientFace = 'tui'): string {
  const code = errorCodeOf(reply);
  const explained = code === undefined ? undefined : EXPLAINED[code];
  if (explained === undefined) return reply.message;
  const text = typeof explained === 'string' ? explained : explained[face];
  return `${text} (${reply.message})`;
}
