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
    assert.equal(post.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(await post.json(), { error: { code: 'SERVICE_UNAVAILABLE', message: 'the application tier is not reachable' } });
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

/** A replica whose answer for each path is set by the test: status, headers and body (with its length, as the API sends it). */
async function startScriptedReplica(answers: Record<string, { status: number; headers: http.OutgoingHttpHeaders; body: string }>): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    request.resume();
    const answer = answers[request.url ?? ''] ?? { status: 200, headers: {}, body: '' };
    response.writeHead(answer.status, { 'content-length': String(Buffer.byteLength(answer.body)), ...answer.headers }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

interface RawAnswer {
  status: number;
  /** Name/value pairs as sent (names lower-cased), without Date. */
  head: string[];
  body: string;
}

function getRaw(port: number, url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const head: string[] = [];
        for (let at = 0; at + 1 < res.rawHeaders.length; at += 2) {
          const name = (res.rawHeaders[at] ?? '').toLowerCase();
          if (name !== 'date') head.push(`${name}: ${res.rawHeaders[at + 1] ?? ''}`);
        }
        resolve({ status: res.statusCode ?? 0, head: head.sort(), body: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('writing whole forwarded answers straight to the connection', () => {
  const json = JSON.stringify({ items: Array.from({ length: 60 }, (_, id) => ({ id, name: `item ${id}` })) });
  const answers: Record<string, { status: number; headers: http.OutgoingHttpHeaders; body: string }> = {
    '/api/list': { status: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private', 'x-powered-by': 'upstream', vary: 'Cookie' }, body: json },
    '/api/login': { status: 201, headers: { 'content-type': 'application/json', 'set-cookie': ['tl_session=a; HttpOnly', 'tl_csrf=b; Path=/'] }, body: '{"ok":true}' },
    '/api/untyped': { status: 200, headers: {}, body: 'raw bytes' },
    '/api/framed': { status: 200, headers: { 'content-type': 'text/html', 'x-frame-options': 'SAMEORIGIN' }, body: '<p>framed</p>' },
    '/api/missing': { status: 404, headers: { 'content-type': 'application/json' }, body: '{"error":{"code":"NOT_FOUND","message":"no such product"}}' },
    '/api/empty': { status: 204, headers: { 'content-length': '0', 'content-type': 'application/json' }, body: '' },
  };
  let replica: http.Server;
  let pool: UpstreamPool;
  /** `direct` writes answers itself; `viaSend` sends every answer through Fastify's send path. */
  const webs: Record<'direct' | 'viaSend', { app: FastifyInstance; port: number; onSendCalls: number }> = {
    direct: { app: Fastify(), port: 0, onSendCalls: 0 },
    viaSend: { app: Fastify(), port: 0, onSendCalls: 0 },
  };

  before(async () => {
    replica = await startScriptedReplica(answers);
    pool = new UpstreamPool({ urls: [`http://127.0.0.1:${(replica.address() as AddressInfo).port}`], logger: createLogger({ name: 'test', level: 'silent' }) }); // listening on TCP: an AddressInfo
    await pool.start();
    for (const [name, web] of Object.entries(webs)) {
      // what the web tier's own onSend hooks do: drop X-Powered-By (security headers), and a header
      // set as a request arrives (as the security headers are) must reach the client either way
      web.app.addHook('onRequest', async (request, reply) => {
        reply.header('x-frame-options', 'DENY');
        if (request.headers['x-test-cookie'] !== undefined) reply.header('set-cookie', 'tl_hook=c; Path=/');
      });
      web.app.addHook('onSend', async (_request, reply, payload) => {
        web.onSendCalls += 1;
        reply.removeHeader('x-powered-by');
        return payload;
      });
      await registerForwarding(web.app, {
        upstream: pool,
        prefixes: ['/api'],
        extraHeaders: () => ({}),
        ...(name === 'direct' ? { directWrite: { removedHeaders: ['x-powered-by'], mayChange: (answer) => answer.requestHeaders['x-test-change'] !== undefined } } : {}),
      });
      await web.app.listen({ port: 0, host: '127.0.0.1' });
      web.port = (web.app.server.address() as AddressInfo).port; // listening on TCP: an AddressInfo
    }
  });
  after(async () => {
    for (const web of Object.values(webs)) await web.app.close();
    await pool.close();
    replica.closeAllConnections();
    await new Promise((resolve) => replica.close(resolve));
  });

  it('sends the same status, head and body as Fastify would, without running the onSend hooks', async () => {
    for (const url of Object.keys(answers)) {
      webs.direct.onSendCalls = 0;
      const direct = await getRaw(webs.direct.port, url);
      const viaSend = await getRaw(webs.viaSend.port, url);
      assert.deepEqual(direct, viaSend, url);
      assert.equal(webs.direct.onSendCalls, url === '/api/empty' ? 1 : 0, `${url}: only answers without a body take Fastify's path`);
    }
    const list = await getRaw(webs.direct.port, '/api/list');
    assert.ok(list.head.includes('x-frame-options: DENY'), 'headers set as the request arrived are kept');
    assert.ok(!list.head.some((line) => line.startsWith('x-powered-by')), 'the removed headers are dropped');
    assert.ok(list.head.includes(`content-length: ${Buffer.byteLength(json)}`));
    const login = await getRaw(webs.direct.port, '/api/login');
    assert.deepEqual(login.head.filter((line) => line.startsWith('set-cookie')), ['set-cookie: tl_csrf=b; Path=/', 'set-cookie: tl_session=a; HttpOnly'], 'each cookie on its own line');
    assert.ok((await getRaw(webs.direct.port, '/api/untyped')).head.includes('content-type: application/octet-stream'));
    // the replica's head is laid over what the hooks set, as reply.headers() lays it: its value wins, cookies add up
    const framed = await getRaw(webs.direct.port, '/api/framed');
    assert.ok(framed.head.includes('x-frame-options: SAMEORIGIN') && !framed.head.includes('x-frame-options: DENY'), framed.head.join('\n'));
    const withHookCookie = await getRaw(webs.direct.port, '/api/login', { 'x-test-cookie': '1' });
    assert.deepEqual(withHookCookie, await getRaw(webs.viaSend.port, '/api/login', { 'x-test-cookie': '1' }));
    assert.deepEqual(
      withHookCookie.head.filter((line) => line.startsWith('set-cookie')),
      ['set-cookie: tl_csrf=b; Path=/', 'set-cookie: tl_hook=c; Path=/', 'set-cookie: tl_session=a; HttpOnly'],
      'the hook\'s cookie and both of the replica\'s',
    );
  });

  it('sends an answer the onSend hooks may change through them', async () => {
    webs.direct.onSendCalls = 0;
    const answer = await getRaw(webs.direct.port, '/api/list', { 'x-test-change': '1' });
    assert.equal(answer.status, 200);
    assert.equal(webs.direct.onSendCalls, 1);
    assert.ok(!answer.head.some((line) => line.startsWith('x-powered-by')));
  });

  it('keeps connections alive across direct writes', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    try {
      for (let i = 0; i < 3; i += 1) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port: webs.direct.port, path: '/api/list', agent }, (res) => {
            sockets.add(res.socket);
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
        });
        assert.equal(status, 200);
      }
      assert.equal(sockets.size, 1, 'three answers on one connection');
    } finally {
      agent.destroy();
    }
  });
});
