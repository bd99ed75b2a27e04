/**
 * API replicas reached through their Unix sockets (THREADLINE_API_SOCKETS, as npm start lays the
 * tiers out on one host): health checks, forwarding and failover as over TCP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createLogger, freeLoopbackPort, loadEdgeConfig } from '@threadline/config';
import { securityHeaderValues } from '@threadline/edge';
import { createServiceMetrics } from '@threadline/ops';

import { createFastForward } from './fast-forward.js';
import { isNotDelivered } from './forward.js';
import { UpstreamPool } from './upstream-pool.js';

/** A plain GET (no Accept-Encoding: the answer's body is read as it is). */
function get(port: number, requestPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: requestPath, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
  });
}

describe('API replicas behind Unix sockets', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-uds-'));
  const socketPath = path.join(dir, 'api-1.sock');
  const missingSocket = path.join(dir, 'api-2.sock');
  /** Host headers of the requests the socket replica answered (not /readyz). */
  const seen: Array<string | undefined> = [];
  const replica = http.createServer((request, response) => {
    if (request.url !== '/readyz') seen.push(request.headers.host);
    const body = JSON.stringify({ url: request.url });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
  });
  const logger = createLogger({ name: 'uds-test', level: 'silent' });
  let upstream: UpstreamPool;
  let web: http.Server;
  let webPort: number;
  let socketUrl: string;
  let missingUrl: string;

  before(async () => {
    await new Promise<void>((resolve) => replica.listen(socketPath, resolve));
    // ports nobody listens on: what answers can only have come through the sockets
    socketUrl = `http://127.0.0.1:${await freeLoopbackPort()}`;
    missingUrl = `http://127.0.0.1:${await freeLoopbackPort()}`;
    upstream = new UpstreamPool({ urls: [socketUrl, missingUrl], socketPaths: [socketPath, missingSocket], logger, ejectMs: 60_000 });
    await upstream.start();
    const handle = createFastForward({
      upstream,
      prefixes: ['/api'],
      securityHeaders: securityHeaderValues({ isHttps: false, hstsMaxAge: 0 }),
      removedHeaders: [],
      waf: { settings: loadEdgeConfig({}).waf, stats: { inspected: 0, blocked: 0, detected: 0 } },
      metrics: createServiceMetrics('web'),
      isTls: false,
      timeoutMs: 5_000,
      isClosing: () => false,
      logger,
    });
    web = http.createServer((request, response) => {
      if (!handle(request, response)) response.writeHead(599).end();
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webPort = (web.address() as AddressInfo).port; // listening on TCP: an AddressInfo
  });

  after(async () => {
    web.close();
    await upstream.close();
    replica.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('health-checks each replica through its socket: the one listening is in rotation, the one whose socket is missing is not', () => {
    const [listening, missing] = upstream.upstreams;
    assert.equal(listening?.socketPath, socketPath);
    assert.equal(listening?.isHealthy, true);
    assert.equal(missing?.isHealthy, false);
    assert.equal(upstream.availableCount(), 1);
  });

  it('forwards every GET through the socket under the replica URL as Host, also when the other replica is picked first and its socket is missing', async () => {
    seen.length = 0;
    // in rotation or not, the missing replica is tried when nothing else is left: make it first in turn
    for (const candidate of upstream.upstreams) candidate.isHealthy = true;
    for (let round = 0; round < 4; round += 1) {
      const answer = await get(webPort, `/api/products/${round}`);
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body), { url: `/api/products/${round}` });
    }
    assert.equal(seen.length, 4, 'each GET answered once by the socket replica');
    for (const host of seen) assert.equal(host, new URL(socketUrl).host);
    assert.ok((upstream.upstreams[1]?.ejectedUntil ?? 0) > Date.now(), 'the replica whose socket is missing was ejected');
  });

  it('counts a socket that is not there as a request never delivered (any request may be resent)', async () => {
    const missing = upstream.upstreams[1];
    assert.ok(missing);
    const error = await missing.dispatcher.request({ method: 'POST', path: '/api/orders', body: '{}' }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof Error, 'the call failed');
    assert.equal('code' in error ? error.code : undefined, 'ENOENT');
    assert.equal(isNotDelivered(error), true);
  });
});
