/**
 * The hot loop of the load generators, kept apart from ChatClient on purpose: set-up goes through ChatClient, but
 * measuring needs the thinnest possible client (no JSON parsing, no promise per request) so the generator costs
 * little next to the daemon it measures.
 */
import {connect, type Socket} from 'node:net';

const TERMINATOR = Buffer.from('\r\n\r\n');
/** `{"status":"OK"…`: the 'O' of OK is at this offset of every OK reply. */
const STATUS_OFFSET = 11;

/** Opens a loopback TCP connection with Nagle off. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** Calls `onReply(ok)` for every reply that arrives on the socket, in order; `ok` is whether its status was OK. */
export function onReplies(socket: Socket, onReply: (ok: boolean) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let end;
    while ((end = pending.indexOf(TERMINATOR)) !== -1) {
      const ok = pending[STATUS_OFFSET] === 0x4f;
      pending = pending.subarray(end + TERMINATOR.length);
      onReply(ok);
    }
  });
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
