/** The realmchat protocol core: framing, the command table, request parsing, reply encoding. No I/O. */
export * from './commands.js';
export * from './line-framer.js';
export * from './replies.js';
export * from './reply-codec.js';
export * from './reply-shapes.js';
export * from './request.js';
