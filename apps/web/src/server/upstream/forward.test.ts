import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import Fastify, { type FastifyInstance } from 'fastify';

import { createLogger } from '@threadline/config';

import { registerForwarding } from './forward.js';
import { UpstreamPool } from './upstream-pool.js';

/** A stand-in API replica whose behaviour each test sets: answer, reset the connection, or fail /readyz. */
interface Replica {
  name: string;
  url: string;
  mode: 'ok' | 'reset' | 'unready' | 'truncate';
  received: string[];
  server: http.Server;
}

async function startReplica(name: string): Promise<Replica> {
  const replica: Replica = { name, url: '', mode: 'ok', received: [], server: http.createServer() };
  replica.server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/readyz') {
        response.writeHead(replica.mode === 'unready' ? 503 : 200).end();
        return;
      }
      replica.received.push(`${request.method} ${request.url} ${Buffer.concat(chunks).toString('utf8')}`);
      if (replica.mode === 'reset') {
        request.socket.destroy();
        return;
      }
      if (replica.mode === 'truncate') {
        // the head and part of the body, then the connection drops
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100', 'x-replica': name });
        response.write('{"replica":');
        setTimeout(() => request.socket.destroy(), 10);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'x-replica': name }).end(JSON.stringify({ replica: name, host: request.headers.host }));
    });
  });
  await new Promise<void>((resolve) => replica.server.listen(0, '127.0.0.1', resolve));
  replica.url = `http://127.0.0.1:${(replica.server.address() as AddressInfo).port}`; // listening on TCP: an AddressInfo
  return replica;
}

describe('forwarding to API replicas', () => {
  let a: Replica;
  let b: Replica;
  let web: FastifyInstance;
  let upstream: UpstreamPool;
  let base: string;

  before(async () => {
    a = await startReplica('a');
    b = await startReplica('b');
    upstream = new UpstreamPool({ urls: [a.url, b.url], logger: createLogger({ name: 'test', level: 'silent' }), intervalMs: 100, ejectMs: 60_000 });
    await upstream.start();
    web = Fastify();
    await registerForwarding(web, { upstream, prefixes: ['/api'], extraHeaders: () => ({ 'x-forwarded-proto': 'http' }) });
    await web.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`; // listening on TCP: an AddressInfo
  });
  after(async () => {
    await web.close();
    await upstream.close();
    a.server.closeAllConnections();
    b.server.closeAllConnections();
    await Promise.all([a, b].map((replica) => new Promise((resolve) => replica.server.close(resolve))));
  });

  const reset = async (): Promise<void> => {
    for (const replica of [a, b]) {
      replica.mode = 'ok';
      replica.received = [];
    }
    for (const target of upstream.upstreams) target.ejectedUntil = 0;
    await new Promise((resolve) => setTimeout(resolve, 250)); // two health-check rounds
  };

  it('spreads requests over every healthy replica and streams their answers', async () => {
    await reset();
    const seen = new Set<string>();
    for (let i = 0; i < 4; i += 1) {
      const response = await fetch(`${base}/api/products?page=${i}`);
      assert.equal(response.status, 200);
      seen.add(response.headers.get('x-replica') ?? '');
    }
    assert.deepEqual([...seen].sort(), ['a', 'b']);
    assert.equal(a.received.length + b.received.length, 4);
  });

  it('keeps a replica that fails its health check out of rotation', async () => {
    await reset();
    a.mode = 'unready';
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 4; i += 1) assert.equal((await fetch(`${base}/api/x`)).headers.get('x-replica'), 'b');
    assert.equal(a.received.length, 0);
  });

  it('resends a GET and a keyed POST to the other replica when one drops the connection, and ejects it', async () => {
    await reset();
    a.mode = 'reset';
    for (let i = 0; i < 3; i += 1) {
      const get = await fetch(`${base}/api/cart`);
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('x-replica'), 'b');
    }
    const post = await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'idempotency-key': 'k-1', 'content-type': 'application/json' }, body: '{"n":1}' });
    assert.equal(post.status, 200);
    assert.ok(b.received.includes('POST /api/orders {"n":1}'), 'the body reaches the second replica intact');
    // passive ejection: after its first failure, `a` got no more requests
    assert.equal(a.received.length, 1);
  });

  it('resends a GET whose answer broke off mid-body, and the client sees only the whole answer', async () => {
    await reset();
    a.mode = 'truncate';
    for (let i = 0; i < 2; i += 1) {
      const get = await fetch(`${base}/api/products/${i}`);
      assert.equal(get.status, 200);
      assert.equal(get.headers.get('x-replica'), 'b');
      const answer: unknown = await get.json();
      assert.ok(typeof answer === 'object' && answer !== null && 'replica' in answer && answer.replica === 'b', 'the whole answer of the second replica');
    }
    assert.equal(a.received.length, 1, 'ejected after its first broken answer');
  });

  it('streams a large answer of unknown length through whole', async () => {
    await reset();
    const big = 'y'.repeat(2 * 1024 * 1024);
    const bigServer = http.createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['s=1', 't=2'] });
      response.end(request.url === '/readyz' ? '' : big);
    });
    await new Promise<void>((resolve) => bigServer.listen(0, '127.0.0.1', resolve));
    const pool = new UpstreamPool({ urls: [`http://127.0.0.1:${(bigServer.address() as AddressInfo).port}`], logger: createLogger({ name: 'test', level: 'silent' }) }); // listening on TCP: an AddressInfo
    await pool.start();
    const edge = Fastify();
    await registerForwarding(edge, { upstream: pool, prefixes: ['/api'], extraHeaders: () => ({}) });
    await edge.listen({ port: 0, host: '127.0.0.1' });
    try {
      const response = await fetch(`http://127.0.0.1:${(edge.server.address() as AddressInfo).port}/api/export`); // listening on TCP: an AddressInfo
      assert.equal(response.status, 200);
      assert.deepEqual(response.headers.getSetCookie(), ['s=1', 't=2']);
      assert.equal((await response.text()).length, big.length);
    } finally {
      await edge.close();
      await pool.close();
      bigServer.closeAllConnections();
      await new Promise((resolve) => bigServer.close(resolve));
    }
  });

  it('never resends a POST without an Idempotency-Key that may have reached a replica', async () => {
    await reset();
    a.mode = 'reset';
    b.mode = 'reset';
    const post = await fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(post.status, 502);
    assert.equal(a.received.length + b.received.length, 1, 'sent once, not replayed');
  });

  it('resends any request that never reached a replica (connection refused)', async () => {
    const down = new UpstreamPool({ urls: ['http://127.0.0.1:9', b.url], logger: createLogger({ name: 'test', level: 'silent' }) });
    const edge = Fastify();
    await registerForwarding(edge, { upstream: down, prefixes: ['/api'], extraHeaders: () => ({}) });
    await reset();
    try {
      for (let i = 0; i < 3; i += 1) {
        const post = await edge.inject({ method: 'POST', url: '/api/orders', headers: { 'content-type': 'application/json' }, payload: '{}' });
        assert.equal(post.statusCode, 200);
      }
      assert.equal(b.received.length, 3);
    } finally {
      await edge.close();
      await down.close();
    }
  });
});
