import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';

import { freePort } from '@threadline/db/testing';

import { loadCorpus } from '../corpus/corpus.js';
import { formatRates, replayCorpus, sendRaw, type ReplayResponse, type ReplayTarget } from '../corpus/replay.js';
import { startStubUpstream } from '../testing/stub-upstream.js';
import { createSelfSignedCertificate } from '../tls/tls.js';
import { DEBIAN_PATHS, hasNginxWithModSecurity, startNginx, type RunningNginx } from './nginx.js';

/** The tuned level: PL1 + shop exclusions + Threadline rules (PL2 measured 2.7 % false positives). */
export const TUNED_PARANOIA = 1;

// nginx serves /assets itself: a request counts as blocked when no tier saw it and nginx refused it
const notReached = (response: ReplayResponse): boolean => response.headers['x-reached'] === undefined && response.status >= 400;

// CI installs nginx, libnginx-mod-http-modsecurity and modsecurity-crs (.ci/run); a machine
// without them fails here rather than silently skipping the edge checks
describe('deploy/nginx: nginx + ModSecurity + OWASP CRS on loopback', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-nginx-'));
  let nginx: RunningNginx | undefined;
  let target: ReplayTarget;
  let httpPort = 0;
  let httpsPort = 0;
  let ca = Buffer.alloc(0);
  const upstreams: Array<Awaited<ReturnType<typeof startStubUpstream>>> = [];

  before(async () => {
    assert.ok(hasNginxWithModSecurity(), 'nginx with the ModSecurity module and modsecurity-crs must be installed (apt-get install nginx libnginx-mod-http-modsecurity modsecurity-crs)');
    // nginx workers run unprivileged: they must be able to read the assets and write temp files
    chmodSync(dir, 0o755);
    const cert = await createSelfSignedCertificate({ dir: path.join(dir, 'tls') });
    ca = readFileSync(cert.certPath);
    const web = await startStubUpstream('web');
    const api = await startStubUpstream('api');
    upstreams.push(web, api);
    mkdirSync(path.join(dir, 'dist', 'assets'), { recursive: true });
    for (const file of ['index-4f9a1c2b.js', 'index-7d1e0b33.css', 'logo-3a2b1c.svg']) writeFileSync(path.join(dir, 'dist', 'assets', file), '/* asset */');
    httpPort = await freePort();
    httpsPort = await freePort();
    nginx = await startNginx({
      prefix: path.join(dir, 'run'),
      confDir: path.join(dir, 'conf'),
      listenAddress: '127.0.0.1',
      httpPort,
      httpsPort,
      serverName: 'localhost',
      tlsCert: cert.certPath,
      tlsKey: cert.keyPath,
      webUpstream: `127.0.0.1:${web.port}`,
      apiUpstream: `127.0.0.1:${api.port}`,
      assetsRoot: path.join(dir, 'dist'),
      paranoia: TUNED_PARANOIA,
      hstsMaxAge: 31_536_000,
      apiRate: '2000r/s',
      // the corpus replays ~300 sign-ins from one address: the login limit would answer 429
      loginRate: '100r/s',
      loginBurst: 1000,
      wafRecordPort: await freePort(),
      ...DEBIAN_PATHS,
    });
    for (const sub of ['run/tmp/body', 'run/tmp/proxy', 'run/tmp/modsec']) chmodSync(path.join(dir, sub), 0o777);
    target = { host: '127.0.0.1', port: httpsPort, isTls: true, hostHeader: 'localhost', ca };
  });

  after(async () => {
    await nginx?.stop();
    await Promise.all(upstreams.map((upstream) => upstream.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('blocks at least 95 % of the held-out attack corpus', async () => {
    const rates = await replayCorpus(target, loadCorpus('attack', { split: 'test' }), notReached, 4);
    console.log(formatRates(`nginx + ModSecurity CRS PL${TUNED_PARANOIA}`, 'attack', rates));
    // held-out set: figures only, no list of misses to tune on
    assert.ok(rates.rate >= 0.95, `only ${(rates.rate * 100).toFixed(1)} % blocked`);
  });

  it('blocks under 1 % of the held-out legitimate shop traffic', async () => {
    const rates = await replayCorpus(target, loadCorpus('legit', { split: 'test' }), notReached, 4);
    console.log(formatRates(`nginx + ModSecurity CRS PL${TUNED_PARANOIA}`, 'legit', rates));
    assert.ok(rates.rate < 0.01, `${(rates.rate * 100).toFixed(1)} % of legitimate requests blocked`);
  });

  it('answers a blocked request like the in-process WAF (403 JSON WAF_BLOCKED, no rule id) and audit-logs its rule ids under the reference', async () => {
    const response = await sendRaw(target, { id: 'x', kind: 'attack', category: 'sqli', method: 'GET', url: "/api/products?q=1'%20UNION%20SELECT%20password%20FROM%20users--", headers: {} });
    assert.equal(response.status, 403);
    assert.match(response.body, /^\{"error":\{"code":"WAF_BLOCKED","message":"request blocked by the web application firewall \(reference [0-9a-f]+\)"\}\}$/);
    assert.equal(response.headers['content-type'], 'application/json');
    assert.match(nginx?.auditLog() ?? '', /UNION%20SELECT/, 'the refusal is in the ModSecurity audit log');
    // the reference the client gets is the audit entry's unique_id, and that entry names the rules
    const reference = /reference ([0-9a-f]+)/.exec(response.body)?.[1] ?? '';
    const ids = nginx?.ruleIdsOf(reference) ?? [];
    assert.ok(ids.includes('949110') && ids.some((id) => /^942\d{3}$/.test(id)), `rule ids in the audit entry of ${reference}: ${ids.join(', ')}`);
  });

  it('forwards /api to the API tier and pages to the web tier with the client address and scheme', async () => {
    const [web, api] = upstreams;
    const response = await sendRaw(target, { id: 'p', kind: 'legit', category: 'browse', method: 'GET', url: '/api/products?page=1', headers: { 'x-forwarded-for': '203.0.113.50' } });
    assert.equal(response.headers['x-reached'], 'api');
    const hit = api?.hits.at(-1);
    assert.equal(hit?.headers['x-forwarded-proto'], 'https');
    assert.match(String(hit?.headers['x-forwarded-for']), /203\.0\.113\.50, 127\.0\.0\.1$/);
    assert.ok(hit?.headers['x-request-id']);
    const page = await sendRaw(target, { id: 'w', kind: 'legit', category: 'browse', method: 'GET', url: '/products/12', headers: {} });
    assert.equal(page.headers['x-reached'], 'web');
    assert.ok((web?.hits.length ?? 0) > 0);
  });

  it('sends HSTS and the security headers on pages, assets and errors', async () => {
    for (const url of ['/', '/api/products', '/assets/index-4f9a1c2b.js', '/assets/missing.js', '/wp-login.php']) {
      const response = await sendRaw(target, { id: 'h', kind: 'legit', category: 'browse', method: 'GET', url, headers: {} });
      assert.match(String(response.headers['strict-transport-security']), /max-age=31536000; includeSubDomains/, url);
      assert.match(String(response.headers['content-security-policy']), /frame-ancestors 'none'/, url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(response.headers['referrer-policy'], 'strict-origin-when-cross-origin', url);
      assert.equal(response.headers.server, 'nginx', `${url}: no version banner`);
    }
  });

  it('serves hashed assets itself with a year of immutable caching', async () => {
    const response = await sendRaw(target, { id: 'a', kind: 'legit', category: 'browse', method: 'GET', url: '/assets/index-7d1e0b33.css', headers: {} });
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-reached'], undefined);
    assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  it('speaks TLS 1.2/1.3 with HTTP/2 and refuses TLS 1.1', async () => {
    const connect = (options: tls.ConnectionOptions): Promise<tls.TLSSocket> =>
      new Promise((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port: httpsPort, servername: 'localhost', ca, ...options }, () => resolve(socket));
        socket.once('error', reject);
      });
    const modern = await connect({ ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(modern.getProtocol(), 'TLSv1.3');
    assert.equal(modern.alpnProtocol, 'h2');
    modern.end();
    const tls12 = await connect({ maxVersion: 'TLSv1.2' });
    assert.match(tls12.getCipher().name, /GCM|CHACHA20/);
    tls12.end();
    await assert.rejects(connect({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }));
  });

  it('redirects plain HTTP to HTTPS with 308', async () => {
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: httpPort, path: '/cart?x=1', headers: { host: 'localhost' } }, resolve).on('error', reject);
    });
    response.resume();
    assert.equal(response.statusCode, 308);
    assert.equal(response.headers.location, `https://localhost:${httpsPort}/cart?x=1`);
  });
});
