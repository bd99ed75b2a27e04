import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { AUDIT_ACTIONS, recordAudit } from '@threadline/db';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/threadline.mjs', import.meta.url));

describe('threadline audit list / tls self-signed', () => {
  let db: TestDatabase;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tl-cli-audit-'));
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, DATABASE_URL: db.url, THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  before(async () => {
    db = await createTestDatabase();
    await recordAudit(db.pool, { action: AUDIT_ACTIONS.LOGIN_FAILED, ip: '198.51.100.7', target: 'user:3', details: { reason: 'wrong_password' } });
    await recordAudit(db.pool, { action: AUDIT_ACTIONS.ORDER_REFUNDED, actorId: 2, ip: '203.0.113.1', target: 'order:9', details: { to: 'refunded' } });
    await recordAudit(db.pool, { action: AUDIT_ACTIONS.BACKUP_CREATED, actorType: 'system', target: 'backup:20261125-020000F' });
  });
  after(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists entries newest first as JSON, filtered by area', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'audit', 'list', '--format', 'json'], { env: env() });
    const rows: unknown = JSON.parse(stdout);
    assert.ok(Array.isArray(rows));
    assert.deepEqual(rows.map((row: { action: string }) => row.action), ['backup.created', 'order.refunded', 'auth.login_failed']);
    const { stdout: orders } = await run(process.execPath, [BIN, 'audit', 'list', '--area', 'order', '--format', 'csv'], { env: env() });
    assert.equal(orders.trim().split('\n').length, 2);
    assert.match(orders, /^id,at,action,actor,ip,target,details/);
    assert.match(orders, /order\.refunded,2,203\.0\.113\.1,order:9/);
  });

  it('prints a table and names a bad option', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'audit', 'list', '--action', 'auth.login_failed'], { env: env() });
    assert.match(stdout, /auth\.login_failed\s+198\.51\.100\.7\s+user:3/);
    await assert.rejects(run(process.execPath, [BIN, 'audit', 'list', '--since', 'yesterdayish'], { env: env() }), /--since must be a date/);
  });

  it('makes a self-signed certificate with `tls self-signed`', async () => {
    const out = path.join(dataDir, 'tls');
    const { stdout } = await run(process.execPath, [BIN, 'tls', 'self-signed', '--out', out, '--host', 'shop.local'], { env: env() });
    assert.match(stdout, /certificate: .*cert\.pem/);
    assert.match(stdout, /THREADLINE_TLS_CERT=/);
    await assert.rejects(run(process.execPath, [BIN, 'tls', 'self-signed', '--out', out], { env: env() }), /already exists; pass --force/);
    const { stdout: help } = await run(process.execPath, [BIN, 'audit', 'list', '--help'], { env: env() });
    assert.match(help, /--format <format>/);
  });
});
