import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

import { loadEdgeConfig } from '@threadline/config';

import { registerEdge } from '../edge.js';
import { canonicalPathPlugin } from '../http/canonical-path.js';
import { wafPlugin } from '../waf/waf.plugin.js';
import { corsPlugin } from './cors.js';
import { helmetOptions, PERMISSIONS_POLICY, SECURITY_HEADERS_SET_BY, SECURITY_HEADERS_SET_BY_WEB, securityHeadersPlugin, securityHeaderValues, type SecurityHeaderOptions } from './security-headers.js';

/**
 * How the headers were set before they were precomputed: `@fastify/helmet` on every request plus
 * an `onSend` hook for Permissions-Policy and the X-Powered-By banner. Kept here as the reference
 * the precomputed headers must match exactly.
 */
const perRequestHelmetPlugin = fp<SecurityHeaderOptions>(async (app: FastifyInstance, options) => {
  await app.register(helmet, helmetOptions(options));
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('permissions-policy')) void reply.header('permissions-policy', PERMISSIONS_POLICY);
    reply.removeHeader('x-powered-by');
    return payload;
  });
});

/** The security properties every answer must have, whatever sets the headers. */
function assertSecure(headers: Record<string, unknown>, at: string, options: { isHttps: boolean }): void {
  const csp = String(headers['content-security-policy']);
  assert.match(csp, /(^|;)default-src 'self'(;|$)/, `${at}: default-src`);
  assert.match(csp, /(^|;)script-src 'self'(;|$)/, `${at}: no inline or eval scripts`);
  assert.match(csp, /(^|;)frame-ancestors 'none'(;|$)/, `${at}: no framing`);
  assert.match(csp, /(^|;)object-src 'none'(;|$)/, `${at}: no plugins`);
  assert.match(csp, /(^|;)form-action 'self'(;|$)/, `${at}: forms post to the shop only`);
  assert.match(csp, /(^|;)base-uri 'self'(;|$)/, `${at}: base-uri`);
  assert.doesNotMatch(csp, /unsafe-eval|upgrade-insecure-requests/, `${at}: no eval; no https upgrade on plain-HTTP development`);
  assert.equal(headers['x-content-type-options'], 'nosniff', at);
  assert.equal(headers['x-frame-options'], 'DENY', at);
  assert.equal(headers['referrer-policy'], 'strict-origin-when-cross-origin', at);
  assert.equal(headers['cross-origin-opener-policy'], 'same-origin', at);
  assert.equal(headers['cross-origin-resource-policy'], 'same-origin', at);
  assert.equal(headers['x-dns-prefetch-control'], 'off', at);
  assert.equal(headers['x-permitted-cross-domain-policies'], 'none', at);
  assert.equal(headers['permissions-policy'], PERMISSIONS_POLICY, at);
  assert.equal(headers['x-powered-by'], undefined, at);
  if (options.isHttps) assert.equal(headers['strict-transport-security'], 'max-age=31536000; includeSubDomains', at);
  else assert.equal(headers['strict-transport-security'], undefined, `${at}: no HSTS over plain HTTP`);
}

describe('security headers (@fastify/helmet with our policy)', () => {
  it('use our stricter policy rather than helmet defaults', () => {
    const options = helmetOptions({ isHttps: false, hstsMaxAge: 100, extraConnectSrc: ['https://cdn.example'] });
    assert.equal(options.strictTransportSecurity, false);
    const csp = options.contentSecurityPolicy;
    assert.ok(typeof csp === 'object' && csp.useDefaults === false, 'helmet defaults (https: fonts, inline styles from anywhere) are not merged in');
    assert.deepEqual(csp.directives?.['connect-src'], ["'self'", 'https://cdn.example']);
    assert.deepEqual(helmetOptions({ isHttps: true, hstsMaxAge: 100 }).strictTransportSecurity, { maxAge: 100, includeSubDomains: true, preload: false });
  });

  for (const isHttps of [true, false]) {
    it(`are added to answers, 404s and errors alike (${isHttps ? 'HTTPS' : 'plain HTTP'})`, async () => {
      const app = Fastify();
      await app.register(securityHeadersPlugin, { isHttps, hstsMaxAge: 31536000 });
      app.get('/ok', async () => ({ ok: true }));
      app.get('/banner', async (_request, reply) => reply.header('x-powered-by', 'Express').send('hi'));
      app.get('/boom', async () => {
        throw new Error('boom');
      });
      for (const url of ['/ok', '/banner', '/missing', '/boom']) {
        const response = await app.inject({ url });
        assertSecure(response.headers, url, { isHttps });
      }
      await app.close();
    });
  }

  for (const isHttps of [true, false]) {
    it(`are exactly the headers per-request helmet sent, on a page, an API answer, a 404, an error and a WAF refusal (${isHttps ? 'HTTPS' : 'plain HTTP'})`, async () => {
      const edge = loadEdgeConfig(isHttps ? { THREADLINE_BEHIND_TLS_PROXY: '1' } : {});
      const options = { isHttps, hstsMaxAge: edge.tls.hstsMaxAge, extraConnectSrc: ['https://cdn.example'] };
      async function build(headers: typeof securityHeadersPlugin): Promise<FastifyInstance> {
        const app = Fastify();
        await app.register(headers, options);
        await app.register(canonicalPathPlugin);
        await app.register(wafPlugin, { settings: edge.waf, inspectBody: true, exclusions: [] });
        app.get('/products/7', async (_request, reply) => reply.type('text/html; charset=utf-8').send('<!doctype html><title>Shirt</title>'));
        app.get('/api/products', async (_request, reply) => reply.header('cache-control', 'public, max-age=0, s-maxage=2').header('x-powered-by', 'Upstream').send({ items: [] }));
        app.get('/api/own-policy', async (_request, reply) => reply.header('permissions-policy', 'camera=(self)').header('cross-origin-resource-policy', 'cross-origin').send('ok'));
        app.get('/boom', async () => {
          throw new Error('boom');
        });
        return app;
      }
      const before = await build(perRequestHelmetPlugin);
      const after = await build(securityHeadersPlugin);
      const urls = ['/products/7', '/api/products', '/api/own-policy', '/missing', '/boom', "/api/products?q=1' UNION SELECT password FROM users--", '/%61pi/products'];
      for (const url of urls) {
        const [old, current] = await Promise.all([before.inject({ url }), after.inject({ url })]);
        assert.equal(current.statusCode, old.statusCode, url);
        const { date: _oldDate, ...oldHeaders } = old.headers;
        const { date: _date, ...headers } = current.headers;
        assert.deepEqual(headers, oldHeaders, url);
        assert.equal(current.body, old.body, url);
      }
      assert.equal((await after.inject({ url: "/api/products?q=1' UNION SELECT password FROM users--" })).statusCode, 403, 'the WAF refusal is among the compared answers');
      await Promise.all([before.close(), after.close()]);
    });
  }

  it('are computed once, by helmet, with our values', () => {
    const values = securityHeaderValues({ isHttps: true, hstsMaxAge: 31536000 });
    assert.equal(values['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(values['content-security-policy']?.split(';')[0], "default-src 'self'");
    assert.equal(values['permissions-policy'], PERMISSIONS_POLICY);
    assert.ok(Object.isFrozen(values));
    assert.equal(securityHeaderValues({ isHttps: false, hstsMaxAge: 31536000 })['strict-transport-security'], undefined);
  });

  it('are on the answers the edge checks refuse before a route runs (ambiguous path, WAF block, CORS preflight)', async () => {
    const app = Fastify();
    await registerEdge(app, { tier: 'api', edge: loadEdgeConfig({ THREADLINE_BEHIND_TLS_PROXY: '1' }) });
    app.get('/api/products', async () => ({ ok: true }));
    const refused = [
      { url: '/%61pi/products', status: 400 },
      { url: "/api/products?q=1' UNION SELECT password FROM users--", status: 403 },
    ];
    for (const { url, status } of refused) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, status, url);
      assertSecure(response.headers, url, { isHttps: true });
    }
    const preflight = await app.inject({ method: 'OPTIONS', url: '/api/products', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.statusCode, 403);
    assertSecure(preflight.headers, 'preflight', { isHttps: true });
    await app.close();
  });

  it("are left to the web tier in front when a trusted proxy says it sets them, and only then (a route's own header stays)", async () => {
    const values = securityHeaderValues({ isHttps: false, hstsMaxAge: 0 });
    const names = Object.keys(values);
    async function build(trustedProxies: readonly string[] | undefined): Promise<FastifyInstance> {
      const app = Fastify();
      await app.register(securityHeadersPlugin, { isHttps: false, hstsMaxAge: 0, ...(trustedProxies ? { trustedProxies } : {}) });
      app.get('/ok', async () => ({ ok: true }));
      app.get('/own', async (_request, reply) => reply.header('x-frame-options', 'SAMEORIGIN').send('ok'));
      return app;
    }
    const api = await build(['127.0.0.1', '10.20.0.0/16']);
    const told = { [SECURITY_HEADERS_SET_BY]: SECURITY_HEADERS_SET_BY_WEB };
    for (const remoteAddress of ['127.0.0.1', '::ffff:127.0.0.1', '10.20.1.2']) {
      const answer = await api.inject({ url: '/ok', remoteAddress, headers: told });
      assert.equal(answer.statusCode, 200);
      for (const name of names) assert.equal(answer.headers[name], undefined, `${remoteAddress}: ${name} left to the web tier`);
      const own = await api.inject({ url: '/own', remoteAddress, headers: told });
      assert.equal(own.headers['x-frame-options'], 'SAMEORIGIN', "a route's own header is sent as always");
      assert.equal(own.headers['content-security-policy'], undefined);
    }
    // anyone else, or without the word: every default, as before
    const sent = [
      { remoteAddress: '198.51.100.7', headers: told },
      { remoteAddress: '10.21.0.1', headers: told },
      { remoteAddress: '127.0.0.1', headers: {} },
      { remoteAddress: '127.0.0.1', headers: { [SECURITY_HEADERS_SET_BY]: 'nginx' } },
    ];
    for (const { remoteAddress, headers } of sent) {
      const answer = await api.inject({ url: '/ok', remoteAddress, headers });
      for (const [name, value] of Object.entries(values)) assert.equal(answer.headers[name], value, `${remoteAddress} ${JSON.stringify(headers)}: ${name}`);
    }
    // the web tier itself (no trusted proxies given) always sets them
    const web = await build(undefined);
    const answer = await web.inject({ url: '/ok', remoteAddress: '127.0.0.1', headers: told });
    for (const [name, value] of Object.entries(values)) assert.equal(answer.headers[name], value, `web tier: ${name}`);
    await Promise.all([api.close(), web.close()]);
  });
});

describe('CORS', () => {
  async function build(allowedOrigins: string[]) {
    const app = Fastify();
    await app.register(corsPlugin, { allowedOrigins });
    app.get('/api/products', async () => ({ ok: true }));
    return app;
  }

  it('is closed by default: preflights get 403 and reads get no Access-Control-Allow-Origin', async () => {
    const app = await build([]);
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/products',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.statusCode, 403);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    const read = await app.inject({ url: '/api/products', headers: { origin: 'https://evil.example' } });
    assert.equal(read.headers['access-control-allow-origin'], undefined);
    await app.close();
  });

  it('answers listed origins exactly, never with *', async () => {
    const app = await build(['https://partner.example']);
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/products',
      headers: { origin: 'https://partner.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.statusCode, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://partner.example');
    assert.match(String(preflight.headers['access-control-allow-headers']), /x-csrf-token/);
    await app.close();
  });
});
