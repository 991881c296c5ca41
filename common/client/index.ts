/**
 * The realmchat client library: one ChatClient per connection (the socket and reconnects around the transport-free
 * ClientProtocol), its errors, and the reply shapes and their readers.
 */
export * from './address.js';
export * from '../util/backoff.js';
export * from './chat-client.js';
export * from './client-protocol.js';
export * from './request-line.js';
export * from './errors.js';
export * from '../protocol/reply-shapes.js';
export {RequestUsageError} from '../protocol/request.js';
export type {Reply, ErrorCode} from '../protocol/replies.js';
