/**
 * The exact reply strings of the seed protocol and the stable machine codes realmchat adds to every ERROR.
 * Both sides import these: the daemon to answer, the clients to recognise answers. Never reword a seed string:
 * course clients and outside conformance checks compare them byte for byte.
 */

/** Every error a realmchat daemon can answer, keyed by its stable machine `code`. */
export const ERRORS = {
  UNKNOWN_COMMAND: '*Maaf, command tidak benar',
  NO_SESSION: 'Session tidak ditemukan',
  MISSING_PARAMETER: 'parameter tidak ada',
  BAD_PARAMETER: 'parameter salah',
  AUTH_UNKNOWN_USER: 'User Tidak Ada',
  AUTH_WRONG_PASSWORD: 'Password Salah',
  USER_EXISTS: 'User sudah ada',
  GROUP_EXISTS: 'Group sudah ada',
  ALREADY_MEMBER: 'User sudah dalam group',
  GROUP_NOT_FOUND: 'Group tidak ditemukan',
  USER_NOT_FOUND: 'User tidak ditemukan',
  NOT_A_MEMBER: 'User bukan anggota group',
  REALM_EXISTS: 'Realm sudah ada',
  REALM_NOT_FOUND: 'Realm tidak ditemukan',
  REALM_UNREACHABLE: 'Realm tidak dapat dihubungi',
  ADMIN_ONLY: 'Hanya admin yang boleh melakukan ini',
  MESSAGE_EXPIRED: 'Pesan sudah kedaluwarsa',
  LINE_TOO_LONG: 'Request terlalu panjang',
  INVALID_UTF8: 'Request bukan UTF-8 yang valid',
  SHUTTING_DOWN: 'Server sedang berhenti',
  INTERNAL: 'Terjadi kesalahan pada server',
  AUTH_THROTTLED: 'Terlalu banyak percobaan login, coba lagi nanti',
  RATE_LIMITED: 'Terlalu banyak pesan, coba lagi nanti',
  TOO_MANY_GROUPS: 'Batas jumlah group tercapai',
  FILE_TOO_LARGE: 'File terlalu besar',
  BAD_FILE: 'Isi file bukan base64 yang valid',
  FILE_NOT_FOUND: 'File tidak ditemukan',
} as const;

/** A stable machine code of an ERROR reply. */
export type ErrorCode = keyof typeof ERRORS;

/** The `message` of every OK reply that has a fixed one. */
export const OK_MESSAGES = {
  auth: 'Login successful',
  register: 'Register successful',
  addgroup: 'Add group successful',
  joingroup: 'Join group successful',
  send: 'Message sent',
  sendgroup: 'Message sent to group',
  inbox: 'Inbox',
  logout: 'Logout successful',
  info: 'User info',
  groups: 'Groups',
  history: 'History',
  addrealm: 'Realm added successfully',
  sendprivaterealm: 'Message sent to user in realm',
  sendgrouprealm: 'Message sent to group in realm',
  getrealminbox: 'Realm inbox',
  realms: 'Realms',
  getusers: 'Users',
  getgroups: 'Groups',
  privateinbox: 'Inbox',
  sendfile: 'File sent',
  sendgroupfile: 'File sent to group',
  getfile: 'File',
  removerealm: 'Realm removed',
  conversations: 'Conversations',
  seen: 'Seen',
  search: 'Search',
} as const;

/**
 * The `message` of an OK realm send that is queued (the peer is down or gave no verdict in time); such replies
 * also carry `"queued": true`. The message is delivered when the link is back, or its sender gets a notice.
 */
export const QUEUED_MESSAGES = {
  sendprivaterealm: 'Message queued for user in realm',
  sendgrouprealm: 'Message queued for group in realm',
} as const;

/** Any JSON value a reply may carry. */
export type Json = string | number | boolean | null | Json[] | {[key: string]: Json | undefined};

/** One reply of the daemon: always `status` and `message`; ERRORs also `code`; the rest depends on the command. */
export interface Reply {
  status: 'OK' | 'ERROR';
  message: string;
  code?: ErrorCode;
  [key: string]: Json | undefined;
}

/** Builds an OK reply with extra fields. */
export function ok(message: string, fields: Record<string, Json | undefined> = {}): Reply {
  return {status: 'OK', message, ...fields};
}

/** Builds the ERROR reply of a code, with its exact seed message. */
export function error(code: ErrorCode, fields: Record<string, Json | undefined> = {}): Reply {
  return {status: 'ERROR', message: ERRORS[code], code, ...fields};
}

/** The error code of an ERROR reply, or undefined for OK. Falls back to the message for peers that send no code. */
export function errorCodeOf(reply: Reply): ErrorCode | undefined {
  if (reply.status !== 'ERROR') return undefined;
  if (reply.code && Object.hasOwn(ERRORS, reply.code)) return reply.code;
  const entry = Object.entries(ERRORS).find(([, message]) => message === reply.message);
  return entry?.[0] as ErrorCode | undefined;
}
