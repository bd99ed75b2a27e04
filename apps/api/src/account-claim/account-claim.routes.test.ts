import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { insertUser } from '@threadline/db';

import { Client, createHarness, errorOf, json, signedInClient, type Harness } from '../testing/harness.js';

describe('claiming an imported account', () => {
  let harness: Harness;
  let importedId: number;
  const email = 'legacy.customer@example.com';

  before(async () => {
    harness = await createHarness();
    // imported from the old shop: no usable password
    importedId = (await insertUser(harness.db.pool, { email, passwordHash: 'unused', name: 'Legacy Customer', role: 'customer' })).id;
    await harness.db.pool.query('UPDATE users SET password_hash = NULL WHERE id = $1', [importedId]);
  });
  after(() => harness.close());

  it('an imported customer cannot sign in before claiming', async () => {
    const client = await new Client(harness.app).init();
    const response = await client.post('/api/auth/login', { email, password: 'anything-at-all-1' });
    assert.equal(response.statusCode, 401);
  });

  it('only admins issue claim tokens', async () => {
    for (const role of ['customer', 'seller', 'marketing'] as const) {
      const { client } = await signedInClient(harness, role);
      assert.equal((await client.post(`/api/admin/users/${importedId}/claim-token`)).statusCode, 403, role);
    }
    const { client: admin } = await signedInClient(harness, 'admin');
    assert.equal((await admin.post('/api/admin/users/999999/claim-token')).statusCode, 404);
  });

  it('sets a password with the token once, then the customer signs in', async () => {
    const { client: admin } = await signedInClient(harness, 'admin');
    const issued = await admin.post(`/api/admin/users/${importedId}/claim-token`);
    assert.equal(issued.statusCode, 201, issued.body);
    const { token, claimPath } = json<{ token: string; claimPath: string }>(issued);
    assert.equal(claimPath, `/claim?token=${token}`);

    const visitor = await new Client(harness.app).init();
    const weak = await visitor.post('/api/auth/claim', { token, password: 'password' });
    assert.equal(weak.statusCode, 400);
    assert.equal(errorOf(weak).field, 'password');
    const claimed = await visitor.post('/api/auth/claim', { token, password: 'a-long-new-password-7' });
    assert.equal(claimed.statusCode, 200, claimed.body);
    const again = await visitor.post('/api/auth/claim', { token, password: 'another-long-password-8' });
    assert.equal(again.statusCode, 400);
    assert.equal(errorOf(again).field, 'token');

    const login = await visitor.post('/api/auth/login', { email, password: 'a-long-new-password-7' });
    assert.equal(login.statusCode, 200, login.body);
  });

  it('a newer token replaces an older one', async () => {
    const { client: admin } = await signedInClient(harness, 'admin');
    const first = json<{ token: string }>(await admin.post(`/api/admin/users/${importedId}/claim-token`)).token;
    const second = json<{ token: string }>(await admin.post(`/api/admin/users/${importedId}/claim-token`)).token;
    const visitor = await new Client(harness.app).init();
    assert.equal((await visitor.post('/api/auth/claim', { token: first, password: 'first-token-password-9' })).statusCode, 400);
    assert.equal((await visitor.post('/api/auth/claim', { token: second, password: 'second-token-password-9' })).statusCode, 200);
  });
});
