import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client, createCategory, createHarness, createProduct, json, signedInClient, type Harness } from '../testing/harness.js';

/**
 * The authorisation matrix: every shop route × every role → the expected status. The role gate
 * runs before body validation, so a caller without the role learns nothing about the input rules:
 * 401 UNAUTHENTICATED when not signed in, 403 FORBIDDEN for a wrong role; allowed roles never
 * meet the gate (and never a 5xx).
 */
type Role = 'anonymous' | 'customer' | 'seller' | 'admin';
const ROLES: Role[] = ['anonymous', 'customer', 'seller', 'admin'];

interface RouteCase {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  /** Who gets past authorisation; the rest get 401 (anonymous) or 403. */
  allowed: Role[] | 'all';
}

let harness: Harness;
const clients = new Map<Role, Client>();
let routes: RouteCase[];

before(async () => {
  harness = await createHarness();
  clients.set('anonymous', await new Client(harness.app).init());
  for (const role of ['customer', 'seller', 'admin'] as const) clients.set(role, (await signedInClient(harness, role)).client);
  const seller = clients.get('seller');
  assert.ok(seller);
  const product = await createProduct(seller, (await createCategory(harness)).id);
  const p = product.id;
  routes = [
    { method: 'GET', url: '/api/auth/csrf', allowed: 'all' },
    { method: 'GET', url: '/api/me', allowed: ['customer', 'seller', 'admin'] },
    { method: 'GET', url: '/api/categories', allowed: 'all' },
    { method: 'GET', url: '/api/products', allowed: 'all' },
    { method: 'GET', url: `/api/products/${p}`, allowed: 'all' },
    { method: 'GET', url: `/api/products/${p}/reviews`, allowed: 'all' },
    { method: 'POST', url: `/api/products/${p}/reviews`, body: { rating: 5, body: 'x' }, allowed: ['customer', 'seller', 'admin'] },
    { method: 'GET', url: '/api/cart', allowed: 'all' },
    { method: 'POST', url: '/api/cart/items', body: { variantId: product.variants[0]?.id, quantity: 1 }, allowed: 'all' },
    { method: 'POST', url: '/api/orders', allowed: 'all' }, // guests check out too
    { method: 'GET', url: '/api/orders', allowed: ['customer', 'seller', 'admin'] },
    { method: 'GET', url: '/api/orders/999999', allowed: ['customer', 'seller', 'admin'] },
    { method: 'POST', url: '/api/orders/999999/pay', body: { card: { number: '4242424242424242', expMonth: 1, expYear: 2040, cvc: '123' } }, allowed: ['customer', 'seller', 'admin'] },
    { method: 'POST', url: '/api/orders/999999/cancel', allowed: ['customer', 'seller', 'admin'] },
    { method: 'GET', url: '/api/seller/products', allowed: ['seller', 'admin'] },
    { method: 'POST', url: '/api/seller/products', body: { name: 'X', variants: [] }, allowed: ['seller', 'admin'] },
    { method: 'PATCH', url: `/api/seller/products/${p}`, body: { description: 'edited' }, allowed: ['seller', 'admin'] },
    { method: 'POST', url: `/api/seller/products/${p}/publish`, allowed: ['seller', 'admin'] },
    { method: 'POST', url: `/api/seller/products/${p}/unpublish`, allowed: ['seller', 'admin'] },
    { method: 'POST', url: `/api/seller/products/${p}/images`, body: {}, allowed: ['seller', 'admin'] },
    { method: 'DELETE', url: `/api/seller/products/${p}/images/999999`, allowed: ['seller', 'admin'] },
    { method: 'GET', url: '/api/seller/orders', allowed: ['seller', 'admin'] },
    { method: 'POST', url: '/api/seller/orders/999999/ship', allowed: ['seller', 'admin'] },
    { method: 'POST', url: '/api/seller/orders/999999/deliver', allowed: ['seller', 'admin'] },
    { method: 'POST', url: '/api/seller/orders/999999/refund', allowed: ['seller', 'admin'] },
    { method: 'POST', url: '/api/seller/orders/999999/cancel', allowed: ['seller', 'admin'] },
    { method: 'GET', url: '/api/admin/users', allowed: ['admin'] },
    { method: 'PATCH', url: '/api/admin/users/999999', body: { role: 'seller' }, allowed: ['admin'] },
    { method: 'GET', url: '/api/admin/products', allowed: ['admin'] },
    { method: 'POST', url: `/api/admin/products/999999/unpublish`, allowed: ['admin'] },
    { method: 'POST', url: '/api/admin/categories', body: { slug: 'x', name: 'X' }, allowed: ['admin'] },
  ];
});
after(async () => {
  await harness.close();
});

describe('authorisation matrix', () => {
  it('gives each role the expected gate on every shop route', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      for (const role of ROLES) {
        const client = clients.get(role);
        assert.ok(client);
        const response = await client.request(route.method, route.url, route.body);
        const isAllowed = route.allowed === 'all' || route.allowed.includes(role);
        const expected = isAllowed ? 'no role gate' : role === 'anonymous' ? '401' : '403';
        const code = response.statusCode >= 400 ? json<{ error: { code: string } }>(response).error.code : 'none';
        // an allowed role may still meet a business rule (e.g. 403 REVIEW_NOT_ALLOWED), never the role gate
        const ok = isAllowed
          ? response.statusCode < 500 && code !== 'UNAUTHENTICATED' && code !== 'FORBIDDEN'
          : response.statusCode === Number(expected) && code === (role === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        if (!ok) failures.push(`${role} ${route.method} ${route.url}: expected ${expected}, got ${response.statusCode} ${response.body.slice(0, 120)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('requires the CSRF token on every state-changing shop route, for every role', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((candidate) => candidate.method !== 'GET')) {
      for (const role of ROLES) {
        const client = clients.get(role);
        assert.ok(client);
        const response = await client.request(route.method, route.url, route.body, { withoutCsrf: true });
        if (response.statusCode !== 403 || json<{ error: { code: string } }>(response).error.code !== 'CSRF_INVALID') {
          failures.push(`${role} ${route.method} ${route.url}: ${response.statusCode}`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });
});
