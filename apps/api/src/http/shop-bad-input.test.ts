import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client, createCategory, createHarness, createProduct, errorOf, json, signedInClient, type Harness } from '../testing/harness.js';

/** The "bad input" list of the shop, across routes: every case a clear 4xx with a stable code, never a 5xx or a partial write. */
let harness: Harness;
let seller: Client;
let customer: Client;
let productId: number;

before(async () => {
  harness = await createHarness();
  seller = (await signedInClient(harness, 'seller')).client;
  customer = (await signedInClient(harness, 'customer')).client;
  productId = (await createProduct(seller, (await createCategory(harness)).id)).id;
});
after(async () => {
  await harness.close();
});

describe('bad input', () => {
  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    for (const payload of ['{"email":', '{email: "x"}', 'null null', '[1,2', "{'a':1}"]) {
      const response = await customer.request('POST', '/api/cart/items', undefined, { payload, headers: { 'content-type': 'application/json' } });
      assert.equal(response.statusCode, 400, payload);
      assert.equal(errorOf(response).code, 'INVALID_JSON', payload);
    }
  });

  it('answers bad UTF-8 with 400 INVALID_UTF8', async () => {
    const payload = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","variants":[]}')]);
    const response = await seller.request('POST', '/api/seller/products', undefined, { payload, headers: { 'content-type': 'application/json' } });
    assert.equal(response.statusCode, 400);
    assert.equal(errorOf(response).code, 'INVALID_UTF8');
  });

  it('answers oversize bodies with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await seller.post('/api/seller/products', { name: 'Big', description: 'x'.repeat(300 * 1024), variants: [] });
    assert.equal(response.statusCode, 413);
    assert.equal(errorOf(response).code, 'PAYLOAD_TOO_LARGE');
  });

  it('answers wrong types and missing fields with 400 VALIDATION_FAILED naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/cart/items', { variantId: '1', quantity: 1 }, 'variantId'],
      ['POST', '/api/cart/items', { variantId: 1, quantity: null }, 'quantity'],
      // not an object at all: no single field is at fault
      ['POST', '/api/cart/items', [], ''],
      ['POST', '/api/cart/items', 'just a string', ''],
      ['PATCH', `/api/seller/products/${productId}`, { name: 42 }, 'name'],
      ['PATCH', `/api/seller/products/${productId}`, { variants: [{ size: 'M', colour: 'Red', price: -100, stock: 1 }] }, 'variants[0].price'],
      ['PATCH', `/api/seller/products/${productId}`, { variants: [{ size: 'M', colour: 'Red', price: Number.MAX_SAFE_INTEGER, stock: 1 }] }, 'variants[0].price'],
      ['PATCH', `/api/seller/products/${productId}`, { variants: [{ id: 999999, size: 'M', colour: 'Red', price: 1, stock: 1 }] }, 'variants[0].id'],
      ['POST', '/api/orders/abc/pay', { card: {} }, 'id'],
    ];
    for (const [method, url, body, field] of cases) {
      const client = url.startsWith('/api/seller') ? seller : customer;
      // the schema is the gate; the client picks the method the route declares
      const response = await client.request(method as 'POST' | 'PATCH', url, body);
      assert.ok(response.statusCode === 400 || response.statusCode === 404, `${method} ${url} ${JSON.stringify(body)} → ${response.statusCode}`);
      assert.equal(errorOf(response).field ?? '', field, `${method} ${url} ${JSON.stringify(body)} → ${response.body}`);
    }
    const detail = json<{ name: string; variants: { price: number }[] }>(await seller.get(`/api/products/${productId}`));
    assert.equal(detail.name, 'Linen shirt', 'no partial write from rejected edits');
    assert.deepEqual(detail.variants.map((variant) => variant.price), [4500, 4700]);
  });

  it('answers unknown routes with 404 NOT_FOUND and unsupported content types with 415', async () => {
    const missing = await customer.get('/api/nope');
    assert.equal(missing.statusCode, 404);
    assert.equal(errorOf(missing).code, 'NOT_FOUND');
    const xml = await customer.request('POST', '/api/cart/items', undefined, { payload: '<cart/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(xml.statusCode, 415);
  });

  it('stores NUL-free unicode verbatim and refuses NUL characters in text', async () => {
    const name = 'Ünïcødé 👕 — 日本語 "quotes" \\ backslash';
    const created = await seller.post('/api/seller/products', { name, categoryId: (await createCategory(harness)).id, variants: [{ size: 'M', colour: 'Red', price: 100, stock: 1 }] });
    assert.equal(created.statusCode, 201);
    assert.equal(json<{ name: string }>(created).name, name);
    // as shipped the WAF refuses a NUL first; behind a WAF that let it through the shop answers 400
    const nul = await seller.patch(`/api/seller/products/${productId}`, { name: 'bad\u0000name' });
    assert.equal(nul.statusCode, 403);
    assert.equal(errorOf(nul).code, 'WAF_BLOCKED');
  });
});

describe('bad input behind a WAF that missed it', () => {
  let open: Harness;
  before(async () => {
    open = await createHarness({ edgeOff: { waf: 'off', why: 'the shop must refuse NUL characters itself when a WAF lets them through' } });
  });
  after(async () => {
    await open.close();
  });

  it('refuses NUL characters in text with 400', async () => {
    const { client } = await signedInClient(open, 'seller');
    const product = await createProduct(client, (await createCategory(open)).id);
    const nul = await client.patch(`/api/seller/products/${product.id}`, { name: 'bad\u0000name' });
    assert.equal(nul.statusCode, 400);
  });
});

describe('OpenAPI', () => {
  it('documents every shop route with its schemas', async () => {
    const response = await new Client(harness.app).get('/api/openapi.json');
    assert.equal(response.statusCode, 200);
    const document = json<{ paths: Record<string, Record<string, { responses?: Record<string, unknown>; requestBody?: unknown }>> }>(response);
    for (const path of [
      '/api/auth/signup',
      '/api/auth/login',
      '/api/auth/logout',
      '/api/me',
      '/api/products',
      '/api/products/{id}',
      '/api/seller/products',
      '/api/seller/products/{id}',
      '/api/cart/items',
      '/api/orders',
      '/api/orders/{id}/pay',
      '/api/products/{id}/reviews',
    ]) {
      assert.ok(document.paths[path], `${path} is documented`);
    }
    assert.ok(document.paths['/api/orders']?.post?.responses?.['201']);
    assert.ok(document.paths['/api/auth/signup']?.post?.requestBody);
  });
});
