/**
 * The revalidation of kept answers (RevalidationStore) against a stand-in API replica
 * (a real HTTP server that answers If-None-Match as the API's list route does): a kept body is
 * sent only after the replica answered 304 to the request at hand, and never for what a shared
 * cache may not keep.
 */
import assert from 'node:assert/strict';
import { hash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';

import Fastify, { type FastifyInstance } from 'fastify';

import { createLogger, loadEdgeConfig } from '@threadline/config';
import { securityHeaderValues, type WafStats } from '@threadline/edge';
import { createServiceMetrics } from '@threadline/ops';

import { startFastPathServer } from '../testing/fast-path-server.js';
import { registerForwarding } from './forward.js';
import { MicroCache } from './micro-cache.js';
import { isStorableCacheControl, mayRevalidateFor, RevalidationStore } from './revalidation-store.js';
import { UpstreamPool } from './upstream-pool.js';

/** What the stand-in replica answers for one path: body, tag and headers per request. */
interface Page {
  body: (request: http.IncomingMessage) => string;
  etag?: (body: string) => string;
  headers?: Record<string, string | string[]>;
  /** Answer 304 under this tag whatever was asked (a replica contradicting itself). */
  wrongTag?: string;
}

/** A list-page-sized body (several socket reads), versioned. */
const listBody = (version: number): string => JSON.stringify({ version, items: Array.from({ length: 600 }, (_, index) => ({ id: index, name: `Product ${index} in organic cotton` })) });

describe('revalidated answers on the fast path', () => {
  let replica: http.Server;
  /** Each request's If-None-Match as the replica got it ('' when none), and the 304s it sent. */
  let asked: string[] = [];
  let notModifiedSent = 0;
  let version = 1;
  const pages: Record<string, Page> = {
    '/api/list': { body: () => listBody(version), headers: { 'cache-control': 'public, max-age=0, s-maxage=2' } },
    // the same for everyone by its Cache-Control, yet tagged per caller: the replica vouches per request
    '/api/me': { body: (request) => JSON.stringify({ me: request.headers.cookie ?? 'nobody' }) },
    '/api/private': { body: (request) => JSON.stringify({ me: request.headers.cookie }), headers: { 'cache-control': 'private, max-age=0' } },
    '/api/no-store': { body: () => '{"a":1}', headers: { 'cache-control': 'no-store' } },
    '/api/cookie': { body: () => '{"a":2}', headers: { 'set-cookie': 'tl_session=abc; HttpOnly' } },
    '/api/untagged': { body: () => '{"a":3}', etag: () => '' },
    '/api/contradicts': { body: () => '{"a":4}', wrongTag: 'W/"other"' },
  };
  const tagOf = (body: string): string => `W/"${hash('sha256', body, 'base64url')}"`;
  let store: RevalidationStore;
  let upstream: UpstreamPool;
  let server: http.Server;
  let port: number;
  let leftOverOf: () => number = () => 0;
  /** The full (Fastify) forwarding path with a store of its own, as browsers reach it. */
  let full: FastifyInstance;
  let fullStore: RevalidationStore;
  let fullPort: number;
  const wafStats: WafStats = { inspected: 0, blocked: 0, detected: 0 };

  before(async () => {
    replica = http.createServer((request, response) => {
      if (request.url === '/readyz') {
        response.writeHead(200).end();
        return;
      }
      const ifNoneMatch = request.headers['if-none-match'] ?? '';
      asked.push(ifNoneMatch);
      const page = pages[request.url ?? ''];
      if (!page) {
        response.writeHead(404, { 'content-length': '0' }).end();
        return;
      }
      const body = page.body(request);
      const etag = (page.etag ?? tagOf)(body);
      const headers: Record<string, string | string[]> = { ...page.headers, 'x-replica-header': 'yes' };
      if (etag) headers.etag = etag;
      if (page.wrongTag && ifNoneMatch) {
        notModifiedSent += 1;
        response.writeHead(304, { ...headers, etag: page.wrongTag }).end();
        return;
      }
      if (etag && ifNoneMatch === etag) {
        notModifiedSent += 1;
        // a 304 carries what the 200 would, less the body's own headers (RFC 9110 15.4.5)
        response.writeHead(304, { ...headers, 'set-cookie': 'tl_seen=1' }).end();
        return;
      }
      response.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
    });
    await new Promise<void>((resolve) => replica.listen(0, '127.0.0.1', resolve));
    const logger = createLogger({ name: 'revalidation-test', level: 'silent' });
    upstream = new UpstreamPool({ urls: [`http://127.0.0.1:${(replica.address() as AddressInfo).port}`], logger }); // listening on TCP: an AddressInfo
    await upstream.start();
    store = new RevalidationStore();
    const started = await startFastPathServer({
      upstream,
      prefixes: ['/api'],
      securityHeaders: securityHeaderValues({ isHttps: false, hstsMaxAge: 0 }),
      removedHeaders: [],
      waf: { settings: loadEdgeConfig({}).waf, stats: wafStats },
      metrics: createServiceMetrics('web'),
      cache: new MicroCache({ maxTtlMs: 1000 }),
      revalidation: store,
      logger,
    });
    server = started.server;
    port = started.port;
    leftOverOf = started.leftOver;
    fullStore = new RevalidationStore();
    full = Fastify();
    await registerForwarding(full, { upstream, prefixes: ['/api'], extraHeaders: () => ({}), revalidation: fullStore });
    await full.listen({ port: 0, host: '127.0.0.1' });
    fullPort = (full.server.address() as AddressInfo).port; // listening on TCP: an AddressInfo
  });

  after(async () => {
    server.close();
    await full.close();
    await upstream.close();
    replica.close();
  });

  beforeEach(() => {
    asked = [];
    notModifiedSent = 0;
  });

  function get(path: string, headers: Record<string, string>, to = port): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port: to, path, headers, agent: false }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      request.on('error', reject);
    });
  }

  it('asks the replica about the body it keeps and sends that body, whole, only on its 304', async () => {
    const first = await get('/api/list', { cookie: 'tl_session=alice' });
    assert.equal(first.status, 200);
    assert.equal(first.body, listBody(1));
    const second = await get('/api/list', { cookie: 'tl_session=bob' });
    assert.equal(second.status, 200, 'the client asked nothing conditional: it gets a 200');
    assert.equal(second.body, listBody(1));
    assert.equal(second.headers['content-length'], String(Buffer.byteLength(listBody(1))));
    assert.equal(second.headers['content-type'], 'application/json');
    assert.equal(second.headers.etag, first.headers.etag);
    assert.equal(second.headers['cache-control'], 'public, max-age=0, s-maxage=2');
    assert.equal(second.headers['set-cookie']?.[0], 'tl_seen=1', "the 304's own headers are this request's");
    assert.equal(second.headers['x-replica-header'], 'yes');
    assert.equal(second.headers['x-web-cache'], 'bypass', 'the micro-cache did not answer');
    assert.equal(second.headers['x-content-type-options'], 'nosniff', 'security headers as on any answer');
    assert.deepEqual(asked, ['', first.headers.etag], 'the second request asked about the kept body');
    assert.equal(notModifiedSent, 1);
    assert.equal(store.notModified, 1);

    // the page changed: the replica sends the new body, which is kept in place of the old one
    version = 2;
    const changed = await get('/api/list', { cookie: 'tl_session=bob' });
    assert.equal(changed.body, listBody(2));
    const again = await get('/api/list', { cookie: 'tl_session=alice' });
    assert.equal(again.body, listBody(2));
    assert.deepEqual(asked.slice(2), [first.headers.etag, changed.headers.etag]);
    assert.equal(notModifiedSent, 2);
  });

  it("never sends one caller's body to another: the replica decides for each request", async () => {
    const alice = await get('/api/me', { cookie: 'tl_session=alice' });
    const bob = await get('/api/me', { cookie: 'tl_session=bob' });
    const aliceAgain = await get('/api/me', { cookie: 'tl_session=alice' });
    assert.deepEqual([alice.body, bob.body, aliceAgain.body].map((body) => JSON.parse(body)), [{ me: 'tl_session=alice' }, { me: 'tl_session=bob' }, { me: 'tl_session=alice' }]);
    assert.equal(notModifiedSent, 0, "each asked about the other's tag, and got its own body");
    assert.equal(asked[1], alice.headers.etag);
  });

  it('keeps nothing a shared cache may not keep: private, no-store, Set-Cookie, no ETag', async () => {
    for (const path of ['/api/private', '/api/no-store', '/api/cookie', '/api/untagged']) {
      asked = [];
      const first = await get(path, { cookie: 'tl_session=alice' });
      const second = await get(path, { cookie: 'tl_session=bob' });
      assert.equal(first.status, 200, path);
      assert.equal(second.status, 200, path);
      assert.deepEqual(asked, ['', ''], `${path}: never asked about a kept body`);
    }
    assert.equal(JSON.parse((await get('/api/private', { cookie: 'tl_session=carol' })).body).me, 'tl_session=carol');
    assert.equal(notModifiedSent, 0);
  });

  it('passes a client’s own conditional request on untouched, 304 included', async () => {
    const first = await get('/api/list', { cookie: 'tl_session=alice' });
    const etag = String(first.headers.etag);
    asked = [];
    const own = await get('/api/list', { cookie: 'tl_session=alice', 'if-none-match': etag });
    assert.equal(own.status, 304);
    assert.equal(own.body, '');
    const stale = await get('/api/list', { cookie: 'tl_session=alice', 'if-none-match': 'W/"old"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.body, first.body);
    const ranged = await get('/api/list', { cookie: 'tl_session=alice', range: 'bytes=0-10' });
    assert.equal(ranged.status, 200);
    assert.deepEqual(asked, [etag, 'W/"old"', ''], "the client's condition, not the web tier's");
  });

  it('asks again without the question when a 304 names another tag', async () => {
    await get('/api/contradicts', { cookie: 'tl_session=alice' });
    asked = [];
    const answer = await get('/api/contradicts', { cookie: 'tl_session=alice' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body, '{"a":4}');
    assert.equal(asked.length, 2);
    assert.notEqual(asked[0], '', 'asked about the kept body first');
    assert.equal(asked[1], '', 'then plainly');
    assert.equal(leftOverOf(), 0);
  });

  it('does the same on the full path (browsers): kept body only on the 304 to the request at hand', async () => {
    const first = await get('/api/list', { cookie: 'tl_session=alice' }, fullPort);
    assert.equal(first.status, 200);
    const second = await get('/api/list', { cookie: 'tl_session=bob' }, fullPort);
    assert.equal(second.status, 200);
    assert.equal(second.body, first.body);
    assert.equal(second.headers['content-length'], String(Buffer.byteLength(first.body)));
    assert.equal(second.headers['content-type'], 'application/json');
    assert.equal(second.headers['set-cookie']?.[0], 'tl_seen=1', "the 304's own headers");
    assert.deepEqual(asked, ['', first.headers.etag]);
    assert.equal(fullStore.notModified, 1);

    asked = [];
    const alice = await get('/api/me', { cookie: 'tl_session=alice' }, fullPort);
    const bob = await get('/api/me', { cookie: 'tl_session=bob' }, fullPort);
    assert.deepEqual([alice.body, bob.body].map((body) => JSON.parse(body)), [{ me: 'tl_session=alice' }, { me: 'tl_session=bob' }]);
    assert.equal(asked[1], alice.headers.etag, "bob's request asked about alice's tag, and got its own body");

    asked = [];
    const own = await get('/api/list', { cookie: 'tl_session=alice', 'if-none-match': String(first.headers.etag) }, fullPort);
    assert.equal(own.status, 304, "a client's own conditional is passed on");
    assert.deepEqual(asked, [first.headers.etag]);

    await get('/api/contradicts', { cookie: 'tl_session=alice' }, fullPort);
    asked = [];
    const contradicted = await get('/api/contradicts', { cookie: 'tl_session=alice' }, fullPort);
    assert.equal(contradicted.status, 200);
    assert.equal(contradicted.body, '{"a":4}');
    assert.equal(asked.length, 2);
    assert.equal(asked[1], '', 'asked again plainly');

    asked = [];
    await get('/api/private', { cookie: 'tl_session=alice' }, fullPort);
    await get('/api/private', { cookie: 'tl_session=bob' }, fullPort);
    assert.deepEqual(asked, ['', ''], 'a private answer is never kept');
  });
});

describe('revalidation rules', () => {
  it('revalidates only requests that ask for the whole current answer', () => {
    assert.equal(mayRevalidateFor({ cookie: 'a=1' }), true);
    for (const name of ['if-none-match', 'if-match', 'if-modified-since', 'if-unmodified-since', 'if-range', 'range']) assert.equal(mayRevalidateFor({ [name]: 'x' }), false, name);
  });

  it('keeps what a shared cache may keep', () => {
    assert.equal(isStorableCacheControl(undefined), true);
    assert.equal(isStorableCacheControl('public, max-age=0, s-maxage=2'), true);
    assert.equal(isStorableCacheControl('no-cache'), true, 'revalidated before every use, which is what no-cache asks');
    assert.equal(isStorableCacheControl('Private'), false);
    assert.equal(isStorableCacheControl('max-age=0, no-store'), false);
    assert.equal(isStorableCacheControl('private="set-cookie"'), false);
  });

  it('settles each answer one way for both paths: the kept body only on a 304 under its own tag', () => {
    const store = new RevalidationStore();
    const always = () => true;
    store.set('/l', '"t1"', 'application/json', [Buffer.from('[1]')]);
    const kept = store.get('/l');
    assert.equal(store.settle('/l', kept, { statusCode: 304, etag: '"t1"', mayKeep: always }), 'use-kept');
    assert.equal(store.notModified, 1);
    assert.equal(store.settle('/l', kept, { statusCode: 304, etag: '"t2"', mayKeep: always }), 'ask-again');
    assert.equal(store.get('/l'), undefined, 'a 304 under another tag forgets the kept body');
    // a 304 to a request sent without the question (a client's own conditional) is the client's
    assert.equal(store.settle('/l', undefined, { statusCode: 304, etag: '"t1"', mayKeep: always }), 'pass');
    assert.equal(store.settle('/l', undefined, { statusCode: 200, etag: '"t3"', mayKeep: always }), 'keep');
    let asked = 0;
    const never = () => {
      asked += 1;
      return false;
    };
    assert.equal(store.settle('/l', undefined, { statusCode: 200, etag: undefined, mayKeep: never }), 'pass');
    assert.equal(asked, 0, 'an answer without a tag is not looked at further');
    store.set('/l', '"t3"', 'application/json', [Buffer.from('[3]')]);
    assert.equal(store.settle('/l', store.get('/l'), { statusCode: 200, etag: '"t4"', mayKeep: never }), 'pass');
    assert.equal(store.get('/l'), undefined, 'a body replaced by one that may not be kept is forgotten');
    assert.equal(store.settle('/l', undefined, { statusCode: 404, etag: '"t5"', mayKeep: always }), 'pass');
    assert.equal(store.modified, 1, 'answers that brought a body instead of the kept one');
  });

  it('is bounded in bytes and per body', () => {
    const store = new RevalidationStore({ maxBytes: 3100, maxBodyBytes: 2000 });
    store.set('/a', '"a"', 'text/plain', [Buffer.alloc(1000), Buffer.alloc(500)]);
    assert.equal(store.get('/a')?.body.length, 1500);
    store.set('/big', '"b"', 'text/plain', [Buffer.alloc(2001)]);
    assert.equal(store.get('/big'), undefined);
    store.set('/b', '"b"', 'text/plain', [Buffer.alloc(1500)]);
    store.set('/c', '"c"', 'text/plain', [Buffer.alloc(1500)]);
    assert.equal(store.get('/a'), undefined, 'the least recently used went first');
    assert.equal(store.size, 2);
  });
});
