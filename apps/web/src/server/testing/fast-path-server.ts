import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { createFastForward, type FastForwardOptions } from '../upstream/fast-forward.js';

/** A bare HTTP server in front of the fast path alone: what it leaves to the full path is answered 599 and counted. */
export interface FastPathServer {
  server: http.Server;
  port: number;
  /** Requests the fast path did not take. */
  leftOver(): number;
}

/** What a test need not say: plain HTTP, a 5 s upstream timeout, never closing. */
type Defaulted = 'isTls' | 'timeoutMs' | 'isClosing';

/**
 * Starts `createFastForward(options)` on a loopback port of its own (port 0), without Fastify: the
 * fast path's tests see exactly what it answers and how many requests it declines.
 */
export async function startFastPathServer(options: Omit<FastForwardOptions, Defaulted> & Partial<Pick<FastForwardOptions, Defaulted>>): Promise<FastPathServer> {
  const handle = createFastForward({ isTls: false, timeoutMs: 5_000, isClosing: () => false, ...options });
  let leftOver = 0;
  const server = http.createServer((request, response) => {
    if (handle(request, response)) return;
    leftOver += 1;
    response.writeHead(599).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP: an AddressInfo
  return { server, port, leftOver: () => leftOver };
}
