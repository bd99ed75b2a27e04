import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client, createHarness, createUser, errorOf, json, loginClient, TEST_PASSWORD, type Harness } from '../testing/harness.js';

let harness: Harness;
before(async () => {
  harness = await createHarness();
});
after(async () => {
  await harness.close();
});

describe('auth routes', () => {
  it('GET /api/auth/csrf starts an anonymous session and keeps its token', async () => {
    const client = new Client(harness.app);
    const first = await client.get('/api/auth/csrf');
    assert.equal(first.statusCode, 200);
    const cookie = first.cookies.find((c) => c.name === 'tl_session');
    assert.ok(cookie?.httpOnly, 'session cookie is httpOnly');
    assert.equal(cookie?.sameSite, 'Lax');
    const token = json<{ token: string }>(first).token;
    const second = await client.get('/api/auth/csrf');
    assert.equal(json<{ token: string }>(second).token, token);
  });

  it('signs up (201, signed in), rejects a duplicate email with 409 EMAIL_TAKEN', async () => {
    const client = await new Client(harness.app).init();
    const response = await client.post('/api/auth/signup', {
      email: 'new.customer@example.test',
      password: 'a-good-password',
      name: 'New Customer',
      ageBand: '25-34',
      country: 'CA',
      region: 'north_america',
      marketingConsent: true,
    });
    assert.equal(response.statusCode, 201, response.body);
    const user = json<{ user: { email: string; role: string; marketingConsent: boolean } }>(response).user;
    assert.equal(user.role, 'customer');
    assert.equal(user.marketingConsent, true);
    assert.ok(!response.body.includes('password'), 'no password material in the response');
    const me = await client.get('/api/me');
    assert.equal(me.statusCode, 200);
    assert.equal(json<{ user: { email: string } }>(me).user.email, 'new.customer@example.test');

    const again = await (await new Client(harness.app).init()).post('/api/auth/signup', {
      email: 'NEW.customer@example.test',
      password: 'another-good-one',
      name: 'Dup',
    });
    assert.equal(again.statusCode, 409);
    assert.deepEqual(errorOf(again), { code: 'EMAIL_TAKEN', message: 'an account with this email already exists', field: 'email' });
  });

  it('refuses script and SQL fragments in a name at the WAF, as shipped', async () => {
    const client = await new Client(harness.app).init();
    const response = await client.post('/api/auth/signup', { email: 'fragments-waf@example.test', password: 'a-good-password', name: `<script>alert(1)</script> '); DROP TABLE users;--` });
    assert.equal(response.statusCode, 403);
    assert.equal(errorOf(response).code, 'WAF_BLOCKED');
  });

  it('GET /api/auth/session answers 200 with null for a visitor and the user once signed in', async () => {
    const client = await new Client(harness.app).init();
    const anonymous = await client.get('/api/auth/session');
    assert.equal(anonymous.statusCode, 200);
    assert.deepEqual(json<{ user: unknown }>(anonymous), { user: null });
    await client.post('/api/auth/signup', { email: 'session.check@example.test', password: 'a-good-password', name: 'Session Check' });
    const signedIn = await client.get('/api/auth/session');
    assert.equal(signedIn.statusCode, 200);
    assert.equal(json<{ user: { email: string } }>(signedIn).user.email, 'session.check@example.test');
    await client.post('/api/auth/logout', {});
    assert.deepEqual(json<{ user: unknown }>(await client.get('/api/auth/session')), { user: null });
  });

  it('stores an argon2id hash, never the password', async () => {
    const { rows } = await harness.db.pool.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE email = 'new.customer@example.test'");
    assert.match(rows[0]?.password_hash ?? '', /^\$argon2id\$/);
  });

  it('rejects weak passwords and bad fields with 400 naming the field', async () => {
    const client = await new Client(harness.app).init();
    const cases: [unknown, string][] = [
      [{ email: 'a@b.co', password: 'short', name: 'X' }, 'password'],
      [{ email: 'a@b.co', password: 'password123', name: 'X' }, 'password'],
      [{ email: 'not-an-email', password: 'a-good-password', name: 'X' }, 'email'],
      [{ email: 'a@b.co', password: 'a-good-password' }, 'name'],
      [{ email: 'a@b.co', password: 'a-good-password', name: '' }, 'name'],
      [{ email: 'a@b.co', password: 'a-good-password', name: 'X', country: 'Canada' }, 'country'],
      [{ email: 'a@b.co', password: 12345678, name: 'X' }, 'password'],
      [{ email: 'a@b.co', password: 'a-good-password', name: 'X', role: 'admin' }, 'role'],
    ];
    for (const [body, field] of cases) {
      const response = await client.post('/api/auth/signup', body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(errorOf(response).code, 'VALIDATION_FAILED');
      assert.equal(errorOf(response).field, field, JSON.stringify(body));
    }
  });

  it('logs in with the right password (new session id), 401 otherwise, and logs out', async () => {
    const user = await createUser(harness, 'customer');
    const client = await new Client(harness.app).init();
    const anonymousCookie = client.cookie;
    const wrong = await client.post('/api/auth/login', { email: user.email, password: 'wrong-password' });
    assert.equal(wrong.statusCode, 401);
    assert.equal(errorOf(wrong).code, 'INVALID_CREDENTIALS');
    const unknown = await client.post('/api/auth/login', { email: 'nobody@example.test', password: 'whatever-pass' });
    assert.equal(unknown.statusCode, 401);
    assert.equal(errorOf(unknown).message, errorOf(wrong).message, 'same answer for unknown email and wrong password');

    const ok = await client.post('/api/auth/login', { email: user.email.toUpperCase(), password: TEST_PASSWORD });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.notEqual(client.cookie, anonymousCookie, 'login rotates the session id');
    assert.equal((await client.get('/api/me')).statusCode, 200);
    // the CSRF token carries over login
    const logout = await client.post('/api/auth/logout');
    assert.equal(logout.statusCode, 200);
    assert.equal((await client.get('/api/me')).statusCode, 401);
  });

  it('locks an account after repeated failures with backoff (429 ACCOUNT_LOCKED + retry-after)', async () => {
    const user = await createUser(harness, 'customer');
    const client = await new Client(harness.app).init();
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const response = await client.post('/api/auth/login', { email: user.email, password: 'wrong-password' });
      assert.equal(response.statusCode, 401);
    }
    const locked = await client.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    assert.equal(locked.statusCode, 429);
    assert.equal(errorOf(locked).code, 'ACCOUNT_LOCKED');
    assert.ok(Number(locked.headers['retry-after']) > 0);
    const { rows } = await harness.db.pool.query<{ failed_logins: number }>('SELECT failed_logins FROM users WHERE id = $1', [user.id]);
    assert.equal(rows[0]?.failed_logins, 6);
  });

  it('answers an unknown e-mail exactly like a known one: locked after the same failures (no account enumeration)', async () => {
    const known = await createUser(harness, 'customer');
    const unknown = `nobody-${Date.now()}@example.test`;
    const answers: Record<string, string[]> = { known: [], unknown: [] };
    for (const [which, email] of [['known', known.email], ['unknown', unknown]] as const) {
      const client = await new Client(harness.app).init();
      for (let attempt = 0; attempt < 7; attempt += 1) {
        const response = await client.post('/api/auth/login', { email, password: 'wrong-password' });
        answers[which]?.push(`${response.statusCode} ${errorOf(response).code} ${errorOf(response).message.replace(/\d+ s$/, 'N s')} ${response.headers['retry-after'] === undefined ? '' : 'retry'}`);
      }
    }
    assert.deepEqual(answers.unknown, answers.known);
    assert.match(answers.unknown?.[6] ?? '', /^429 ACCOUNT_LOCKED .* retry$/);
    // the address is kept as a keyed hash only
    const { rows } = await harness.db.pool.query<{ key: Buffer }>('SELECT email_key AS key FROM login_failures');
    assert.ok(rows.length > 0 && rows.every((row) => !row.key.toString('latin1').includes('nobody')));
  });

  it('a new account does not inherit failures counted while its address had none', async () => {
    const email = `later-${Date.now()}@example.test`;
    const client = await new Client(harness.app).init();
    for (let attempt = 0; attempt < 6; attempt += 1) await client.post('/api/auth/login', { email, password: 'wrong-password' });
    const signup = await client.post('/api/auth/signup', { email, password: 'a-good-password', name: 'Later' });
    assert.equal(signup.statusCode, 201, signup.body);
    const again = await new Client(harness.app).init();
    assert.equal((await again.post('/api/auth/login', { email, password: 'a-good-password' })).statusCode, 200);
  });

  it('resets the failure count after a successful login', async () => {
    const user = await createUser(harness, 'customer');
    const client = await new Client(harness.app).init();
    await client.post('/api/auth/login', { email: user.email, password: 'wrong-password' });
    await loginClient(harness, user.email);
    const { rows } = await harness.db.pool.query<{ failed_logins: number }>('SELECT failed_logins FROM users WHERE id = $1', [user.id]);
    assert.equal(rows[0]?.failed_logins, 0);
  });

  it('requires the CSRF token on login and signup', async () => {
    const client = await new Client(harness.app).init();
    const response = await client.post('/api/auth/login', { email: 'x@example.test', password: 'whatever-pass' }, { withoutCsrf: true });
    assert.equal(response.statusCode, 403);
    assert.equal(errorOf(response).code, 'CSRF_INVALID');
    const forged = await client.post('/api/auth/signup', { email: 'x@example.test', password: 'whatever-pass', name: 'X' }, { headers: { 'x-csrf-token': 'forged' }, withoutCsrf: true });
    assert.equal(forged.statusCode, 403);
  });

  it('GET /api/me is 401 without a session and with a forged cookie', async () => {
    const client = new Client(harness.app);
    assert.equal((await client.get('/api/me')).statusCode, 401);
    client.cookie = 'A'.repeat(43);
    const forged = await client.get('/api/me');
    assert.equal(forged.statusCode, 401);
    assert.equal(errorOf(forged).code, 'UNAUTHENTICATED');
  });
});

describe('auth routes behind a WAF that missed a payload', () => {
  let open: Harness;
  // WAF off: proves the shop itself stores a hostile name safely when a payload gets past the WAF
  before(async () => {
    open = await createHarness({ edgeOff: { waf: 'off', why: 'the shop must stay safe when a payload gets past the WAF' } });
  });
  after(async () => {
    await open.close();
  });

  it('stores script and SQL fragments in the name verbatim and returns them as JSON text', async () => {
    const name = `<script>alert(1)</script> '); DROP TABLE users;--`;
    const client = await new Client(open.app).init();
    const response = await client.post('/api/auth/signup', { email: 'fragments@example.test', password: 'a-good-password', name });
    assert.equal(response.statusCode, 201);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    assert.equal(json<{ user: { name: string } }>(await client.get('/api/me')).user.name, name);
  });
});
