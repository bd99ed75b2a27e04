import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { freePort } from '@threadline/db/testing';

import { startNodeProxy, type NodeProxy } from './node-proxy.js';

describe('the bare Node forwarder (shop bench reference)', () => {
  let upstream: Server;
  let proxy: NodeProxy;
  const seen: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];

  before(async () => {
    upstream = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
        if (request.url === '/big') {
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          response.end(Buffer.alloc(4 * 1024 * 1024, 7));
          return;
        }
        response.writeHead(request.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', etag: '"v1"', 'keep-alive': 'timeout=5' });
        response.end(JSON.stringify({ url: request.url }));
      });
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    proxy = await startNodeProxy({ port: await freePort(), upstream: { port: (upstream.address() as AddressInfo).port } });
  });

  after(async () => {
    await proxy.stop();
    upstream.closeAllConnections();
    upstream.close();
  });

  it('passes a GET through with its status, headers and body, and without hop-by-hop headers', async () => {
    const response = await fetch(`${proxy.url}/api/products/7?x=1`, { headers: { cookie: 'tl_pref=bench' } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { url: '/api/products/7?x=1' });
    assert.equal(response.headers.get('etag'), '"v1"');
    // the forwarder's own hop says its own keep-alive; the upstream's (timeout=5) is not passed on
    assert.equal(response.headers.get('keep-alive'), 'timeout=30');
    const request = seen.find((entry) => entry.url === '/api/products/7?x=1');
    assert.equal(request?.headers.cookie, 'tl_pref=bench');
    assert.equal(request?.headers['x-forwarded-for'], '127.0.0.1');
  });

  it('passes an error status and a request body through', async () => {
    assert.equal((await fetch(`${proxy.url}/missing`)).status, 404);
    const response = await fetch(`${proxy.url}/api/cart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"variantId":3}' });
    assert.equal(response.status, 200);
    assert.equal(seen.find((entry) => entry.method === 'POST')?.body, '{"variantId":3}');
  });

  it('streams a large answer whole', async () => {
    const body = Buffer.from(await (await fetch(`${proxy.url}/big`)).arrayBuffer());
    assert.equal(body.length, 4 * 1024 * 1024);
    assert.ok(body.every((byte) => byte === 7));
  });

  it('answers 502 when the upstream is gone', async () => {
    const lonely = await startNodeProxy({ port: await freePort(), upstream: { port: await freePort() } });
    try {
      const response = await fetch(`${lonely.url}/api/products`);
      assert.equal(response.status, 502);
      assert.equal(await response.text(), 'bad gateway');
    } finally {
      await lonely.stop();
    }
  });
});
