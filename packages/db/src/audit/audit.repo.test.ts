import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { AUDIT_ACTIONS, listAudit, recordAudit } from './audit.repo.js';

describe('audit log', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.close());

  it('records an entry with actor, time, IP and target', async () => {
    const entry = await recordAudit(db.pool, {
      action: AUDIT_ACTIONS.ORDER_REFUNDED,
      actorId: 7,
      ip: '::ffff:203.0.113.9',
      target: 'order:42',
      details: { amountCents: 1999 },
    });
    assert.equal(entry.action, 'order.refunded');
    assert.equal(entry.actorId, 7);
    assert.equal(entry.ip, '203.0.113.9');
    assert.equal(entry.target, 'order:42');
    assert.deepEqual(entry.details, { amountCents: 1999 });
    assert.ok(Math.abs(entry.at.getTime() - Date.now()) < 60_000);
  });

  it('stores an unparseable IP as null instead of failing the audited action', async () => {
    const entry = await recordAudit(db.pool, { action: AUDIT_ACTIONS.LOGIN_FAILED, ip: 'not-an-ip' });
    assert.equal(entry.ip, null);
  });

  it('rejects UPDATE, DELETE and TRUNCATE: entries cannot be changed', async () => {
    const entry = await recordAudit(db.pool, { action: AUDIT_ACTIONS.LOGIN, actorId: 1 });
    await assert.rejects(db.pool.query("UPDATE audit_log SET action = 'auth.logout' WHERE id = $1", [entry.id]), /append-only: UPDATE/);
    await assert.rejects(db.pool.query('DELETE FROM audit_log WHERE id = $1', [entry.id]), /append-only: DELETE/);
    await assert.rejects(db.pool.query('TRUNCATE audit_log'), /append-only: TRUNCATE/);
    const { rows } = await db.pool.query<{ action: string }>('SELECT action FROM audit_log WHERE id = $1', [entry.id]);
    assert.equal(rows[0]?.action, 'auth.login');
  });

  it('rejects malformed actions and targets', async () => {
    await assert.rejects(recordAudit(db.pool, { action: 'Refund!' }), /audit_log_action_check/);
    await assert.rejects(recordAudit(db.pool, { action: 'order.refunded', target: '42' }), /audit_log_target_check/);
  });

  it('lists newest first with filters and keyset paging', async () => {
    for (let i = 0; i < 5; i += 1) {
      await recordAudit(db.pool, { action: AUDIT_ACTIONS.ORDER_STATUS_CHANGED, actorId: 99, target: `order:${100 + i}`, details: { to: 'shipped' } });
    }
    const first = await listAudit(db.pool, { actorId: 99, limit: 2 });
    assert.deepEqual(first.entries.map((entry) => entry.target), ['order:104', 'order:103']);
    assert.ok(first.nextBefore);
    const second = await listAudit(db.pool, { actorId: 99, limit: 2, before: first.nextBefore });
    assert.deepEqual(second.entries.map((entry) => entry.target), ['order:102', 'order:101']);
    const last = await listAudit(db.pool, { actorId: 99, limit: 2, before: second.nextBefore ?? undefined });
    assert.equal(last.entries.length, 1);
    assert.equal(last.nextBefore, null);
    assert.equal((await listAudit(db.pool, { area: 'order' })).entries.length, 6);
    assert.equal((await listAudit(db.pool, { action: 'order.refunded' })).entries.length, 1);
    assert.equal((await listAudit(db.pool, { target: 'order:102' })).entries.length, 1);
    assert.equal((await listAudit(db.pool, { since: new Date(Date.now() + 60_000) })).entries.length, 0);
  });
});
