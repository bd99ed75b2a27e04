import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { verifyPassword } from '@threadline/auth';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

const BIN = fileURLToPath(new URL('../../bin/threadline.mjs', import.meta.url));

/** Runs the command with `input` on standard input; resolves with its output and exit code. */
function run(args: string[], input: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input);
  });
}

describe('threadline users create', () => {
  let db: TestDatabase;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tl-cli-users-'));
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, DATABASE_URL: db.url, THREADLINE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the first admin with the password from standard input, audited', async () => {
    const result = await run(['users', 'create', '--role', 'admin', '--email', 'Owner@Shop.example', '--password-stdin'], 'long enough secret 42\n', env());
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /created admin account #\d+ for Owner@Shop\.example/);
    const { rows } = await db.pool.query(`SELECT id, role, name, password_hash FROM users WHERE lower(email) = 'owner@shop.example'`);
    assert.equal(rows[0].role, 'admin');
    assert.equal(rows[0].name, 'Owner');
    assert.equal(await verifyPassword(rows[0].password_hash, 'long enough secret 42'), true);
    const { rows: audit } = await db.pool.query(`SELECT target, details FROM audit_log WHERE action = 'user.created'`);
    assert.deepEqual(audit.map((row) => [row.target, row.details.role]), [[`user:${rows[0].id}`, 'admin']]);
  });

  it('refuses a taken e-mail, a weak password, a bad role and an empty standard input, creating nothing', async () => {
    const taken = await run(['users', 'create', '--role', 'admin', '--email', 'owner@shop.example'], 'another long secret\n', env());
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /already exists/);
    const weak = await run(['users', 'create', '--role', 'admin', '--email', 'second@shop.example'], 'password\n', env());
    assert.match(weak.stderr, /password must be at least 8 characters|too common/);
    const role = await run(['users', 'create', '--role', 'root', '--email', 'third@shop.example'], 'long enough secret 42\n', env());
    assert.match(role.stderr, /--role must be one of admin, seller, marketing, customer/);
    const empty = await run(['users', 'create', '--email', 'fourth@shop.example'], '', env());
    assert.match(empty.stderr, /no password on standard input/);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM users`);
    assert.equal(rows[0].n, 1);
  });

  it('gives a customer imported without an e-mail an address, then a claim link to it', async () => {
    await db.pool.query(`INSERT INTO users (legacy_id, name, role) VALUES ('C-9', 'Old Customer', 'customer')`);
    const result = await run(['users', 'claim-token', 'old.customer@example.com', '--legacy-id', 'C-9', '--format', 'json'], '', env());
    assert.equal(result.code, 0, result.stderr);
    const issued: unknown = JSON.parse(result.stdout);
    assert.ok(typeof issued === 'object' && issued !== null && 'url' in issued && typeof issued.url === 'string' && /\/claim\?token=/.test(issued.url));
    const { rows } = await db.pool.query(`SELECT email FROM users WHERE legacy_id = 'C-9'`);
    assert.equal(rows[0].email, 'old.customer@example.com');
    const again = await run(['users', 'claim-token', 'other@example.com', '--legacy-id', 'C-9'], '', env());
    assert.match(again.stderr, /already has the e-mail old\.customer@example\.com/);
  });
});
