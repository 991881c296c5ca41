/** The realmchat client library: one ChatClient per connection, its errors, and typed views of replies. */
export * from './address.js';
export * from '../util/backoff.js';
export * from './chat-client.js';
export * from './request-line.js';
export * from './errors.js';
export * from '../protocol/reply-shapes.js';
export {RequestUsageError} from '../protocol/request.js';
export type {Reply, ErrorCode} from '../protocol/replies.js';
