/**
 * Audit finding 10 (issue 13): the WAF blocked ordinary SQL typed into the admin SQL console
 * (`SELECT * FROM sales LIMIT 5` → 403). The exclusion is scoped as CRS exclusions are — the
 * SQL-injection rules skip the `sql` field of the console routes for a signed-in admin — and
 * nothing wider. Runs the web tier in front of the API tier, WAF and rate limits as shipped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { errorCode, send, startWebStack, type Answer, type TestSession, type WebStack } from './testing/web-stack.js';

const ADMIN_SQL = ['SELECT * FROM sales LIMIT 5', 'SELECT version() AS v', "SELECT * FROM information_schema.tables WHERE table_name = 'x' LIMIT 1"];

describe('admin SQL console through the web tier with the WAF on', { timeout: 120_000 }, () => {
  let stack: WebStack;
  let webPort = 0;
  let admin: TestSession;
  let seller: TestSession;

  before(async () => {
    stack = await startWebStack('admin-sql');
    webPort = stack.webPort;
    admin = await stack.session(await stack.insertUser('admin'));
    seller = await stack.session(await stack.insertUser('seller'));
  });

  after(async () => {
    await stack?.close();
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
