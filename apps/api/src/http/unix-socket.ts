import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import path from 'node:path';

/** A Unix socket listener feeding an HTTP server; `close` stops it and removes the socket file. */
export interface UnixSocketListener {
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Makes `server` (the API's Fastify server) answer on the Unix socket `socketPath` as well as on
 * its port: the web tier on the same host then skips the loopback TCP stack on both ends of every
 * forwarded request. Connections are handed to `server` itself, so its timeouts, keep-alive and
 * closing apply to them as to TCP ones.
 *
 * The socket file is made owner-only (0600): connecting takes write permission on it, so only this
 * user may connect, whatever the directory's mode (a directory it has to create is made 0700; the
 * data dir's run/ is shared with PostgreSQL's socket and may be 0755). A socket file left by a process
 * that died is removed first; one another process still answers on is not (the start fails), nor is
 * any file that is not a socket.
 *
 * A peer on the socket is the same host, reached through a file only this user may open: it is
 * given the loopback address, so every rule that reads the peer's address (trusted proxies and
 * X-Forwarded-For, /metrics from private addresses, the tier check of /collect) treats it as the
 * loopback connection it replaces.
 *
 * @example
 * const listener = await listenOnUnixSocket(app.server, config.apiSocket);
 * onShutdown(async () => Promise.all([app.close(), listener.close()]));
 */
export async function listenOnUnixSocket(server: Server, socketPath: string): Promise<UnixSocketListener> {
  mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  await removeStaleSocket(socketPath);
  const listener = net.createServer((socket) => {
    Object.defineProperties(socket, {
      remoteAddress: { value: '127.0.0.1' },
      remoteFamily: { value: 'IPv4' },
    });
    server.emit('connection', socket);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(socketPath, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);
  const { ino } = lstatSync(socketPath);
  return {
    socketPath,
    close: async () => {
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      // only the file this listener made: a successor may already have bound its own
      try {
        if (lstatSync(socketPath).ino === ino) unlinkSync(socketPath);
      } catch (error) {
        if (!isCode(error, 'ENOENT')) throw error;
      }
    },
  };
}

/** Removes a socket file nobody answers on; refuses a live socket or a file that is not a socket. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(socketPath).isSocket();
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  if (!isSocket) throw new Error(`THREADLINE_API_SOCKET: ${socketPath} exists and is not a socket; not removing it`);
  const isLive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (isLive) throw new Error(`THREADLINE_API_SOCKET: another process listens on ${socketPath}`);
  unlinkSync(socketPath);
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}
