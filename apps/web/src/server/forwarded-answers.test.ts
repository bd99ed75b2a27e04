/**
 * Forwarded answers through the whole web tier in front of the real API tier (WAF and rate limits
 * on), uncached: the web tier writes whole answers straight to the connection when its onSend
 * hooks would leave them alone, and every rule those hooks and the other hooks apply still holds.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync } from 'node:zlib';

import { SECURITY_HEADERS_SET_BY, SECURITY_HEADERS_SET_BY_WEB, securityHeaderValues } from '@threadline/edge';

import { startWebStack, type WebStack } from './testing/web-stack.js';

interface FullAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(port: number, method: string, url: string, headers: Record<string, string> = {}): Promise<FullAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The web tier's request count for one route and status, from its /metrics. */
async function forwardedCount(port: number, status: number): Promise<number> {
  const text = (await request(port, 'GET', '/metrics')).body.toString('utf8');
  const line = text.split('\n').find((row) => row.startsWith('http_requests_total{') && row.includes('route="/api/*"') && row.includes(`status_code="${status}"`) && row.includes('method="GET"'));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** threadline_web_compression_memo_total for one result, from the web tier's /metrics. */
async function memoCount(port: number, result: 'hit' | 'miss'): Promise<number> {
  const text = (await request(port, 'GET', '/metrics')).body.toString('utf8');
  const line = text.split('\n').find((row) => row.startsWith('threadline_web_compression_memo_total{') && row.includes(`result="${result}"`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** threadline_web_fast_forward_total, from the web tier's /metrics. */
async function fastForwardCount(port: number): Promise<number> {
  const text = (await request(port, 'GET', '/metrics')).body.toString('utf8');
  const line = text.split('\n').find((row) => row.startsWith('threadline_web_fast_forward_total{') || row.startsWith('threadline_web_fast_forward_total '));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('forwarded answers through the web tier (whole stack, uncached)', () => {
  let stack: WebStack;
  // a cookie the web tier does not know: never answered from its cache, every request forwarded
  const privateCookie = { cookie: 'tl_pref=dark' };

  before(async () => {
    stack = await startWebStack('forwarded-answers', { THREADLINE_WEB_CACHE_MS: '60000' });
    // a catalogue page over the compression threshold
    const sellerId = await stack.insertUser('seller');
    const { rows } = await stack.db.pool.query<{ id: number }>(`INSERT INTO categories (slug, name) VALUES ('forwarded-tees', 'Tees') RETURNING id`);
    await stack.db.pool.query(
      `WITH product AS (
         INSERT INTO products (seller_id, category_id, name, description, status, published_at)
         SELECT $1, $2, 'Forwarded tee ' || n, 'A plain cotton tee in a relaxed fit', 'published', now() FROM generate_series(1, 20) AS n RETURNING id)
       INSERT INTO product_variants (product_id, sku, size, colour, price_cents, stock) SELECT id, 'FWD-' || id, 'M', 'Black', 1999, 50 FROM product`,
      [sellerId, rows[0]?.id],
    );
  });
  after(async () => stack.close());

  it('sends the API answer whole, with the edge headers, and counts it', async () => {
    const countBefore = await forwardedCount(stack.webPort, 200);
    const direct = await request(stack.apiPort, 'GET', '/api/products');
    const answer = await request(stack.webPort, 'GET', '/api/products', privateCookie);
    assert.equal(answer.status, 200, answer.body.toString('utf8'));
    assert.deepEqual(JSON.parse(answer.body.toString('utf8')), JSON.parse(direct.body.toString('utf8')));
    assert.equal(answer.headers['content-length'], String(answer.body.length));
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(answer.headers['x-web-cache'], 'bypass');
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    assert.equal(answer.headers['x-frame-options'], 'DENY');
    assert.ok(answer.headers['content-security-policy']?.includes("frame-ancestors 'none'"));
    assert.equal(answer.headers['x-powered-by'], undefined);
    assert.equal(answer.headers['content-encoding'], undefined, 'nothing accepted, nothing encoded');
    assert.equal(await forwardedCount(stack.webPort, 200), countBefore + 1, 'the metrics hook ran');
  });

  it('sets the security headers itself on what it forwards, which the API then leaves out (fast path, full path, errors)', async () => {
    const names = Object.keys(securityHeaderValues({ isHttps: false, hstsMaxAge: 0 }));
    const direct = await request(stack.apiPort, 'GET', '/api/products', privateCookie);
    for (const name of names) assert.ok(direct.headers[name] !== undefined, `asked directly, the API sends ${name}`);
    const told = await request(stack.apiPort, 'GET', '/api/products', { ...privateCookie, [SECURITY_HEADERS_SET_BY]: SECURITY_HEADERS_SET_BY_WEB });
    assert.equal(told.status, 200);
    for (const name of names) assert.equal(told.headers[name], undefined, `told by a trusted proxy, the API leaves ${name} out`);
    // a client's own word is not passed on (the web tier states its own), and every answer has every header
    const forged = { ...privateCookie, [SECURITY_HEADERS_SET_BY]: 'none' };
    for (const [method, url] of [['GET', '/api/products'], ['HEAD', '/api/products'], ['GET', '/api/products/999999999'], ['POST', '/api/cart/items']]) {
      const answer = await request(stack.webPort, method ?? 'GET', url ?? '/', forged);
      for (const name of names) assert.equal(answer.headers[name], direct.headers[name], `${method} ${url} (${answer.status}): ${name}`);
    }
  });

  it('still compresses a forwarded answer for a browser that accepts it', async () => {
    const plain = await request(stack.webPort, 'GET', '/api/products', privateCookie);
    const answer = await request(stack.webPort, 'GET', '/api/products', { ...privateCookie, 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(answer.status, 200);
    assert.ok(plain.body.length >= 1024, 'the list is over the compression threshold');
    assert.equal(answer.headers['content-encoding'], 'br');
    assert.equal(brotliDecompressSync(answer.body).toString('utf8'), plain.body.toString('utf8'));
    assert.equal(answer.headers['content-length'], String(answer.body.length), 'compressed whole: its length is sent');
    assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    // the same list for another shopper: the same bytes (its compressed form is remembered)
    const hitsBefore = await memoCount(stack.webPort, 'hit');
    const again = await request(stack.webPort, 'GET', '/api/products', { cookie: 'tl_pref=light', 'accept-encoding': 'br' });
    assert.deepEqual(again.body, answer.body);
    assert.equal(await memoCount(stack.webPort, 'hit'), hitsBefore + 1, 'reused, and counted in /metrics');
  });

  it('forwards errors and HEAD requests with the same rules', async () => {
    const missing = await request(stack.webPort, 'GET', '/api/products/999999999', privateCookie);
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body.toString('utf8')).error.code, 'NOT_FOUND');
    assert.equal(missing.headers['content-length'], String(missing.body.length));
    assert.equal(missing.headers['x-frame-options'], 'DENY');
    const head = await request(stack.webPort, 'HEAD', '/api/products', privateCookie);
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['x-content-type-options'], 'nosniff');
  });

  it('answers repeated requests on one kept-alive connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    try {
      for (let i = 0; i < 5; i += 1) {
        const status = await new Promise<number>((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port: stack.webPort, path: i % 2 === 0 ? '/api/products?sort=newest' : '/api/products?sort=price_asc', headers: privateCookie, agent }, (res) => {
            sockets.add(res.socket);
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
        });
        assert.equal(status, 200);
      }
      assert.equal(sockets.size, 1);
    } finally {
      agent.destroy();
    }
  });

  it('answers a plain GET on the fast path exactly as the full path does', async () => {
    const fastBefore = await fastForwardCount(stack.webPort);
    const fast = await request(stack.webPort, 'GET', '/api/products?sort=newest', privateCookie);
    assert.equal(await fastForwardCount(stack.webPort), fastBefore + 1, 'taken by the fast path');
    // X-Forwarded-Proto from a trusted peer (loopback) is Fastify's to read: the full path answers
    const full = await request(stack.webPort, 'GET', '/api/products?sort=newest', { ...privateCookie, 'x-forwarded-proto': 'http' });
    assert.equal(await fastForwardCount(stack.webPort), fastBefore + 1, 'left to the full path');
    assert.equal(fast.status, full.status);
    assert.deepEqual(fast.body, full.body);
    const comparable = (headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders => {
      const { date: _date, ...rest } = headers;
      return rest;
    };
    assert.deepEqual(comparable(fast.headers), comparable(full.headers));
  });

  it('leaves to the full path what an edge rule acts on', async () => {
    const fastBefore = await fastForwardCount(stack.webPort);
    const ambiguous = await request(stack.webPort, 'GET', '/%61pi/products', privateCookie);
    assert.equal(ambiguous.status, 400);
    assert.equal(JSON.parse(ambiguous.body.toString('utf8')).error.code, 'AMBIGUOUS_PATH');
    const attack = await request(stack.webPort, 'GET', "/api/products?q=1'%20UNION%20SELECT%20password%20FROM%20users--", privateCookie);
    assert.equal(attack.status, 403);
    assert.equal(JSON.parse(attack.body.toString('utf8')).error.code, 'WAF_BLOCKED');
    assert.equal(attack.headers['x-frame-options'], 'DENY');
    const media = await request(stack.webPort, 'GET', '/media/none.jpg', privateCookie);
    assert.ok(media.status >= 400, `media: ${media.status}`);
    assert.equal(await fastForwardCount(stack.webPort), fastBefore, 'none of them took the fast path');
    // a browser's request is not one of them: the fast path compresses it as the full path would
    const compressed = await request(stack.webPort, 'GET', '/api/products', { ...privateCookie, 'accept-encoding': 'gzip' });
    assert.equal(compressed.headers['content-encoding'], 'gzip');
    assert.equal(await fastForwardCount(stack.webPort), fastBefore + 1, 'the compressed answer came from the fast path');
  });
});
