import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';

import Fastify, { type FastifyInstance } from 'fastify';

import { createLogger } from '@threadline/config';

import { registerCompression } from './compression.js';
import { registerForwarding } from './upstream/forward.js';
import { UpstreamPool } from './upstream/upstream-pool.js';

/** What the API replica saw of the last forwarded request. */
interface Seen {
  encoding: string | undefined;
  length: string | undefined;
  body: Buffer;
}

describe('compression at the web tier, in front of forwarding', () => {
  let replica: http.Server;
  let upstream: UpstreamPool;
  let web: FastifyInstance;
  let seen: Seen | undefined;
  const answer = JSON.stringify({ items: Array.from({ length: 200 }, (_, index) => ({ id: index, name: `Linen shirt ${index}` })) });

  before(async () => {
    replica = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url !== '/readyz') seen = { encoding: request.headers['content-encoding'], length: request.headers['content-length'], body: Buffer.concat(chunks) };
        response.writeHead(200, { 'content-type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => replica.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(replica.address() as AddressInfo).port}`; // listening on TCP: an AddressInfo
    upstream = new UpstreamPool({ urls: [url], logger: createLogger({ name: 'test', level: 'silent' }) });
    await upstream.start();
    web = Fastify();
    await registerCompression(web);
    await registerForwarding(web, { upstream, prefixes: ['/api'], extraHeaders: () => ({}) });
  });
  after(async () => {
    await web.close();
    await upstream.close();
    replica.closeAllConnections();
    await new Promise((resolve) => replica.close(resolve));
  });

  it('forwards a compressed request body as it came, with its own encoding and length', async () => {
    const body = zlib.gzipSync(JSON.stringify({ events: Array.from({ length: 50 }, () => ({ type: 'page_view', path: '/products/1' })) }));
    const response = await web.inject({ method: 'POST', url: '/api/upload', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: body });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(seen);
    assert.equal(seen.encoding, 'gzip');
    assert.equal(seen.length, String(body.length));
    assert.deepEqual(seen.body, body, 'the replica got the bytes the client sent');
  });

  it('compresses a forwarded answer for a client that accepts it', async () => {
    const response = await web.inject({ method: 'GET', url: '/api/products', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(response.rawPayload).toString('utf8'), answer);
  });
});
