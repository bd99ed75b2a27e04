import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Requests an upstream stub received, for checking what a proxy forwarded. */
export interface UpstreamHit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/**
 * A stand-in for a tier behind nginx: answers everything with 200 and `x-reached: <name>`, so a
 * response without that header was refused before reaching the tiers.
 */
export async function startStubUpstream(name: string): Promise<{ port: number; hits: UpstreamHit[]; close(): Promise<void> }> {
  const hits: UpstreamHit[] = [];
  const server = http.createServer((request, response) => {
    hits.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-reached': name });
      response.end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port; // TCP listener: always AddressInfo
  return {
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
