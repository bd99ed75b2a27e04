/**
 * Regression tests for the outside audit of issue 13 (findings 1, 2, 3, 4, 5, 6, 8, 11, 12; finding
 * 1 in depth in encoded-path.test.ts, the authorisation matrix in authorization-matrix.test.ts). The whole edge runs as
 * shipped: nginx + ModSecurity (deploy/nginx) in front of the web tier in front of the API tier,
 * on a throwaway database, WAF and rate limits on.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { buildApiApp, type ApiApp } from '@threadline/api';
import { createLogger, loadConfig, loadEdgeConfig } from '@threadline/config';
import { createTestDatabase, freePort, type TestDatabase } from '@threadline/db/testing';
import { lyingWorkbook } from '@threadline/survey/testing';
import { createSelfSignedCertificate, DEBIAN_PATHS, hasNginxWithModSecurity, startNginx, type RunningNginx } from '@threadline/edge';

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

  /** Every clickstream event the collector made durable so far (spool records hold NDJSON batches). */
  function spooledEvents(): Array<Record<string, unknown>> {
    const root = path.join(dir, 'data', 'spool', 'clickstream');
    const events: Array<Record<string, unknown>> = [];
    const walk = (folder: string): void => {
      if (!existsSync(folder)) return;
      for (const entry of readdirSync(folder)) {
        const full = path.join(folder, entry);
        if (statSync(full).isDirectory()) walk(full);
        else {
          for (const line of readFileSync(full, 'utf8').split('\n')) {
            const start = line.indexOf('{"event_id"');
            if (start >= 0) events.push(JSON.parse(line.slice(start)) as Record<string, unknown>); // NDJSON written by the collector
          }
        }
      }
    };
    walk(root);
    return events;
  }

  function beacon(overrides: Record<string, unknown>): Record<string, unknown> {
    return { id: randomUUID(), type: 'page_view', ts: Date.now(), visitorId: 'visitor-123456', sessionId: 'session-123456', path: '/', ...overrides };
  }

  it('finding 2: a workbook whose sharedStrings.xml lies about its size is refused through the web tier before parsing', async () => {
    const admin = await session(await insertUser('admin'));
    const boundary = '----threadline-audit';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="survey.xlsx"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`),
      lyingWorkbook(),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const headers = { cookie: `tl_session=${admin.cookie}`, 'x-csrf-token': admin.csrf, 'content-type': `multipart/form-data; boundary=${boundary}` };
    const answer = await send(webTarget, 'POST', '/api/admin/survey/uploads', headers, body);
    assert.equal(answer.status, 413, answer.body.slice(0, 300));
    assert.equal(errorCode(answer), 'SURVEY_ZIP_BOMB');
  });

  it('finding 3: e-mails, phone numbers and long digit runs are scrubbed from every free-text field entering the lake', async () => {
    const event = beacon({
      type: 'search',
      path: '/account/jane.roe%40example.com/orders',
      utm: { source: 'newsletter', campaign: 'jane.roe@example.com', term: 'call +1 (555) 010-4477', content: 'card 4242424242424242' },
      props: { query: 'jane.roe@example.com linen shirt' },
    });
    const answer = await send(webTarget, 'POST', '/collect', { 'content-type': 'application/json' }, JSON.stringify({ events: [event] }));
    assert.equal(answer.status, 202, answer.body);
    const stored = spooledEvents().find((row) => row.event_id === event.id);
    assert.ok(stored, 'the event is durable');
    // the free text only: the times are digits too, and may hold a 555 of their own
    const text = JSON.stringify(Object.values(stored).filter((value) => typeof value === 'string'));
    assert.doesNotMatch(text, /jane\.roe|example\.com|555|4242424242424242/);
    assert.equal(stored.path, '/account/[email]/orders');
    assert.equal(stored.search_query, '[email] linen shirt');
    assert.equal(stored.utm_term, 'call [phone]');
    assert.equal(stored.utm_source, 'newsletter');
  });

  it('finding 4: a browser cannot claim a user, forge order_paid or forge access_log through the web tier', async () => {
    const customerId = await insertUser('customer');
    const anonymous = await session(null);
    const claimed = beacon({ userId: String(customerId) });
    const forgedSale = beacon({ type: 'order_paid', props: { valueCents: 99_999_00, currency: 'USD' } });
    const forgedLog = beacon({ type: 'access_log', http: { tier: 'web', method: 'GET', route: '/admin', status: 200, durationMs: 1 } });
    const answer = await send(webTarget, 'POST', '/collect', { cookie: `tl_session=${anonymous.cookie}`, 'content-type': 'application/json' }, JSON.stringify({ events: [claimed, forgedSale, forgedLog] }));
    assert.equal(answer.status, 202, answer.body);
    const result = JSON.parse(answer.body) as { accepted: number; rejected: Array<{ index: number; reason: string }> }; // the documented 202 body
    assert.deepEqual(result.rejected.map((rejection) => rejection.index), [1, 2]);
    assert.match(result.rejected[0]?.reason ?? '', /order_paid events are recorded by the shop's servers/);
    const stored = spooledEvents();
    const claimedRow = stored.find((row) => row.event_id === claimed.id);
    assert.ok(claimedRow, 'the anonymous event is spooled');
    // the spool leaves null columns out of its lines (the flusher reads a missing column as NULL)
    assert.equal(claimedRow.user_pseudonym ?? null, null, 'the user comes from the session, not the event');
    assert.ok(!stored.some((row) => row.event_id === forgedSale.id || row.event_id === forgedLog.id));

    // a signed-in customer's events carry their pseudonym without sending any id
    const signedIn = await session(customerId);
    const own = beacon({});
    await send(webTarget, 'POST', '/collect', { cookie: `tl_session=${signedIn.cookie}`, 'content-type': 'application/json' }, JSON.stringify({ events: [own] }));
    assert.match(String(spooledEvents().find((row) => row.event_id === own.id)?.user_pseudonym), /^[A-Za-z0-9_-]{22}$/);
  });
});
