import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createHarness, json, signedInClient, type Harness } from '../testing/harness.js';

let harness: Harness;
before(async () => {
  harness = await createHarness();
});
after(async () => {
  await harness.close();
});

interface SystemBody {
  status: {
    tiers: Array<{ tier: string; state: string }>;
    database: { connections: number; maxConnections: number } | null;
    host: { cpuCores: number; memoryUsedRatio: number };
    monitoring: { isUp: boolean };
    backup: { isConfigured: boolean };
  };
  charts: unknown[];
}

describe('admin system page API', () => {
  it('gives admins the tiers, database, host and backup figures', async () => {
    const { client } = await signedInClient(harness, 'admin');
    const response = await client.get('/api/admin/system?minutes=30');
    assert.equal(response.statusCode, 200);
    const body = json<SystemBody>(response);
    assert.deepEqual(body.status.tiers.map((tier) => tier.tier), ['web', 'api', 'worker']);
    assert.ok(body.status.database && body.status.database.connections >= 1);
    assert.ok(body.status.database.maxConnections > 0);
    assert.ok(body.status.host.cpuCores >= 1);
    assert.ok(body.status.host.memoryUsedRatio > 0 && body.status.host.memoryUsedRatio < 1);
    assert.equal(typeof body.status.backup.isConfigured, 'boolean');
    assert.ok(Array.isArray(body.charts));
  });

  it('refuses customers and anonymous callers, and a bad window names the field', async () => {
    const { client: customer } = await signedInClient(harness, 'customer');
    assert.equal((await customer.get('/api/admin/system')).statusCode, 403);
    assert.equal((await harness.app.inject({ method: 'GET', url: '/api/admin/system' })).statusCode, 401);
    const { client: admin } = await signedInClient(harness, 'admin');
    const bad = await admin.get('/api/admin/system?minutes=2');
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /minutes/);
  });
});
