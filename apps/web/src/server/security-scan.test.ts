/**
 * Automated security scan of the running system: the API tier on a throwaway database and the
 * web tier over HTTPS in front of it, both on loopback. Checks what an external scanner would:
 * headers on every page, TLS versions and ciphers, the HTTP redirect, cookie flags, which routes
 * answer without a session, CORS, and that the WAF is in the path.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';

import { buildApiApp, type ApiApp } from '@threadline/api';
import { createLogger, loadConfig, loadEdgeConfig } from '@threadline/config';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { createRedirectServer, createSelfSignedCertificate, loadHttpsOptions } from '@threadline/edge';

import { buildWebApp } from './app.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Routes that answer anonymous callers by design (the storefront, sign-in, health, clickstream). */
const PUBLIC_PREFIXES = ['/api/products', '/api/categories', '/api/colour-families', '/api/auth/', '/api/cart', '/api/openapi.json', '/api/reviews', '/api/search', '/api/insights/public', '/healthz', '/readyz', '/collect', '/media/'];

describe('security scan of the running web and API tiers', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-scan-'));
  let db: TestDatabase;
  let api: ApiApp;
  let web: Awaited<ReturnType<typeof buildWebApp>>;
  let redirect: http.Server;
  let port = 0;
  let redirectPort = 0;
  let ca = Buffer.alloc(0);

  function request(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port, method, path: url, servername: 'localhost', ca, headers: { host: `localhost:${port}`, ...headers }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  before(async () => {
    db = await createTestDatabase();
    const logger = createLogger({ name: 'scan', level: 'silent' });
    const config = loadConfig({ THREADLINE_DATA_DIR: dir, NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
    // behind the HTTPS web tier: the API marks cookies Secure
    const apiEdge = loadEdgeConfig({ THREADLINE_BEHIND_TLS_PROXY: '1' });
    api = await buildApiApp({ config, secrets: { sessionSecret: 's', pseudonymKey: 'p', paymentWebhookSecret: 'w', pgPassword: '' }, pool: db.pool, logger, readinessChecks: [], edge: apiEdge });
    await api.listen({ port: 0, host: '127.0.0.1' });
    const apiPort = (api.server.address() as AddressInfo).port; // TCP listener: always AddressInfo

    const cert = await createSelfSignedCertificate({ dir: path.join(dir, 'tls') });
    ca = readFileSync(cert.certPath);
    const dist = path.join(dir, 'dist');
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><html><head><script type="module" src="/assets/app-1a2b.js"></script></head><body><div id="root"></div></body></html>');
    writeFileSync(path.join(dist, 'assets', 'app-1a2b.js'), 'console.log("shop")');
    const edge = loadEdgeConfig({ THREADLINE_TLS_CERT: cert.certPath, THREADLINE_TLS_KEY: cert.keyPath });
    const httpsOptions = loadHttpsOptions(edge.tls);
    assert.ok(httpsOptions);
    web = await buildWebApp({ config: { ...config, apiUrl: `http://127.0.0.1:${apiPort}` }, logger, distDir: dist, edge, https: httpsOptions });
    await web.listen({ port: 0, host: '127.0.0.1' });
    port = (web.server.address() as AddressInfo).port; // TCP listener: always AddressInfo
    redirect = createRedirectServer({ httpsPort: port });
    await new Promise<void>((resolve) => redirect.listen(0, '127.0.0.1', resolve));
    redirectPort = (redirect.address() as AddressInfo).port; // TCP listener: always AddressInfo
  });

  after(async () => {
    await new Promise((resolve) => redirect.close(resolve));
    await web.close();
    await api.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the security headers on every page, asset, API answer and error', async () => {
    const urls = ['/', '/products/12', '/cart', '/admin', '/account', '/healthz', '/assets/app-1a2b.js', '/assets/missing.js', '/api/auth/csrf', '/api/nope', '/api/openapi.json'];
    for (const url of urls) {
      const answer = await request('GET', url);
      const csp = String(answer.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.match(csp, /script-src 'self'(;|$)/, `${url}: no inline or eval scripts`);
      assert.equal(answer.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(answer.headers['x-frame-options'], 'DENY', url);
      assert.equal(answer.headers['referrer-policy'], 'strict-origin-when-cross-origin', url);
      assert.match(String(answer.headers['strict-transport-security']), /^max-age=\d{7,}; includeSubDomains$/, url);
      assert.equal(answer.headers['x-powered-by'], undefined, url);
      assert.match(String(answer.headers['permissions-policy']), /camera=\(\), microphone=\(\), geolocation=\(\)/, url);
      assert.equal(answer.headers['cross-origin-opener-policy'], 'same-origin', url);
      assert.equal(answer.headers['cross-origin-resource-policy'], 'same-origin', url);
    }
  });

  it('offers only TLS 1.2+ with forward-secret AEAD ciphers', async () => {
    const connect = (options: tls.ConnectionOptions): Promise<tls.TLSSocket> =>
      new Promise((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...options }, () => resolve(socket));
        socket.once('error', reject);
      });
    const tls12 = await connect({ maxVersion: 'TLSv1.2' });
    assert.match(tls12.getCipher().name, /^ECDHE-.*(GCM|CHACHA20)/);
    tls12.end();
    await assert.rejects(connect({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }));
    await assert.rejects(connect({ maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA:DES-CBC3-SHA' }), 'no RSA key exchange or CBC');
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: redirectPort, path: '/account?tab=orders', headers: { host: 'localhost' } }, resolve).on('error', reject);
    });
    answer.resume();
    assert.equal(answer.statusCode, 308);
    assert.equal(answer.headers.location, `https://localhost:${port}/account?tab=orders`);
  });

  it('sets the session cookie Secure, HttpOnly and SameSite', async () => {
    const answer = await request('GET', '/api/auth/csrf');
    assert.equal(answer.status, 200);
    const cookie = [answer.headers['set-cookie'] ?? []].flat().find((line) => line.startsWith('tl_session='));
    assert.ok(cookie, 'a session cookie is set');
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/i);
  });

  it('answers no non-public route without a session', async () => {
    const spec: unknown = JSON.parse((await request('GET', '/api/openapi.json')).body);
    assert.ok(typeof spec === 'object' && spec !== null && 'paths' in spec);
    const paths = Object.entries((spec as { paths: Record<string, Record<string, unknown>> }).paths); // shape checked by the assertion above
    assert.ok(paths.length > 10, 'the scan sees the API routes');
    const open: string[] = [];
    for (const [route, methods] of paths) {
      const url = route.replace(/\{[^}]+\}/g, '1');
      for (const method of Object.keys(methods).map((name) => name.toUpperCase())) {
        if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
        const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
        const answer = await request(method, url, hasBody ? { 'content-type': 'application/json' } : {}, hasBody ? '{}' : undefined);
        if (answer.status < 400 && !PUBLIC_PREFIXES.some((prefix) => url.startsWith(prefix))) open.push(`${method} ${route} → ${answer.status}`);
        if (/^\/api\/(admin|seller|account|me\b)/.test(url)) assert.ok([401, 403].includes(answer.status), `${method} ${route} answered ${answer.status} without a session: ${answer.body.slice(0, 200)}`);
      }
    }
    assert.deepEqual(open, [], `routes open to anonymous callers outside the public list:\n${open.join('\n')}`);
  });

  it('keeps CORS closed to other origins', async () => {
    const preflight = await request('OPTIONS', '/api/cart', { origin: 'https://evil.example', 'access-control-request-method': 'POST' });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    const read = await request('GET', '/api/products', { origin: 'https://evil.example' });
    assert.equal(read.headers['access-control-allow-origin'], undefined);
  });

  it('has the WAF in the path of pages and API bodies', async () => {
    const page = await request('GET', '/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E');
    assert.equal(page.status, 403);
    assert.match(page.body, /"code":"WAF_BLOCKED"/);
    const body = await request('POST', '/api/auth/login', { 'content-type': 'application/json' }, JSON.stringify({ email: "' OR 1=1--", password: 'x' }));
    assert.equal(body.status, 403);
    assert.match(body.body, /"code":"WAF_BLOCKED"/);
    const scanner = await request('GET', '/', { 'user-agent': 'sqlmap/1.7.2#stable (https://sqlmap.org)' });
    assert.equal(scanner.status, 403);
    const fine = await request('GET', "/api/products?q=O'Neill%20jacket");
    assert.notEqual(fine.status, 403);
  });
});
