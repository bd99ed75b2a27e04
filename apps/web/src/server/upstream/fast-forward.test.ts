/**
 * The forwarding fast path against stand-in API replicas (real HTTP servers): what it sends on,
 * what it writes back, retries, streaming, and what it leaves to the full path.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';

import { createLogger, loadEdgeConfig } from '@threadline/config';
import { forwardedHeaders, SECURITY_HEADERS_SET_BY, SECURITY_HEADERS_SET_BY_WEB, securityHeaderValues, type WafStats } from '@threadline/edge';
import { createServiceMetrics, type ServiceMetrics } from '@threadline/ops';

import { startFastPathServer } from '../testing/fast-path-server.js';
import { BUFFERED_ANSWER_BYTES } from './forward.js';
import { MicroCache } from './micro-cache.js';
import { UpstreamPool } from './upstream-pool.js';

type Mode = 'ok' | 'reset' | 'busy' | 'large' | 'chunked' | 'slow' | 'not-modified' | 'untyped' | 'own-headers';

interface Replica {
  name: string;
  url: string;
  mode: Mode;
  /** Heads of the requests it answered (not /readyz). */
  received: http.IncomingHttpHeaders[];
  server: http.Server;
}

const LARGE = Buffer.alloc(BUFFERED_ANSWER_BYTES + 4096, 'x');

async function startReplica(name: string): Promise<Replica> {
  const replica: Replica = { name, url: '', mode: 'ok', received: [], server: http.createServer() };
  replica.server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    if (request.url === '/readyz') {
      response.writeHead(200).end();
      return;
    }
    replica.received.push(request.headers);
    switch (replica.mode) {
      case 'reset':
        request.socket.destroy();
        return;
      case 'busy':
        response.writeHead(503, { 'content-type': 'application/json' }).end('{"busy":true}');
        return;
      case 'large':
        response.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(LARGE.length) }).end(LARGE);
        return;
      case 'chunked':
        // no length: streamed through
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('first,');
        setTimeout(() => response.end('second'), 20);
        return;
      case 'slow':
        // the head after the client has gone, then a body of unknown length
        setTimeout(() => {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('late,');
          setTimeout(() => response.end('later'), 20);
        }, 150);
        return;
      case 'not-modified':
        response.writeHead(304, { etag: '"v1"', 'content-length': '0' }).end();
        return;
      case 'untyped':
        response.writeHead(200, { 'content-length': '2' }).end('ok');
        return;
      case 'own-headers':
        response.writeHead(200, { 'content-type': 'application/json', 'x-frame-options': 'SAMEORIGIN', 'x-powered-by': 'Express', 'x-web-cache': 'hit', 'keep-alive': 'timeout=5', 'set-cookie': ['a=1', 'b=2'] }).end('{}');
        return;
      default: {
        // a length, as the API states for its JSON answers: held whole and written in one go
        const body = JSON.stringify({ replica: name, url: request.url });
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'x-replica': name }).end(body);
      }
    }
  });
  await new Promise<void>((resolve) => replica.server.listen(0, '127.0.0.1', resolve));
  replica.url = `http://127.0.0.1:${(replica.server.address() as AddressInfo).port}`; // listening on TCP: an AddressInfo
  return replica;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
  });
}

describe('forwarding fast path', () => {
  let a: Replica;
  let b: Replica;
  let upstream: UpstreamPool;
  let metrics: ServiceMetrics;
  const wafStats: WafStats = { inspected: 0, blocked: 0, detected: 0 };
  let server: http.Server;
  let port: number;
  /** Requests the fast path left to the full path (answered 599 here). */
  let leftOverOf: () => number = () => 0;
  const security = securityHeaderValues({ isHttps: false, hstsMaxAge: 0 });

  before(async () => {
    a = await startReplica('a');
    b = await startReplica('b');
    const logger = createLogger({ name: 'fast-forward-test', level: 'silent' });
    upstream = new UpstreamPool({ urls: [a.url, b.url], logger, ejectMs: 1 });
    await upstream.start();
    metrics = createServiceMetrics('web');
    const started = await startFastPathServer({
      upstream,
      prefixes: ['/api', '/collect'],
      securityHeaders: security,
      removedHeaders: ['x-powered-by'],
      waf: { settings: loadEdgeConfig({}).waf, stats: wafStats },
      metrics,
      cache: new MicroCache({ maxTtlMs: 1000 }),
      logger,
    });
    server = started.server;
    port = started.port;
    leftOverOf = started.leftOver;
  });

  after(async () => {
    server.close();
    await upstream.close();
    a.server.close();
    b.server.close();
  });

  beforeEach(() => {
    a.mode = 'ok';
    b.mode = 'ok';
    a.received = [];
    b.received = [];
    for (const replica of upstream.upstreams) replica.ejectedUntil = 0;
  });

  it('sends the request on with the forwarded headers the full path sends, and writes the answer with the edge headers', async () => {
    const answer = await get(port, '/api/products/7?sort=new', { cookie: 'tl_pref=dark', 'user-agent': 'test-agent', connection: 'keep-alive', [SECURITY_HEADERS_SET_BY]: 'none' });
    assert.equal(answer.status, 200);
    const body: unknown = JSON.parse(answer.body.toString('utf8'));
    assert.deepEqual(body, { replica: answer.headers['x-replica'], url: '/api/products/7?sort=new' });
    assert.equal(answer.headers['content-length'], String(answer.body.length));
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.equal(answer.headers['x-web-cache'], 'bypass');
    for (const [name, value] of Object.entries(security)) assert.equal(answer.headers[name], value, name);
    const [sent] = [...a.received, ...b.received];
    assert.ok(sent, 'a replica got the request');
    assert.equal(sent.cookie, 'tl_pref=dark');
    assert.equal(sent['user-agent'], 'test-agent');
    assert.match(sent.host ?? '', /^127\.0\.0\.1:\d+$/);
    assert.notEqual(sent.host, `127.0.0.1:${port}`, "the replica's own host");
    const expected = forwardedHeaders({ ip: '127.0.0.1', ips: ['127.0.0.1'], protocol: 'http', hostname: `127.0.0.1:${port}`, socket: { remoteAddress: '127.0.0.1' } }, { host: `127.0.0.1:${port}` }, false);
    assert.equal(sent['x-forwarded-for'], expected['x-forwarded-for']);
    assert.equal(sent['x-forwarded-proto'], expected['x-forwarded-proto']);
    assert.equal(sent['x-forwarded-host'], expected['x-forwarded-host']);
    // the replica sent no security header: each one above is the web tier's, as it tells the API (the client's word dropped)
    assert.equal(sent[SECURITY_HEADERS_SET_BY], SECURITY_HEADERS_SET_BY_WEB);
  });

  it("keeps a replica's own security header, drops removed and hop-by-hop ones, and states the web cache bypass", async () => {
    a.mode = 'own-headers';
    b.mode = 'own-headers';
    const answer = await get(port, '/api/own', { cookie: 'tl_pref=dark' });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['x-frame-options'], 'SAMEORIGIN', "the replica's value wins");
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal(answer.headers['x-powered-by'], undefined);
    assert.equal(answer.headers['keep-alive'], undefined, 'hop-by-hop: this connection has its own');
    assert.equal(answer.headers['x-web-cache'], 'bypass', "the web tier's cache speaks for itself");
    assert.deepEqual(answer.headers['set-cookie'], ['a=1', 'b=2']);
  });

  it('counts each forwarded request under its route template', async () => {
    const count = async (): Promise<number> => {
      const values = (await metrics.httpRequests.get()).values;
      return values.find((value) => value.labels.route === '/api/*' && value.labels.status_code === '200' && value.labels.method === 'GET')?.value ?? 0;
    };
    const before = await count();
    const inspected = wafStats.inspected;
    await get(port, '/api/products', { cookie: 'tl_pref=dark' });
    await get(port, '/api/products/2', { cookie: 'tl_pref=dark' });
    assert.equal(await count(), before + 2);
    assert.equal(wafStats.inspected, inspected + 2, 'the WAF looked at both heads');
    const durations = (await metrics.httpDuration.get()).values.find((value) => value.metricName === 'http_request_duration_seconds_count' && value.labels.route === '/api/*');
    assert.ok(durations && durations.value >= 2);
  });

  it('tries the other replica after a reset connection or a 503', async () => {
    a.mode = 'reset';
    const afterReset = await get(port, '/api/x', { cookie: 'tl_pref=dark' });
    assert.equal(afterReset.status, 200);
    assert.equal(afterReset.headers['x-replica'], 'b');
    assert.equal(b.received.length, 1);
    for (const replica of upstream.upstreams) replica.ejectedUntil = 0;
    a.mode = 'busy';
    b.mode = 'busy';
    a.received = [];
    b.received = [];
    const bothBusy = await get(port, '/api/x', { cookie: 'tl_pref=dark' });
    assert.equal(bothBusy.status, 503, "the last replica's answer is passed on");
    assert.deepEqual([a.received.length, b.received.length], [1, 1], 'each busy replica asked once');
  });

  it('answers 502 with the API-shaped body when no replica answers', async () => {
    a.mode = 'reset';
    b.mode = 'reset';
    const answer = await get(port, '/api/x', { cookie: 'tl_pref=dark' });
    assert.equal(answer.status, 502);
    assert.equal(JSON.parse(answer.body.toString('utf8')).error.code, 'SERVICE_UNAVAILABLE');
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
  });

  it('streams answers too large to hold, and answers of unknown length', async () => {
    a.mode = 'large';
    b.mode = 'large';
    const large = await get(port, '/api/large', { cookie: 'tl_pref=dark' });
    assert.equal(large.status, 200);
    assert.equal(large.body.length, LARGE.length);
    assert.equal(large.headers['content-length'], String(LARGE.length));
    assert.equal(large.headers['x-frame-options'], 'DENY');
    a.mode = 'chunked';
    b.mode = 'chunked';
    const chunked = await get(port, '/api/chunked', { cookie: 'tl_pref=dark' });
    assert.equal(chunked.body.toString('utf8'), 'first,second');
    assert.equal(chunked.headers['transfer-encoding'], 'chunked');
  });

  it('keeps a replica in rotation when the client goes away before its answer', async () => {
    a.mode = 'slow';
    b.mode = 'slow';
    const count = async (): Promise<number> => (await metrics.httpRequests.get()).values.filter((value) => value.labels.route === '/api/*').reduce((sum, value) => sum + value.value, 0);
    const before = await count();
    await new Promise<void>((resolve) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/api/slow', headers: { cookie: 'tl_pref=dark' }, agent: false });
      request.on('error', () => resolve());
      // leave once a replica has the request (on a busy machine a fixed delay could leave before it
      // was forwarded, and then nothing reaches a replica at all)
      const leaveWhenForwarded = (): void => {
        if (a.received.length + b.received.length === 0) {
          setTimeout(leaveWhenForwarded, 5);
          return;
        }
        request.destroy();
        resolve();
      };
      leaveWhenForwarded();
    });
    // the replica answers at 150 ms and finishes at 170 ms
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(a.received.length + b.received.length, 1, 'a client leaving is not a replica failing: nothing retried');
    assert.equal(await count(), before + 1, 'counted once');
  });

  it('sends a 304 without a body or length, and types an untyped body', async () => {
    a.mode = 'not-modified';
    b.mode = 'not-modified';
    const notModified = await get(port, '/api/p', { cookie: 'tl_pref=dark', 'if-none-match': '"v1"' });
    assert.equal(notModified.status, 304);
    assert.equal(notModified.headers.etag, '"v1"');
    assert.equal(notModified.headers['content-length'], undefined);
    assert.equal(notModified.body.length, 0);
    assert.equal([...a.received, ...b.received][0]?.['if-none-match'], '"v1"', 'the condition reached the replica');
    a.mode = 'untyped';
    b.mode = 'untyped';
    const untyped = await get(port, '/api/p', { cookie: 'tl_pref=dark' });
    assert.equal(untyped.headers['content-type'], 'application/octet-stream');
    assert.equal(untyped.body.toString('utf8'), 'ok');
  });

  it('leaves to the full path what an edge rule acts on', async () => {
    const before = leftOverOf();
    const cases: Array<[string, Record<string, string>]> = [
      ['/%61pi/products', { cookie: 'tl_pref=dark' }],
      ["/api/products?q=1'%20UNION%20SELECT%20password%20FROM%20users--", { cookie: 'tl_pref=dark' }],
      ['/api/products', { cookie: 'tl_pref=dark', 'accept-encoding': 'gzip' }],
      ['/api/products', { cookie: 'tl_pref=dark', 'x-forwarded-for': '10.0.0.1' }],
      ['/api/products', {}],
      ['/media/a.jpg', { cookie: 'tl_pref=dark' }],
      ['/api', { cookie: 'tl_pref=dark' }],
    ];
    for (const [path, headers] of cases) assert.equal((await get(port, path, headers)).status, 599, `${path} ${JSON.stringify(headers)}`);
    assert.equal(leftOverOf(), before + cases.length);
    assert.equal(a.received.length + b.received.length, 0, 'none of them was forwarded');
    assert.equal((await get(port, '/api/products', { cookie: 'tl_pref=dark', 'accept-encoding': 'identity' })).status, 200, 'no coding the web tier compresses with');
  });
});
