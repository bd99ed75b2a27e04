/**
 * Regression tests for the outside audit of issue 13 (findings 5, 6, 8, 11, 12; finding 1 is in
 * encoded-path.test.ts, the lake findings in lake-findings.test.ts). The whole edge runs as
 * shipped: nginx + ModSecurity (deploy/nginx) in front of the web tier in front of the API tier,
 * on a throwaway database, WAF and rate limits on.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { buildApiApp, type ApiApp } from '@threadline/api';
import { createLogger, loadConfig } from '@threadline/config';
import { createTestDatabase, freePort, type TestDatabase } from '@threadline/db/testing';
import { createSelfSignedCertificate, DEBIAN_PATHS, hasNginxWithModSecurity, loadEdgeConfig, startNginx, type RunningNginx } from '@threadline/edge';

import { buildWebApp } from './app.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Target {
  port: number;
  /** HTTPS with this CA (nginx), plain HTTP otherwise (the web tier). */
  ca?: Buffer;
}

function send(target: Target, method: string, url: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port: target.port, method, path: url, headers: { host: 'localhost', ...headers }, agent: false };
    const onResponse = (res: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    };
    const req = target.ca ? https.request({ ...options, servername: 'localhost', ca: target.ca }, onResponse) : http.request(options, onResponse);
    req.on('error', reject);
    req.end(body);
  });
}

function errorCode(answer: Answer): string {
  const parsed: unknown = JSON.parse(answer.body);
  assert.ok(typeof parsed === 'object' && parsed !== null && 'error' in parsed, `not an error body: ${answer.body.slice(0, 200)}`);
  const error = (parsed as { error: unknown }).error; // shape checked just above
  assert.ok(typeof error === 'object' && error !== null && 'code' in error && 'message' in error, `not { error: { code, message } }: ${answer.body.slice(0, 200)}`);
  return String((error as { code: unknown }).code); // checked just above
}

describe('audit findings through nginx, the web tier and the API tier, protections as shipped', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-audit-'));
  let db: TestDatabase;
  let api: ApiApp;
  let web: Awaited<ReturnType<typeof buildWebApp>>;
  let nginx: RunningNginx | undefined;
  let apiTarget: Target;
  let webTarget: Target;
  let edgeTarget: Target;
  let nginxHttpPort = 0;

  before(async () => {
    assert.ok(hasNginxWithModSecurity(), 'nginx with ModSecurity and the CRS must be installed');
    chmodSync(dir, 0o755);
    db = await createTestDatabase();
    const logger = createLogger({ name: 'audit', level: 'silent' });
    const config = loadConfig({ THREADLINE_DATA_DIR: path.join(dir, 'data'), NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
    const secrets = { sessionSecret: 's', pseudonymKey: 'p', paymentWebhookSecret: 'w', pgPassword: '' };
    const edge = loadEdgeConfig({ THREADLINE_BEHIND_TLS_PROXY: '1' });
    api = await buildApiApp({ config, secrets, pool: db.pool, logger, readinessChecks: [], edge });
    await api.listen({ port: 0, host: '127.0.0.1' });
    apiTarget = { port: (api.server.address() as AddressInfo).port }; // TCP listener: always AddressInfo
    const dist = path.join(dir, 'dist');
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>shop</title>');
    web = await buildWebApp({ config: { ...config, apiUrl: `http://127.0.0.1:${apiTarget.port}` }, logger, distDir: dist, edge });
    await web.listen({ port: 0, host: '127.0.0.1' });
    webTarget = { port: (web.server.address() as AddressInfo).port }; // TCP listener: always AddressInfo

    const cert = await createSelfSignedCertificate({ dir: path.join(dir, 'tls') });
    nginxHttpPort = await freePort();
    const httpsPort = await freePort();
    nginx = await startNginx({
      ...DEBIAN_PATHS,
      prefix: path.join(dir, 'run'),
      confDir: path.join(dir, 'conf'),
      listenAddress: '127.0.0.1',
      httpPort: nginxHttpPort,
      httpsPort,
      serverName: 'localhost',
      tlsCert: cert.certPath,
      tlsKey: cert.keyPath,
      webUpstream: `127.0.0.1:${webTarget.port}`,
      apiUpstream: `127.0.0.1:${apiTarget.port}`,
      assetsRoot: dist,
      paranoia: 1,
      hstsMaxAge: 31_536_000,
      apiRate: '2000r/s',
    });
    for (const sub of ['run/tmp/body', 'run/tmp/proxy', 'run/tmp/modsec']) chmodSync(path.join(dir, sub), 0o777);
    edgeTarget = { port: httpsPort, ca: readFileSync(cert.certPath) };
  });

  after(async () => {
    await nginx?.stop();
    await web?.close();
    await api?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function insertUser(role: string, email = `${role}-${randomBytes(4).toString('hex')}@example.test`): Promise<number> {
    const { rows } = await db.pool.query<{ id: number }>(`INSERT INTO users (email, password_hash, name, role) VALUES ($1, 'not-a-hash', $2, $3) RETURNING id`, [email, `Test ${role}`, role]);
    const id = rows[0]?.id;
    assert.ok(id !== undefined);
    return id;
  }

  /** A session written as the login route writes it (sha-256 of the cookie value); anonymous without a user. */
  async function session(userId: number | null): Promise<{ cookie: string; csrf: string; headers: Record<string, string> }> {
    const cookie = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    await db.pool.query(`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`, [createHash('sha256').update(cookie).digest(), userId, csrf]);
    return { cookie, csrf, headers: { cookie: `tl_session=${cookie}`, 'x-csrf-token': csrf, 'content-type': 'application/json' } };
  }

  async function roleOf(id: number): Promise<string> {
    const { rows } = await db.pool.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [id]);
    return rows[0]?.role ?? 'missing';
  }

  it('finding 1 through nginx: an admin cookie without a CSRF token changes no role through /%61pi', async () => {
    const admin = await session(await insertUser('admin'));
    const victim = await insertUser('seller');
    for (const prefix of ['/%61pi', '/%2561pi', '/a%70i', '/api/../api', '/./api', '/api']) {
      const answer = await send(edgeTarget, 'PATCH', `${prefix}/admin/users/${victim}`, { cookie: `tl_session=${admin.cookie}`, 'content-type': 'application/json' }, '{"role":"customer"}');
      assert.ok(answer.status >= 400 && answer.status < 500, `${prefix}: ${answer.status} ${answer.body}`);
      assert.equal(await roleOf(victim), 'seller', `role changed through ${prefix}`);
    }
  });

  it('finding 5: the admin query CSV neutralises formula cells, through the web tier', async () => {
    const admin = await session(await insertUser('admin'));
    const answer = await send(webTarget, 'POST', '/api/admin/query/csv', admin.headers, JSON.stringify({ sql: "SELECT '@SUM(1+1)' AS cell, -3 AS n" }));
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.body, "cell,n\n'@SUM(1+1),-3\n");
  });

  it('finding 6: /metrics is not served to the internet through nginx or the web tier, and a direct scrape still works', async () => {
    for (const target of [edgeTarget, webTarget]) {
      const viaProxy = await send(target, 'GET', '/metrics', target === webTarget ? { 'x-forwarded-for': '203.0.113.7' } : {});
      assert.ok([403, 404].includes(viaProxy.status), `${target.port}: ${viaProxy.status}`);
      assert.doesNotMatch(viaProxy.body, /http_requests_total/);
    }
    const direct = await send(webTarget, 'GET', '/metrics');
    assert.equal(direct.status, 200);
    assert.match(direct.body, /http_requests_total/);
  });

  it('finding 6: a client address written by the client is not believed; the API sees the real peer', async () => {
    // the web tier trusts only a proxy address that is not this test's, so the test is a client
    const strictWeb = await buildWebApp({
      config: { ...loadConfig({ THREADLINE_DATA_DIR: path.join(dir, 'data'), NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' }), apiUrl: `http://127.0.0.1:${apiTarget.port}` },
      logger: createLogger({ name: 'audit-web', level: 'silent' }),
      distDir: path.join(dir, 'dist'),
      edge: loadEdgeConfig({ THREADLINE_TRUSTED_PROXIES: '192.0.2.10' }),
    });
    await strictWeb.listen({ port: 0, host: '127.0.0.1' });
    try {
      const target = { port: (strictWeb.server.address() as AddressInfo).port }; // TCP listener: always AddressInfo
      const anonymous = await session(null);
      const email = `spoof-${randomBytes(3).toString('hex')}@example.test`;
      await send(target, 'POST', '/api/auth/login', { ...anonymous.headers, 'x-forwarded-for': '203.0.113.66' }, JSON.stringify({ email, password: 'wrong-password-1' }));
      const { rows } = await db.pool.query<{ ip: string | null }>(`SELECT host(ip) AS ip FROM audit_log WHERE action = 'auth.login_failed' ORDER BY id DESC LIMIT 1`);
      assert.equal(rows[0]?.ip, '127.0.0.1');
    } finally {
      await strictWeb.close();
    }
  });

  it('finding 8: an unknown e-mail answers like a known one through the web tier, lock included', async () => {
    const knownEmail = `known-${randomBytes(3).toString('hex')}@example.test`;
    await insertUser('customer', knownEmail);
    const answers: Record<string, string[]> = {};
    for (const email of [knownEmail, `unknown-${randomBytes(3).toString('hex')}@example.test`]) {
      const anonymous = await session(null);
      const seen: string[] = [];
      for (let attempt = 0; attempt < 7; attempt += 1) {
        const answer = await send(webTarget, 'POST', '/api/auth/login', anonymous.headers, JSON.stringify({ email, password: 'wrong-password-1' }));
        seen.push(`${answer.status} ${errorCode(answer)}`);
      }
      answers[email.startsWith('known') ? 'known' : 'unknown'] = seen;
    }
    assert.deepEqual(answers.unknown, answers.known);
    assert.equal(answers.unknown?.at(-1), '429 ACCOUNT_LOCKED');
  });

  it('finding 11: the HTTP→HTTPS redirect of nginx goes to the configured name, never the Host header', async () => {
    const answer = await send({ port: nginxHttpPort }, 'GET', '/account?tab=orders', { host: 'evil.example' });
    assert.equal(answer.status, 308);
    assert.match(String(answer.headers.location), /^https:\/\/localhost:\d+\/account\?tab=orders$/);
  });

  it('finding 12: a password equal to the e-mail is refused, naming the field', async () => {
    const anonymous = await session(null);
    const email = `same-${randomBytes(3).toString('hex')}@example.test`;
    const answer = await send(webTarget, 'POST', '/api/auth/signup', anonymous.headers, JSON.stringify({ email, password: email.toUpperCase(), name: 'Same' }));
    assert.equal(answer.status, 400, answer.body);
    assert.equal(errorCode(answer), 'VALIDATION_FAILED');
    assert.equal((JSON.parse(answer.body) as { error: { field?: string } }).error.field, 'password'); // shape checked by errorCode
  });

  it('finding 12: oversize bodies get 413 { error: { code, message } } through the web tier, for /api and /collect', async () => {
    const anonymous = await session(null);
    const big = Buffer.alloc(5 * 1024 * 1024, 'a');
    for (const [url, headers] of [
      ['/api/cart/items', anonymous.headers],
      ['/collect', { 'content-type': 'application/json' }],
      ['/collect', { 'content-type': 'text/plain' }],
    ] as const) {
      for (const target of [webTarget, apiTarget]) {
        const answer = await send(target, 'POST', url, headers, big);
        assert.equal(answer.status, 413, `${url} on ${target === webTarget ? 'web' : 'api'}: ${answer.status} ${answer.body.slice(0, 200)}`);
        assert.equal(errorCode(answer), 'PAYLOAD_TOO_LARGE');
      }
    }
  });
});
