/** Deliberately misbehaving loopback servers for ChatClient tests (real sockets, no mocks). */
import {createServer, type AddressInfo, type Server, type Socket} from 'node:net';

/** A started loopback server with its port. */
export interface TestServer {
  server: Server;
  port: number;
  /** Sockets accepted so far. */
  sockets: Socket[];
  close(): Promise<void>;
}

/** Starts a TCP server on 127.0.0.1:0 that hands each accepted socket to `onSocket`. */
export async function startServer(onSocket: (socket: Socket) => void): Promise<TestServer> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    sockets,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Accepts connections, reads everything, never answers. */
export function startSilentServer(): Promise<TestServer> {
  return startServer((socket) => socket.resume());
}

/** A port nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => {});
  await server.close();
  return server.port;
}

/** Polls `check` until it is true (or fails after `ms`): waits for events without fixed sleeps. */
export async function waitFor(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
