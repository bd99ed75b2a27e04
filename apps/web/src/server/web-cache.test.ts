/**
 * The web tier's micro-cache in front of the real API tier (WAF and rate limits on): which
 * answers it shares, which it never does, and that the edge checks still run on every request.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync } from 'node:zlib';

import { errorCode, send, startWebStack, type WebStack } from './testing/web-stack.js';

interface FullAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, url: string, headers: Record<string, string> = {}): Promise<FullAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function insertProduct(stack: WebStack, status: 'published' | 'draft'): Promise<{ productId: number; variantId: number }> {
  const sellerId = await stack.insertUser('seller');
  const { rows: categories } = await stack.db.pool.query<{ id: number }>(
    `INSERT INTO categories (slug, name) VALUES ($1, 'Tees') ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    ['web-cache-tees'],
  );
  const { rows } = await stack.db.pool.query<{ id: number }>(
    `INSERT INTO products (seller_id, category_id, name, description, status, published_at)
     VALUES ($1, $2, 'Cached tee', 'A plain tee', $3::product_status, CASE WHEN $3::product_status = 'published' THEN now() END) RETURNING id`,
    [sellerId, categories[0]?.id, status],
  );
  const productId = rows[0]?.id ?? 0;
  const { rows: variants } = await stack.db.pool.query<{ id: number }>(
    `INSERT INTO product_variants (product_id, sku, size, colour, price_cents, stock) VALUES ($1, $2, 'M', 'Black', 1999, 50) RETURNING id`,
    [productId, `WC-${productId}`],
  );
  return { productId, variantId: variants[0]?.id ?? 0 };
}

describe('web tier micro-cache (whole stack)', () => {
  let stack: WebStack;
  let published: { productId: number; variantId: number };
  let draft: { productId: number; variantId: number };

  before(async () => {
    stack = await startWebStack('web-cache', { THREADLINE_WEB_CACHE_MS: '60000', THREADLINE_LIST_CACHE_MS: '30000' });
    published = await insertProduct(stack, 'published');
    draft = await insertProduct(stack, 'draft');
  });
  after(async () => stack.close());

  it('answers a repeated anonymous product page from the web tier, byte for byte, with Age', async () => {
    const url = `/api/products/${published.productId}`;
    const first = await get(stack.webPort, url);
    assert.equal(first.status, 200, first.body);
    assert.equal(first.headers['cache-control'], 'public, max-age=0, s-maxage=30');
    assert.equal(first.headers['x-web-cache'], 'miss');
    const second = await get(stack.webPort, url);
    assert.equal(second.headers['x-web-cache'], 'hit');
    assert.equal(second.body, first.body);
    assert.equal(second.headers['content-type'], first.headers['content-type']);
    assert.match(String(second.headers.age), /^\d+$/);
    // the edge's headers are on the cached answer too
    assert.equal(second.headers['x-content-type-options'], 'nosniff');
    assert.ok(second.headers['content-security-policy']);
  });

  it('sends a cached JSON answer compressed when the browser accepts it', async () => {
    const url = '/api/products?sort=newest';
    const plain = await get(stack.webPort, url);
    assert.equal(plain.status, 200, plain.body);
    const compressed = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: stack.webPort, path: url, headers: { 'accept-encoding': 'gzip, br' }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(compressed.headers['x-web-cache'], 'hit');
    if (Buffer.byteLength(plain.body) >= 1024) {
      assert.equal(compressed.headers['content-encoding'], 'br');
      assert.match(String(compressed.headers.vary), /accept-encoding/i);
      assert.equal(brotliDecompressSync(compressed.body).toString('utf8'), plain.body);
    } else {
      assert.equal(compressed.body.toString('utf8'), plain.body);
    }
  });

  it('sends one upstream request for a burst of the same uncached page', async () => {
    const url = `/api/products/${published.productId}?burst=1`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(stack.webPort, url)));
    const kinds = answers.map((answer) => answer.headers['x-web-cache']);
    assert.ok(answers.every((answer) => answer.status === 200));
    assert.equal(kinds.filter((kind) => kind === 'miss').length, 1, kinds.join(','));
    assert.equal(kinds.filter((kind) => kind === 'hit').length, 19);
  });

  it('shares answers with browsers that send only the analytics cookies', async () => {
    const url = `/api/products/${published.productId}?analytics=1`;
    assert.equal((await get(stack.webPort, url, { cookie: 'tl_vid=visitor000001; tl_sid=session00001' })).headers['x-web-cache'], 'miss');
    assert.equal((await get(stack.webPort, url, { cookie: 'tl_vid=visitor000002' })).headers['x-web-cache'], 'hit');
    assert.equal((await get(stack.webPort, url, { cookie: 'tl_vid=visitor000002; tl_pref=x' })).headers['x-web-cache'], 'bypass');
  });

  it('never shares an answer to a request with a session cookie, nor a draft page', async () => {
    const session = await stack.session();
    const url = `/api/products/${published.productId}`;
    const withCookie = await get(stack.webPort, url, { cookie: `tl_session=${session.cookie}` });
    assert.equal(withCookie.status, 200);
    assert.equal(withCookie.headers['x-web-cache'], 'bypass');
    const seller = await stack.db.pool.query<{ seller_id: number }>('SELECT seller_id FROM products WHERE id = $1', [draft.productId]);
    const owner = await stack.session(seller.rows[0]?.seller_id);
    const draftPage = await get(stack.webPort, `/api/products/${draft.productId}`, { cookie: `tl_session=${owner.cookie}` });
    assert.equal(draftPage.status, 200, draftPage.body);
    assert.equal(draftPage.headers['cache-control'], 'private, no-store');
    const anonymousDraft = await get(stack.webPort, `/api/products/${draft.productId}`);
    assert.equal(anonymousDraft.status, 404);
    assert.notEqual(anonymousDraft.headers['x-web-cache'], 'hit');
  });

  it('caches the product list per query, and still runs the WAF before the cache', async () => {
    const list = await get(stack.webPort, '/api/products?category=web-cache-tees');
    assert.equal(list.status, 200, list.body);
    assert.equal((await get(stack.webPort, '/api/products?category=web-cache-tees')).headers['x-web-cache'], 'hit');
    assert.equal((await get(stack.webPort, '/api/products?sort=price_asc')).headers['x-web-cache'], 'miss');
    const attack = await get(stack.webPort, `/api/products?category=${encodeURIComponent("x' UNION SELECT password_hash FROM users--")}`);
    assert.equal(attack.status, 403);
    const ambiguous = await send(stack.webPort, 'GET', '/%61pi/products?category=web-cache-tees');
    assert.equal(errorCode(ambiguous), 'AMBIGUOUS_PATH');
  });

  it('forgets everything after a successful change forwarded through it', async () => {
    const url = `/api/products/${published.productId}`;
    await get(stack.webPort, url);
    assert.equal((await get(stack.webPort, url)).headers['x-web-cache'], 'hit');
    const session = await stack.session();
    const added = await send(
      stack.webPort,
      'POST',
      '/api/cart/items',
      { cookie: `tl_session=${session.cookie}`, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
      JSON.stringify({ variantId: published.variantId, quantity: 1 }),
    );
    assert.equal(added.status, 200, added.body);
    assert.equal((await get(stack.webPort, url)).headers['x-web-cache'], 'miss');
  });
});

describe('web tier micro-cache and the per-address limit', () => {
  let stack: WebStack;

  before(async () => {
    stack = await startWebStack('web-cache-limit', { THREADLINE_WEB_CACHE_MS: '60000', THREADLINE_LIST_CACHE_MS: '30000', THREADLINE_RATE_LIMIT_PER_MIN: '5' });
  });
  after(async () => stack.close());

  it('refuses cached answers past the per-address API limit with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let refused: FullAnswer | undefined;
    for (let index = 0; index < 8; index += 1) {
      const answer = await get(stack.webPort, '/api/categories');
      statuses.push(answer.status);
      if (answer.status === 429) refused ??= answer;
    }
    assert.ok(refused, `no 429 in ${statuses.join(',')}`);
    assert.equal(errorCode({ status: refused.status, body: refused.body }), 'RATE_LIMITED');
    assert.match(String(refused.headers['retry-after']), /^\d+$/);
  });
});
