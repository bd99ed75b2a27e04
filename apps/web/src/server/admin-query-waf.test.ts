/**
 * Audit finding 10 (issue 13): the WAF blocked ordinary SQL typed into the admin SQL console
 * (`SELECT * FROM sales LIMIT 5` → 403). The exclusion is scoped as CRS exclusions are — the
 * SQL-injection rules skip the `sql` field of the console routes for a signed-in admin — and
 * nothing wider. Runs the web tier in front of the API tier, WAF and rate limits as shipped.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { buildApiApp, type ApiApp } from '@threadline/api';
import { createLogger, loadConfig } from '@threadline/config';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { loadEdgeConfig } from '@threadline/edge';

import { buildWebApp } from './app.js';

interface Answer {
  status: number;
  body: string;
}

function send(port: number, method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ADMIN_SQL = ['SELECT * FROM sales LIMIT 5', 'SELECT version() AS v', "SELECT * FROM information_schema.tables WHERE table_name = 'x' LIMIT 1"];

function errorCode(answer: Answer): string | undefined {
  try {
    const parsed = JSON.parse(answer.body) as { error?: { code?: string } };
    return parsed.error?.code;
  } catch {
    return undefined;
  }
}

describe('admin SQL console through the web tier with the WAF on', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-admin-sql-'));
  let db: TestDatabase;
  let api: ApiApp;
  let web: Awaited<ReturnType<typeof buildWebApp>>;
  let apiPort = 0;
  let webPort = 0;
  let admin: { cookie: string; csrf: string };
  let seller: { cookie: string; csrf: string };

  before(async () => {
    db = await createTestDatabase();
    const logger = createLogger({ name: 'admin-sql', level: 'silent' });
    const config = loadConfig({ THREADLINE_DATA_DIR: dir, NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
    const secrets = { sessionSecret: 's', pseudonymKey: 'p', paymentWebhookSecret: 'w', pgPassword: '' };
    api = await buildApiApp({ config, secrets, pool: db.pool, logger, readinessChecks: [], edge: loadEdgeConfig({}) });
    await api.listen({ port: 0, host: '127.0.0.1' });
    apiPort = (api.server.address() as AddressInfo).port; // TCP listener: always AddressInfo
    const dist = path.join(dir, 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>shop</title>');
    web = await buildWebApp({ config: { ...config, apiUrl: `http://127.0.0.1:${apiPort}` }, logger, distDir: dist, edge: loadEdgeConfig({}) });
    await web.listen({ port: 0, host: '127.0.0.1' });
    webPort = (web.server.address() as AddressInfo).port; // TCP listener: always AddressInfo

    admin = await sessionFor(await insertTestUser('admin'));
    seller = await sessionFor(await insertTestUser('seller'));
  });

  async function insertTestUser(role: string): Promise<number> {
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO users (email, password_hash, name, role) VALUES ($1, 'not-a-hash', $2, $3) RETURNING id`,
      [`${role}-${randomBytes(4).toString('hex')}@example.test`, `Test ${role}`, role],
    );
    const id = rows[0]?.id;
    assert.ok(id !== undefined);
    return id;
  }

  /** A signed-in session written as the login route writes it (sha-256 of the cookie value). */
  async function sessionFor(userId: number): Promise<{ cookie: string; csrf: string }> {
    const cookie = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    await db.pool.query(`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`, [
      createHash('sha256').update(cookie).digest(),
      userId,
      csrf,
    ]);
    return { cookie, csrf };
  }

  after(async () => {
    await web?.close();
    await api?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (session: { cookie: string; csrf: string }, url: string, body: unknown): Promise<Answer> =>
    send(webPort, 'POST', url, { cookie: `tl_session=${session.cookie}`, 'x-csrf-token': session.csrf, 'content-type': 'application/json' }, JSON.stringify(body));

  it('lets an admin run ordinary SQL in the console', async () => {
    for (const sql of ADMIN_SQL) {
      for (const route of ['/api/admin/query', '/api/admin/query/csv']) {
        const answer = await post(admin, route, { sql, limit: 5 });
        assert.notEqual(errorCode(answer), 'WAF_BLOCKED', `${route} ${sql}: ${answer.status} ${answer.body}`);
        assert.notEqual(answer.status, 403, `${route} ${sql}: ${answer.body}`);
      }
    }
    const answer = await post(admin, '/api/admin/query', { sql: 'SELECT version() AS v' });
    assert.equal(answer.status, 200, answer.body);
  });

  it('still blocks the same SQL from a non-admin, in another field, or on another route', async () => {
    const fromSeller = await post(seller, '/api/admin/query', { sql: 'SELECT * FROM sales LIMIT 5' });
    assert.equal(fromSeller.status, 403);
    assert.equal(errorCode(fromSeller), 'WAF_BLOCKED');
    const otherField = await send(webPort, 'PATCH', '/api/account', { cookie: `tl_session=${admin.cookie}`, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' }, JSON.stringify({ name: "x' UNION SELECT password_hash FROM users--" }));
    assert.equal(errorCode(otherField), 'WAF_BLOCKED');
    const otherRoute = await post(admin, '/api/seller/products', { name: 'Tee', description: "1' UNION SELECT email, password_hash FROM users--" });
    assert.equal(errorCode(otherRoute), 'WAF_BLOCKED');
  });

  it('keeps the other rule families on the console field, even for an admin', async () => {
    const answer = await post(admin, '/api/admin/query', { sql: "SELECT '<script>alert(document.cookie)</script>'" });
    assert.equal(errorCode(answer), 'WAF_BLOCKED');
    const fileRead = await post(admin, '/api/admin/query', { sql: "SELECT * FROM read_text('../../../../etc/passwd')" });
    assert.equal(errorCode(fileRead), 'WAF_BLOCKED');
  });
});
