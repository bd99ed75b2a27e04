import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client, createCategory, createHarness, createProduct, createUser, errorOf, json, signedInClient, type Harness } from '../testing/harness.js';

let harness: Harness;
let admin: Client;
let adminId: number;

before(async () => {
  harness = await createHarness();
  const signedIn = await signedInClient(harness, 'admin');
  admin = signedIn.client;
  adminId = signedIn.userId;
});
after(async () => {
  await harness.close();
});

describe('admin', () => {
  it('lists and searches users, filters by role, pages with a cursor', async () => {
    await createUser(harness, 'customer', 'alice.search@example.test');
    await createUser(harness, 'seller', 'bob.search@example.test');
    const found = json<{ items: { email: string }[] }>(await admin.get('/api/admin/users?q=search'));
    assert.deepEqual(found.items.map((user) => user.email).sort(), ['alice.search@example.test', 'bob.search@example.test']);
    const sellers = json<{ items: { role: string }[] }>(await admin.get('/api/admin/users?role=seller'));
    assert.ok(sellers.items.length >= 1 && sellers.items.every((user) => user.role === 'seller'));
    const wildcard = json<{ items: unknown[] }>(await admin.get(`/api/admin/users?q=${encodeURIComponent('%')}`));
    assert.equal(wildcard.items.length, 0, 'LIKE wildcards in the search are literal');
    const page = json<{ items: unknown[]; nextCursor: string | null }>(await admin.get('/api/admin/users?limit=1'));
    assert.equal(page.items.length, 1);
    assert.ok(page.nextCursor);
    const next = await admin.get(`/api/admin/users?limit=1&cursor=${page.nextCursor}`);
    assert.equal(next.statusCode, 200);
  });

  it("changes a user's role, which takes effect on their next request", async () => {
    const { client: customer, userId } = await signedInClient(harness, 'customer');
    assert.equal((await customer.get('/api/seller/products')).statusCode, 403);
    const response = await admin.patch(`/api/admin/users/${userId}`, { role: 'seller' });
    assert.equal(response.statusCode, 200);
    assert.equal(json<{ user: { role: string } }>(response).user.role, 'seller');
    assert.equal((await customer.get('/api/seller/products')).statusCode, 200);
  });

  it('refuses unknown roles, unknown users and changing your own role', async () => {
    const { userId } = await signedInClient(harness, 'customer');
    const badRole = await admin.patch(`/api/admin/users/${userId}`, { role: 'superuser' });
    assert.equal(badRole.statusCode, 400);
    assert.equal(errorOf(badRole).field, 'role');
    assert.equal((await admin.patch('/api/admin/users/99999999', { role: 'seller' })).statusCode, 404);
    const self = await admin.patch(`/api/admin/users/${adminId}`, { role: 'customer' });
    assert.equal(self.statusCode, 400);
  });

  it("lists every seller's products in every status and unpublishes any of them", async () => {
    const { client: seller } = await signedInClient(harness, 'seller');
    const category = await createCategory(harness);
    const draft = await createProduct(seller, category.id, { name: 'Draft one', status: 'draft' });
    const live = await createProduct(seller, category.id, { name: 'Live one' });
    const all = json<{ items: { id: number }[] }>(await admin.get('/api/admin/products'));
    const ids = all.items.map((item) => item.id);
    assert.ok(ids.includes(draft.id) && ids.includes(live.id));
    const drafts = json<{ items: { status: string }[] }>(await admin.get('/api/admin/products?status=draft'));
    assert.ok(drafts.items.every((item) => item.status === 'draft'));
    const response = await admin.post(`/api/admin/products/${live.id}/unpublish`);
    assert.equal(json<{ status: string }>(response).status, 'unpublished');
    assert.equal((await new Client(harness.app).get(`/api/products/${live.id}`)).statusCode, 404);
    assert.equal((await admin.post('/api/admin/products/99999999/unpublish')).statusCode, 404);
  });

  it('creates categories and refuses duplicates and bad slugs', async () => {
    const created = await admin.post('/api/admin/categories', { slug: 'outerwear', name: 'Outerwear' });
    assert.equal(created.statusCode, 201);
    const duplicate = await admin.post('/api/admin/categories', { slug: 'outerwear', name: 'Again' });
    assert.equal(duplicate.statusCode, 409);
    assert.equal(errorOf(duplicate).field, 'slug');
    const bad = await admin.post('/api/admin/categories', { slug: 'Out Wear!', name: 'X' });
    assert.equal(bad.statusCode, 400);
    const orphan = await admin.post('/api/admin/categories', { slug: 'orphan', name: 'X', parentId: 99999 });
    assert.equal(orphan.statusCode, 400);
    assert.equal(errorOf(orphan).field, 'parentId');
  });
});
