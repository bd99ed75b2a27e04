/**
 * What the web tier sends for pages, run as shipped: the real API tier on a throwaway database
 * behind the web tier (WAF and rate limits on), a catalogue created through the seller API.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';

import type { FastifyInstance } from 'fastify';

import { buildApiApp, type ApiApp } from '@threadline/api';
import { createLogger, loadConfig, loadOrCreateSecrets } from '@threadline/config';
import { createTestDatabase, freePort, type TestDatabase } from '@threadline/db/testing';

import { createCatalogue, PRODUCTS, type CatalogueFixture } from '../../../e2e/fixtures.js';
import { buildWebApp } from '../app.js';

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="description" content="Threadline — clothing for every season" />
    <title>Threadline</title>
    <script type="module" crossorigin src="/assets/index-abc123.js"></script>
  </head>
  <body><div id="root"></div></body>
</html>`;

const BUNDLE = `console.log(${JSON.stringify('threadline '.repeat(400))});`;

function headOf(html: string): string {
  return html.slice(0, html.indexOf('</head>'));
}

function jsonLd(html: string): Record<string, unknown> {
  const match = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(match?.[1], 'a schema.org script in the head');
  const value: unknown = JSON.parse(match[1]);
  assert.ok(typeof value === 'object' && value !== null);
  return value as Record<string, unknown>; // checked to be an object just above
}

describe('pages sent by the web tier', () => {
  let db: TestDatabase;
  let api: ApiApp;
  let web: FastifyInstance;
  let dataDir: string;
  let distDir: string;
  let fixture: CatalogueFixture;

  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-pages-'));
    distDir = path.join(dataDir, 'dist');
    mkdirSync(path.join(distDir, 'assets'), { recursive: true });
    writeFileSync(path.join(distDir, 'index.html'), INDEX_HTML);
    writeFileSync(path.join(distDir, 'assets', 'index-abc123.js'), BUNDLE);
    writeFileSync(path.join(distDir, 'assets', 'index-abc123.js.br'), brotliCompressSync(BUNDLE));
    writeFileSync(path.join(distDir, 'assets', 'index-abc123.js.map'), '{"version":3,"sources":["secret.ts"]}');
    const apiPort = await freePort();
    const config = loadConfig({ PORT: '0', THREADLINE_PUBLIC_URL: 'http://shop.example', THREADLINE_API_PORT: String(apiPort), THREADLINE_DATA_DIR: dataDir, THREADLINE_DEMO: '0', DATABASE_URL: db.url, NODE_ENV: 'test' });
    const logger = createLogger({ name: 'pages-test', level: 'warn' });
    api = await buildApiApp({ config, secrets: loadOrCreateSecrets(dataDir, {}), pool: db.pool, logger, readinessChecks: [] });
    await api.listen({ port: apiPort, host: '127.0.0.1' });
    fixture = await createCatalogue(db, `http://127.0.0.1:${apiPort}`);
    web = await buildWebApp({ config, logger, distDir });
  });

  after(async () => {
    await web?.close();
    await api?.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 404 with the page (and a not-found head) for an address no page has', async () => {
    const response = await web.inject({ method: 'GET', url: '/no-such-page' });
    assert.equal(response.statusCode, 404);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.match(response.body, /<div id="root">/);
    assert.match(headOf(response.body), /<title>Page not found · Threadline<\/title>/);
    assert.match(headOf(response.body), /<meta name="robots" content="noindex, nofollow" \/>/);
  });

  it('answers 404 for a product that does not exist or is not a product id', async () => {
    for (const url of ['/products/999999', '/products/abc', '/products/0', `/products/${fixture.productIds[0]}/extra`]) {
      const response = await web.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 404, url);
    }
  });

  it('renders a product page head: its name, description, canonical, Open Graph and schema.org offers', async () => {
    const id = fixture.productIds[0];
    const product = PRODUCTS[0];
    assert.ok(id !== undefined && product);
    const response = await web.inject({ method: 'GET', url: `/products/${id}?utm_source=mail` });
    assert.equal(response.statusCode, 200);
    const head = headOf(response.body);
    assert.match(head, new RegExp(`<title>${product.name} · Threadline</title>`));
    assert.match(head, /<meta name="description" content="Soft 180 g organic cotton jersey with a relaxed fit. Machine wash cold." \/>/);
    assert.match(head, new RegExp(`<link rel="canonical" href="http://shop.example/products/${id}" />`));
    assert.match(head, /<meta property="og:type" content="product" \/>/);
    assert.match(head, /<meta property="og:image" content="http:\/\/shop.example\/media\/images\//);
    assert.match(head, /<link rel="preload" as="image"/);
    assert.doesNotMatch(head, /noindex/);
    assert.equal((head.match(/<title>/g) ?? []).length, 1, 'the built title is replaced, not repeated');
    const data = jsonLd(response.body);
    assert.equal(data['@type'], 'Product');
    assert.equal(data.name, product.name);
    assert.deepEqual(data.offers, {
      '@type': 'AggregateOffer',
      priceCurrency: 'USD',
      lowPrice: '24.00',
      highPrice: '24.00',
      offerCount: product.colours.length * product.sizes.length,
      availability: 'https://schema.org/InStock',
      url: `http://shop.example/products/${id}`,
    });
    assert.equal(data.aggregateRating, undefined, 'no rating before the first review');
  });

  it('gives each storefront page its own title, and marks private pages noindex', async () => {
    const home = await web.inject({ method: 'GET', url: '/?category=tops&sort=price_asc' });
    assert.equal(home.statusCode, 200);
    assert.match(headOf(home.body), /<title>Threadline — clothing for every season<\/title>/);
    assert.match(headOf(home.body), /<link rel="canonical" href="http:\/\/shop.example\/\?category=tops" \/>/);
    const cart = await web.inject({ method: 'GET', url: '/cart' });
    assert.equal(cart.statusCode, 200);
    assert.match(headOf(cart.body), /<title>Your cart · Threadline<\/title>/);
    assert.match(headOf(cart.body), /noindex/);
    const admin = await web.inject({ method: 'GET', url: '/admin/insights/peak-hours' });
    assert.equal(admin.statusCode, 200);
    assert.match(headOf(admin.body), /<title>Back office · Threadline<\/title>/);
  });

  it('escapes product text in the head so a name cannot inject markup', async () => {
    const id = fixture.productIds[1];
    // the WAF refuses such a name from a browser; an import or an older row could still hold one
    await db.pool.query('UPDATE products SET name = $1 WHERE id = $2', ['Shirt </script><script>alert(1)</script> & "co"', id]);
    const response = await web.inject({ method: 'GET', url: `/products/${id}` });
    const head = headOf(response.body);
    assert.match(head, /<title>Shirt &lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;co&quot; · Threadline<\/title>/);
    assert.doesNotMatch(head, /<script>alert/);
    assert.equal(jsonLd(response.body).name, 'Shirt </script><script>alert(1)</script> & "co"');
  });

  it('serves robots.txt and a sitemap of the home page, categories and every published product', async () => {
    const robots = await web.inject({ method: 'GET', url: '/robots.txt' });
    assert.equal(robots.statusCode, 200);
    assert.match(robots.body, /^Disallow: \/admin$/m);
    assert.match(robots.body, /^Sitemap: http:\/\/shop.example\/sitemap.xml$/m);
    const sitemap = await web.inject({ method: 'GET', url: '/sitemap.xml' });
    assert.equal(sitemap.statusCode, 200);
    assert.match(String(sitemap.headers['content-type']), /^application\/xml/);
    const locations = [...sitemap.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map((match) => match[1]);
    assert.ok(locations.includes('http://shop.example/'));
    assert.ok(locations.includes('http://shop.example/?category=tops'));
    for (const id of fixture.productIds) assert.ok(locations.includes(`http://shop.example/products/${id}`), `product ${id} listed`);
  });

  it('compresses pages, sends prebuilt brotli assets with immutable caching, and never serves source maps', async () => {
    const page = await web.inject({ method: 'GET', url: `/products/${fixture.productIds[0]}`, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(page.headers['content-encoding'], 'gzip');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(gunzipSync(page.rawPayload).toString('utf8'), /<div id="root">/);
    const asset = await web.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'br, gzip' } });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['content-encoding'], 'br');
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(brotliDecompressSync(asset.rawPayload).toString('utf8'), BUNDLE);
    const plain = await web.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, BUNDLE);
    const map = await web.inject({ method: 'GET', url: '/assets/index-abc123.js.map' });
    assert.equal(map.statusCode, 404);
    assert.doesNotMatch(map.body, /secret\.ts/);
    const api = await web.inject({ method: 'GET', url: '/api/products?limit=6', headers: { 'accept-encoding': 'br' } });
    assert.equal(api.statusCode, 200);
    assert.equal(api.headers['content-encoding'], 'br');
    assert.equal(JSON.parse(brotliDecompressSync(api.rawPayload).toString('utf8')).items.length, 6);
  });
});
