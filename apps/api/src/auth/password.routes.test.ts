import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { insertUser } from '@threadline/db';

import { Client, createHarness, createUser, errorOf, json, loginClient, signedInClient, TEST_PASSWORD, type Harness } from '../testing/harness.js';
import { RESET_REQUESTED_MESSAGE } from './password.routes.js';

let harness: Harness;

before(async () => {
  harness = await createHarness();
});
after(() => harness.close());

async function mailsTo(email: string): Promise<string[]> {
  const { rows } = await harness.db.pool.query<{ text_body: string }>("SELECT text_body FROM outbox WHERE to_address = $1 AND template = 'password_reset' ORDER BY id", [email]);
  return rows.map((row) => row.text_body);
}

function tokenIn(text: string | undefined): string {
  const match = /reset-password#token=([A-Za-z0-9_-]+)/.exec(text ?? '');
  assert.ok(match?.[1], 'the mail carries a reset link');
  return match[1];
}

async function isSignedIn(client: Client): Promise<boolean> {
  return (await client.get('/api/me')).statusCode === 200;
}

describe('password reset by e-mail', () => {
  it('answers known and unknown e-mails identically, and mails only the known one', async () => {
    const user = await createUser(harness, 'customer');
    const client = await new Client(harness.app).init();
    const known = await client.post('/api/auth/password-reset', { email: user.email.toUpperCase() });
    const unknown = await client.post('/api/auth/password-reset', { email: 'nobody.here@example.com' });
    assert.equal(known.statusCode, 202);
    assert.equal(unknown.statusCode, known.statusCode);
    assert.equal(unknown.body, known.body);
    assert.equal(json<{ message: string }>(known).message, RESET_REQUESTED_MESSAGE);
    assert.equal((await mailsTo(user.email)).length, 1);
    assert.equal((await mailsTo('nobody.here@example.com')).length, 0);
  });

  it('sets a new password once with the token and ends every session of the account', async () => {
    const user = await createUser(harness, 'customer');
    const phone = await loginClient(harness, user.email);
    const laptop = await loginClient(harness, user.email);
    const anonymous = await new Client(harness.app).init();
    await anonymous.post('/api/auth/password-reset', { email: user.email });
    const token = tokenIn((await mailsTo(user.email)).at(-1));

    const weak = await anonymous.post('/api/auth/password-reset/confirm', { token, password: 'short' });
    assert.equal(weak.statusCode, 400);
    assert.equal(errorOf(weak).field, 'password');
    const done = await anonymous.post('/api/auth/password-reset/confirm', { token, password: 'a brand new passphrase' });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(await isSignedIn(phone), false, 'the phone session ended');
    assert.equal(await isSignedIn(laptop), false, 'the laptop session ended');

    const again = await anonymous.post('/api/auth/password-reset/confirm', { token, password: 'another new passphrase' });
    assert.equal(again.statusCode, 400, 'single use');
    assert.equal(errorOf(again).field, 'token');
    await loginClient(harness, user.email, 'a brand new passphrase');
  });

  it('refuses an expired token', async () => {
    const user = await createUser(harness, 'customer');
    const client = await new Client(harness.app).init();
    await client.post('/api/auth/password-reset', { email: user.email });
    const token = tokenIn((await mailsTo(user.email)).at(-1));
    await harness.db.pool.query("UPDATE password_reset_tokens SET expires_at = now() - interval '1 second'");
    const late = await client.post('/api/auth/password-reset/confirm', { token, password: 'a brand new passphrase' });
    assert.equal(late.statusCode, 400);
  });

  it('sends at most 3 links per account per hour, answering the same, and limits one address to 10 requests', async () => {
    const user = await createUser(harness, 'customer');
    const client = await new Client(harness.app).init();
    const answers = new Set<string>();
    for (let i = 0; i < 5; i += 1) {
      const response = await client.post('/api/auth/password-reset', { email: user.email });
      answers.add(`${response.statusCode} ${response.body}`);
    }
    assert.equal(answers.size, 1);
    assert.equal((await mailsTo(user.email)).length, 3);
    const earlier = await mailsTo(user.email);
    const { rows } = await harness.db.pool.query<{ used: number }>('SELECT count(*) FILTER (WHERE used_at IS NULL)::int AS used FROM password_reset_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1', [user.email]);
    assert.equal(rows[0]?.used, 1, 'only the newest link works');
    assert.equal(earlier.length, 3);

    const flood = await new Client(harness.app).init();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await flood.post('/api/auth/password-reset', { email: `x${i}@example.com` })).statusCode);
    // the test API trusts no proxy, so all of these come from one address (inject's 127.0.0.1)
    assert.ok(statuses.includes(429), `one address is limited: ${statuses.join(',')}`);
  });
});

describe('changing the password in account settings', () => {
  it('needs the current password and ends every other session, keeping this one', async () => {
    const user = await createUser(harness, 'customer');
    const here = await loginClient(harness, user.email);
    const elsewhere = await loginClient(harness, user.email);
    const wrong = await here.post('/api/account/password', { currentPassword: 'not it at all', newPassword: 'a much better passphrase' });
    assert.equal(wrong.statusCode, 401);
    assert.equal(errorOf(wrong).field, 'currentPassword');
    const sameAsEmail = await here.post('/api/account/password', { currentPassword: TEST_PASSWORD, newPassword: user.email });
    assert.equal(sameAsEmail.statusCode, 400);
    const changed = await here.post('/api/account/password', { currentPassword: TEST_PASSWORD, newPassword: 'a much better passphrase' });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(await isSignedIn(here), true);
    assert.equal(await isSignedIn(elsewhere), false);
  });
});

describe('claiming an account', () => {
  it('ends every session the account had, and e-mails the claim link', async () => {
    const email = 'imported.person@example.com';
    const imported = await insertUser(harness.db.pool, { email, passwordHash: 'unused', name: 'Imported Person' });
    // a session left from before (e.g. opened by support) must not survive the claim
    const { client: stale } = await signedInClient(harness);
    await harness.db.pool.query('UPDATE sessions SET user_id = $1 WHERE user_id = (SELECT user_id FROM sessions ORDER BY created_at DESC LIMIT 1)', [imported.id]);
    assert.equal(await isSignedIn(stale), true);
    const { client: admin } = await signedInClient(harness, 'admin');
    const issued = json<{ token: string }>(await admin.post(`/api/admin/users/${imported.id}/claim-token`));
    const { rows } = await harness.db.pool.query<{ text_body: string }>("SELECT text_body FROM outbox WHERE to_address = $1 AND template = 'account_claim'", [email]);
    assert.match(rows[0]?.text_body ?? '', new RegExp(`/claim\\?token=${issued.token}`));
    const anonymous = await new Client(harness.app).init();
    assert.equal((await anonymous.post('/api/auth/claim', { token: issued.token, password: 'my own new passphrase' })).statusCode, 200);
    assert.equal(await isSignedIn(stale), false);
  });
});
