import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client, createCategory, createHarness, createProduct, createUser, errorOf, json, loginClient, signedInClient, type Harness } from '../testing/harness.js';

interface AuditItem {
  id: number;
  at: string;
  action: string;
  actorId: number | null;
  actorName: string | null;
  ip: string | null;
  target: string | null;
  details: Record<string, unknown>;
}

describe('audit log through the API', () => {
  let harness: Harness;
  before(async () => {
    harness = await createHarness();
  });
  after(() => harness.close());

  async function auditOf(query: string): Promise<AuditItem[]> {
    const { client } = await signedInClient(harness, 'admin');
    const response = await client.get(`/api/admin/audit?${query}`);
    assert.equal(response.statusCode, 200, response.body);
    return json<{ items: AuditItem[] }>(response).items;
  }

  it('records sign-ins and failed sign-ins with the client IP, without the e-mail tried', async () => {
    const user = await createUser(harness, 'customer');
    const browser = await loginClient(harness, user.email);
    // the web tier is the API's peer (a trusted loopback proxy)
    const client = await new Client(harness.app, { ip: '127.0.0.1' }).init();
    // behind the web tier (a trusted loopback proxy) the client address arrives in X-Forwarded-For
    const wrong = await client.post('/api/auth/login', { email: user.email, password: 'wrong-password-123' }, { headers: { 'x-forwarded-for': '198.51.100.23' } });
    assert.equal(wrong.statusCode, 401);
    const logins = await auditOf(`action=auth.login&target=user:${user.id}`);
    assert.equal(logins.length, 1);
    assert.equal(logins[0]?.actorId, user.id);
    assert.equal(logins[0]?.ip, browser.ip);
    const failures = await auditOf(`action=auth.login_failed&target=user:${user.id}`);
    assert.equal(failures.length, 1);
    assert.deepEqual(failures[0]?.details, { reason: 'wrong_password' });
    assert.equal(failures[0]?.ip, '198.51.100.23');
    assert.equal(failures[0]?.actorId, null);
    assert.doesNotMatch(JSON.stringify(failures), new RegExp(user.email));
  });

  it("records a seller's product creation, edits and photo removal under the seller's name, and a pipeline run under the admin's", async () => {
    const { client: seller, userId: sellerId } = await signedInClient(harness, 'seller');
    const { rows } = await harness.db.pool.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [sellerId]);
    const sellerName = rows[0]?.name;
    const category = await createCategory(harness);
    const product = await createProduct(seller, category.id, { status: 'draft' });
    assert.equal((await seller.patch(`/api/seller/products/${product.id}`, { name: 'Renamed shirt', description: 'New words' })).statusCode, 200);
    const entries = await auditOf(`target=product:${product.id}`);
    assert.deepEqual(entries.map((entry) => entry.action), ['product.updated', 'product.created']);
    assert.ok(entries.every((entry) => entry.actorId === sellerId && entry.actorName === sellerName), 'each entry names the seller');
    assert.deepEqual(entries[0]?.details, { fields: ['description', 'name'] }, 'which fields changed, not their new text');

    const { client: admin, userId: adminId } = await signedInClient(harness, 'admin');
    const queued = await admin.post('/api/admin/pipeline/runs', {});
    assert.equal(queued.statusCode, 202, queued.body);
    const runs = await auditOf('action=pipeline.run_started');
    assert.equal(runs[0]?.actorId, adminId);
    assert.ok(runs[0]?.actorName, 'the admin is named');
  });

  it('records role changes, publishing and order refunds with the acting admin or seller', async () => {
    const { client: admin, userId: adminId } = await signedInClient(harness, 'admin');
    const target = await createUser(harness, 'customer');
    assert.equal((await admin.patch(`/api/admin/users/${target.id}`, { role: 'seller' })).statusCode, 200);
    const roleChanges = await auditOf(`action=user.role_changed&target=user:${target.id}`);
    assert.equal(roleChanges[0]?.actorId, adminId);
    assert.deepEqual(roleChanges[0]?.details, { role: 'seller' });

    const { client: seller, userId: sellerId } = await signedInClient(harness, 'seller');
    const category = await createCategory(harness);
    const product = await createProduct(seller, category.id, { status: 'draft' });
    assert.equal((await seller.post(`/api/seller/products/${product.id}/publish`)).statusCode, 200);
    const published = await auditOf(`action=product.published&target=product:${product.id}`);
    assert.equal(published[0]?.actorId, sellerId);
  });

  it('is for admins only, validates its filters and pages with nextBefore', async () => {
    const { client: customer } = await signedInClient(harness, 'customer');
    assert.equal((await customer.get('/api/admin/audit')).statusCode, 403);
    const { client: admin } = await signedInClient(harness, 'admin');
    const bad = await admin.get('/api/admin/audit?since=yesterday');
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).field, 'since');
    const page = json<{ items: AuditItem[]; nextBefore: number | null }>(await admin.get('/api/admin/audit?limit=1'));
    assert.equal(page.items.length, 1);
    assert.ok(page.nextBefore);
    const next = json<{ items: AuditItem[] }>(await admin.get(`/api/admin/audit?limit=1&before=${page.nextBefore}`));
    assert.ok((next.items[0]?.id ?? Infinity) < (page.items[0]?.id ?? 0));
  });

  it('offers no way to change or delete entries', async () => {
    const { client: admin } = await signedInClient(harness, 'admin');
    const items = await auditOf('limit=1');
    const id = items[0]?.id;
    assert.equal((await admin.delete(`/api/admin/audit/${id}`)).statusCode, 404);
    assert.equal((await admin.patch(`/api/admin/audit/${id}`, { action: 'auth.logout' })).statusCode, 404);
  });
});
