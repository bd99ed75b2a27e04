/**
 * Audit finding 1 (issue 13): percent-encoding the path (`/%61pi/…`, routed as `/api/…`) skipped
 * the CSRF check and the edge rate limits, which compared the raw URL. Runs the web tier in front
 * of the API tier, both with the edge settings as shipped (WAF and rate limits on).
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
import { canonicalPath, loadEdgeConfig } from '@threadline/edge';

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

/** Spellings of `/api` that a router or proxy could take for it. */
const DISGUISES = ['/%61pi', '/%2561pi', '/a%70i', '/%41PI', '/./api', '/x/../api', '//api', '/api%2f..', '/api\\..'];

describe('canonical request paths', () => {
  it('accepts plain paths, encoded spaces and non-ASCII, and a trailing slash', () => {
    assert.deepEqual(canonicalPath('/api/orders?x=%61'), { ok: true, path: '/api/orders' });
    assert.deepEqual(canonicalPath('/api/search/linen%20shirt'), { ok: true, path: '/api/search/linen shirt' });
    assert.deepEqual(canonicalPath('/products/caf%C3%A9'), { ok: true, path: '/products/café' });
    assert.deepEqual(canonicalPath('/account/'), { ok: true, path: '/account/' });
  });

  it('refuses every second spelling of a path, naming why', () => {
    assert.deepEqual(canonicalPath('/%61pi/orders'), { ok: false, reason: 'encoded-unreserved' });
    assert.deepEqual(canonicalPath('/%2561pi/orders'), { ok: false, reason: 'double-encoding' });
    assert.deepEqual(canonicalPath('/api%2forders'), { ok: false, reason: 'encoded-separator' });
    assert.deepEqual(canonicalPath('/api/%5c'), { ok: false, reason: 'encoded-separator' });
    assert.deepEqual(canonicalPath('/api/%zz'), { ok: false, reason: 'bad-percent-encoding' });
    assert.deepEqual(canonicalPath('/api/%C3'), { ok: false, reason: 'bad-percent-encoding' });
    assert.deepEqual(canonicalPath('/api/%00'), { ok: false, reason: 'control-character' });
    assert.deepEqual(canonicalPath('/a/../api/orders'), { ok: false, reason: 'dot-segment' });
    assert.deepEqual(canonicalPath('/api/%2e%2e/x'), { ok: false, reason: 'encoded-unreserved' });
    assert.deepEqual(canonicalPath('//api/orders'), { ok: false, reason: 'empty-segment' });
    assert.deepEqual(canonicalPath('/api\\orders'), { ok: false, reason: 'backslash' });
  });
});

describe('encoded paths through the web and API tiers, protections as shipped', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-encoded-'));
  let db: TestDatabase;
  let api: ApiApp;
  let web: Awaited<ReturnType<typeof buildWebApp>>;
  let apiPort = 0;
  let webPort = 0;
  let admin: { cookie: string; csrf: string };
  let victimId = 0;

  before(async () => {
    db = await createTestDatabase();
    const logger = createLogger({ name: 'encoded', level: 'silent' });
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
    victimId = await insertTestUser('seller');
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

  async function anonymousSession(): Promise<{ cookie: string; csrf: string }> {
    const cookie = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    await db.pool.query(`INSERT INTO sessions (id_hash, csrf_token, expires_at) VALUES ($1, $2, now() + interval '1 day')`, [createHash('sha256').update(cookie).digest(), csrf]);
    return { cookie, csrf };
  }

  async function roleOf(id: number): Promise<string> {
    const { rows } = await db.pool.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [id]);
    return rows[0]?.role ?? 'missing';
  }

  it('an admin cookie without a CSRF token cannot change a role through any spelling of /api', async () => {
    for (const port of [webPort, apiPort]) {
      for (const prefix of [...DISGUISES, '/api']) {
        const answer = await send(port, 'PATCH', `${prefix}/admin/users/${victimId}`, { cookie: `tl_session=${admin.cookie}`, 'content-type': 'application/json' }, JSON.stringify({ role: 'customer' }));
        assert.ok(answer.status >= 400 && answer.status < 500, `${port === webPort ? 'web' : 'api'} ${prefix}: ${answer.status} ${answer.body}`);
        assert.equal(await roleOf(victimId), 'seller', `role changed through ${prefix}`);
      }
    }
    const refused = await send(webPort, 'PATCH', `/%61pi/admin/users/${victimId}`, { cookie: `tl_session=${admin.cookie}`, 'content-type': 'application/json' }, '{"role":"customer"}');
    assert.equal(refused.status, 400);
    assert.equal((JSON.parse(refused.body) as { error: { code: string } }).error.code, 'AMBIGUOUS_PATH'); // the shape every error of the API has
  });

  it('the same admin request with its token and the plain path still works', async () => {
    const answer = await send(webPort, 'PATCH', `/api/admin/users/${victimId}`, { cookie: `tl_session=${admin.cookie}`, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' }, JSON.stringify({ role: 'marketing' }));
    assert.equal(answer.status, 200, answer.body);
    assert.equal(await roleOf(victimId), 'marketing');
  });

  it('a text/plain order without a token is refused on the API tier whatever the spelling', async () => {
    for (const prefix of [...DISGUISES, '/api']) {
      const answer = await send(apiPort, 'POST', `${prefix}/orders`, { cookie: `tl_session=${admin.cookie}`, 'content-type': 'text/plain' }, '{"items":[]}');
      assert.ok(answer.status >= 400 && answer.status < 500, `${prefix}: ${answer.status} ${answer.body}`);
      if (prefix === '/api') assert.match(answer.body, /CSRF_INVALID/);
      else assert.match(answer.body, /AMBIGUOUS_PATH|NOT_FOUND/);
    }
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM orders');
    assert.equal(rows[0]?.n, '0');
  });

  it('sign-ups past the per-IP limit stay refused through encoded spellings', async () => {
    const limit = loadEdgeConfig({}).rateLimit.signupPerIpPerHour;
    // each sign-up with a fresh anonymous session and its token (sign-up replaces the session), so
    // that only the rate limit can stop them
    const statuses: string[] = [];
    for (let i = 0; i < limit + 4; i += 1) {
      const session = await anonymousSession();
      const prefix = i < limit ? '/api' : i % 2 === 0 ? '/api' : '/%61pi';
      const answer = await send(webPort, 'POST', `${prefix}/auth/signup`, { cookie: `tl_session=${session.cookie}`, 'x-csrf-token': session.csrf, 'content-type': 'application/json' }, JSON.stringify({ email: `signup${i}@example.test`, password: 'a long enough password 1', name: 'Signer' }));
      statuses.push(`${prefix}:${answer.status}`);
    }
    const created = await db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM users WHERE email LIKE 'signup%@example.test'`);
    assert.equal(Number(created.rows[0]?.n), limit, `exactly the limit signs up: ${statuses.join(' ')}`);
    for (const entry of statuses.slice(limit)) assert.match(entry, /^\/api:429$|^\/%61pi:400$/, statuses.join(' '));
  });
});
