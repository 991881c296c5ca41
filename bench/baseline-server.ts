/**
 * The bench's baseline: a bare Node TCP server with the project's own framing and reply codec (LineFramer,
 * encodeReply) and no storage at all. Every request line, whatever it says, is answered with one fixed OK reply;
 * the replies to the lines of one read leave in one socket write. It shows what Node itself does on this machine
 * for a load shape, so the daemon's figures can be printed as a ratio to it.
 *
 *   node dist/bench/baseline-server.js [--port 0] [--host 127.0.0.1]
 *
 * Prints `baseline listening on HOST:PORT` once listening (the same shape as realmchatd's start-up line). Started
 * by bench.ts as a child process, pinned like the daemon.
 */
import {createServer} from 'node:net';
import {parseArgs} from 'node:util';
import {LineFramer} from '../common/protocol/line-framer.js';
import {encodeReply} from '../common/protocol/reply-codec.js';
import type {Reply} from '../common/protocol/replies.js';

/** The fixed reply: what the daemon answers a `send`. */
export const BASELINE_REPLY: Reply = {status: 'OK', message: 'Message sent', id: 1};

const {values} = parseArgs({options: {
  port: {type: 'string', default: '0'},
  host: {type: 'string', default: '127.0.0.1'},
}});

const server = createServer((socket) => {
  socket.setNoDelay(true);
  const framer = new LineFramer();
  socket.on('data', (chunk: Buffer) => {
    let out = '';
    for (const line of framer.push(chunk)) {
      // A blank line gets no reply (as in the daemon); everything else, even a framing error, gets the fixed OK.
      if (line.kind === 'line' && line.text.trim() === '') continue;
      out += encodeReply(BASELINE_REPLY);
    }
    if (out !== '') socket.write(out);
  });
  socket.on('error', () => socket.destroy());
});

server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.stdout.write(`baseline listening on ${address.address}:${address.port}\n`);
});

const stop = () => {
  server.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
