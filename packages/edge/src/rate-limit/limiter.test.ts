import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import Fastify from 'fastify';

import { loadEdgeConfig } from '@threadline/config';
import { SlidingWindowLimiter } from './limiter.js';
import { rateLimitPlugin } from './rate-limit.plugin.js';

describe('SlidingWindowLimiter', () => {
  it('admits `limit` requests per window and refuses the next with a Retry-After', () => {
    let now = 1_000_000 * 60_000;
    const limiter = new SlidingWindowLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i += 1) assert.equal(limiter.hit('a').isAllowed, true);
    const refused = limiter.hit('a');
    assert.equal(refused.isAllowed, false);
    assert.ok(refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 120, `retry after ${refused.retryAfterSeconds}`);
    assert.equal(limiter.hit('b').isAllowed, true, 'other keys are counted apart');
    now += refused.retryAfterSeconds * 1000;
    assert.equal(limiter.hit('a').isAllowed, true, 'admitted again after Retry-After');
  });

  it('weights the previous window so a burst at a window edge cannot double the rate', () => {
    let now = 600 * 60_000 + 59_000;
    const limiter = new SlidingWindowLimiter(10, 60_000, () => now);
    for (let i = 0; i < 10; i += 1) assert.equal(limiter.hit('ip').isAllowed, true);
    now += 2_000; // 1 s into the next window: ~98 % of the previous window still counts
    assert.equal(limiter.hit('ip').isAllowed, false);
  });

  it('limit 0 turns the limiter off', () => {
    const limiter = new SlidingWindowLimiter(0, 60_000);
    for (let i = 0; i < 1000; i += 1) assert.equal(limiter.hit('x').isAllowed, true);
    assert.equal(limiter.size, 0);
  });
});

describe('rateLimitPlugin', () => {
  async function build(env: Record<string, string>) {
    const app = Fastify();
    await app.register(rateLimitPlugin, { settings: loadEdgeConfig(env).rateLimit });
    app.post('/api/auth/login', async () => ({ ok: true }));
    app.post('/api/auth/signup', async () => ({ ok: true }));
    app.get('/api/products', async () => ({ ok: true }));
    app.get('/healthz', async () => ({ ok: true }));
    app.post('/collect', async () => ({ accepted: 1 }));
    return app;
  }

  it('answers 429 RATE_LIMITED with Retry-After once an IP exceeds THREADLINE_RATE_LIMIT_PER_MIN', async () => {
    const app = await build({ THREADLINE_RATE_LIMIT_PER_MIN: '5' });
    for (let i = 0; i < 5; i += 1) assert.equal((await app.inject({ url: '/api/products', remoteAddress: '203.0.113.7' })).statusCode, 200);
    const limited = await app.inject({ url: '/api/products', remoteAddress: '203.0.113.7' });
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.match(limited.body, /"code":"RATE_LIMITED"/);
    assert.equal((await app.inject({ url: '/api/products', remoteAddress: '203.0.113.8' })).statusCode, 200, 'another IP is unaffected');
    assert.equal((await app.inject({ url: '/healthz', remoteAddress: '203.0.113.7' })).statusCode, 200, 'only /api is limited');
    await app.close();
  });

  it('limits sign-in attempts per e-mail even when they come from many IPs', async () => {
    const app = await build({ THREADLINE_RATE_LIMIT_LOGIN_ACCOUNT_PER_MIN: '3' });
    const attempt = (ip: string, email: string) => app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, payload: { email, password: 'x' } });
    for (let i = 0; i < 3; i += 1) assert.equal((await attempt(`198.51.100.${i}`, 'Victim@Example.com')).statusCode, 200);
    assert.equal((await attempt('198.51.100.99', 'victim@example.com')).statusCode, 429, 'case and IP do not matter');
    assert.equal((await attempt('198.51.100.99', 'someone@example.com')).statusCode, 200);
    await app.close();
  });

  it('limits sign-ups per IP per hour', async () => {
    const app = await build({ THREADLINE_RATE_LIMIT_SIGNUP_PER_HOUR: '2' });
    const signup = () => app.inject({ method: 'POST', url: '/api/auth/signup', remoteAddress: '192.0.2.1', payload: {} });
    assert.equal((await signup()).statusCode, 200);
    assert.equal((await signup()).statusCode, 200);
    const limited = await signup();
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 60, 'the hourly window asks to wait minutes, not seconds');
    await app.close();
  });

  it('limits /collect batches per IP with THREADLINE_RATE_LIMIT_COLLECT_PER_MIN', async () => {
    const app = await build({ THREADLINE_RATE_LIMIT_COLLECT_PER_MIN: '2' });
    const batch = (ip: string) => app.inject({ method: 'POST', url: '/collect', remoteAddress: ip, payload: { events: [] } });
    assert.equal((await batch('192.0.2.9')).statusCode, 200);
    assert.equal((await batch('192.0.2.9')).statusCode, 200);
    const limited = await batch('192.0.2.9');
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal((await batch('192.0.2.10')).statusCode, 200);
    await app.close();
  });

  it("does not count a tier's own /collect batches per IP, but does count what a proxy forwarded from the same address", async () => {
    // the web tier's access log: one batch per 500 requests of all visitors, straight from the tier
    const app = Fastify();
    await app.register(rateLimitPlugin, { settings: loadEdgeConfig({ THREADLINE_RATE_LIMIT_COLLECT_PER_MIN: '2' }).rateLimit, trustedProxies: ['10.0.0.5'] });
    app.post('/collect', async () => ({ accepted: 1 }));
    const fromTier = () => app.inject({ method: 'POST', url: '/collect', remoteAddress: '10.0.0.5', payload: { events: [] } });
    for (let i = 0; i < 5; i += 1) assert.equal((await fromTier()).statusCode, 200, `tier batch ${i + 1}`);
    // a visitor's beacon forwarded by that tier carries X-Forwarded-For: counted (per address here,
    // as the plugin has no trustProxy of its own; the API's request.ip is the visitor's)
    const forwarded = () => app.inject({ method: 'POST', url: '/collect', remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '203.0.113.8' }, payload: { events: [] } });
    assert.equal((await forwarded()).statusCode, 200);
    assert.equal((await forwarded()).statusCode, 200);
    assert.equal((await forwarded()).statusCode, 429);
    // an address that is not a tier is counted with or without the header
    const stranger = () => app.inject({ method: 'POST', url: '/collect', remoteAddress: '192.0.2.44', payload: { events: [] } });
    assert.equal((await stranger()).statusCode, 200);
    assert.equal((await stranger()).statusCode, 200);
    assert.equal((await stranger()).statusCode, 429);
    await app.close();
  });

  it('limits a signed-in account across IPs', async () => {
    const app = Fastify();
    app.decorateRequest('session', null);
    app.addHook('onRequest', async (request) => {
      Reflect.set(request, 'session', { user: { id: 42 } });
    });
    await app.register(rateLimitPlugin, { settings: loadEdgeConfig({ THREADLINE_RATE_LIMIT_ACCOUNT_PER_MIN: '2' }).rateLimit });
    app.get('/api/account', async () => ({ ok: true }));
    assert.equal((await app.inject({ url: '/api/account', remoteAddress: '10.0.0.1' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/account', remoteAddress: '10.0.0.2' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/api/account', remoteAddress: '10.0.0.3' })).statusCode, 429);
    await app.close();
  });
});
