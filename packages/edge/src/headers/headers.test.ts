import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Fastify from 'fastify';

import { corsPlugin } from './cors.js';
import { contentSecurityPolicy, securityHeaders, securityHeadersPlugin } from './security-headers.js';

describe('security headers', () => {
  it('forbid framing, sniffing and inline scripts; HSTS only over HTTPS', () => {
    const plain = securityHeaders({ isHttps: false, hstsMaxAge: 100 });
    assert.match(plain['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    assert.match(plain['content-security-policy'] ?? '', /script-src 'self'(;|$)/);
    assert.equal(plain['x-content-type-options'], 'nosniff');
    assert.equal(plain['referrer-policy'], 'strict-origin-when-cross-origin');
    assert.equal(plain['strict-transport-security'], undefined);
    assert.equal(securityHeaders({ isHttps: true, hstsMaxAge: 100 })['strict-transport-security'], 'max-age=100; includeSubDomains');
    assert.doesNotMatch(contentSecurityPolicy(), /unsafe-eval/);
  });

  it('are added to answers, 404s and errors alike', async () => {
    const app = Fastify();
    await app.register(securityHeadersPlugin, { isHttps: true, hstsMaxAge: 31536000 });
    app.get('/ok', async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    for (const url of ['/ok', '/missing', '/boom']) {
      const response = await app.inject({ url });
      assert.match(String(response.headers['content-security-policy']), /default-src 'self'/, url);
      assert.equal(response.headers['x-frame-options'], 'DENY', url);
      assert.match(String(response.headers['strict-transport-security']), /max-age=31536000/, url);
    }
    await app.close();
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
