/**
 * Audit finding 1 (issue 13): percent-encoding the path (`/%61pi/…`, routed as `/api/…`) skipped
 * the CSRF check and the edge rate limits, which compared the raw URL. Runs the web tier in front
 * of the API tier, both with the edge settings as shipped (WAF and rate limits on).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { loadEdgeConfig } from '@threadline/config';
import { canonicalPath } from '@threadline/edge';

import { send, startWebStack, type TestSession, type WebStack } from './testing/web-stack.js';

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
  let stack: WebStack;
  let apiPort = 0;
  let webPort = 0;
  let admin: TestSession;
  let victimId = 0;

  before(async () => {
    stack = await startWebStack('encoded');
    ({ apiPort, webPort } = stack);
    admin = await stack.session(await stack.insertUser('admin'));
    victimId = await stack.insertUser('seller');
  });

  after(async () => {
    await stack?.close();
  });

  const anonymousSession = (): Promise<TestSession> => stack.session();

  async function roleOf(id: number): Promise<string> {
    const { rows } = await stack.db.pool.query<{ role: string }>('SELECT role FROM users WHERE id = $1', [id]);
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
    const { rows } = await stack.db.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM orders');
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
    const created = await stack.db.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM users WHERE email LIKE 'signup%@example.test'`);
    assert.equal(Number(created.rows[0]?.n), limit, `exactly the limit signs up: ${statuses.join(' ')}`);
    for (const entry of statuses.slice(limit)) assert.match(entry, /^\/api:429$|^\/%61pi:400$/, statuses.join(' '));
  });
});
