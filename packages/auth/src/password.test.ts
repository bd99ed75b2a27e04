import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkPasswordRules, hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('produces an argon2id PHC hash that verifies the same password only', async () => {
    const stored = await hashPassword('correct horse battery');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(stored, 'correct horse battery'), true);
    assert.equal(await verifyPassword(stored, 'correct horse batterY'), false);
  });

  it('salts: the same password hashes differently twice', async () => {
    assert.notEqual(await hashPassword('same-password'), await hashPassword('same-password'));
  });

  it('treats a malformed stored hash as a mismatch instead of throwing', async () => {
    assert.equal(await verifyPassword('not-a-hash', 'whatever1'), false);
  });
});

describe('checkPasswordRules', () => {
  it('accepts a reasonable password', () => {
    assert.equal(checkPasswordRules('threadline-demo'), null);
  });
  it('rejects short, long, blank, repeated and common passwords with a reason', () => {
    assert.match(checkPasswordRules('short') ?? '', /at least 8/);
    assert.match(checkPasswordRules('x'.repeat(129) + 'y') ?? '', /at most 128/);
    assert.match(checkPasswordRules('          ') ?? '', /spaces/);
    assert.match(checkPasswordRules('aaaaaaaaaa') ?? '', /single character/);
    assert.match(checkPasswordRules('Password123') ?? '', /too common/);
    assert.match(checkPasswordRules('Jane.Roe@Example.com', { email: 'jane.roe@example.com' }) ?? '', /e-mail address/);
    assert.match(checkPasswordRules('jane.roe.home', { email: 'jane.roe.home@example.com' }) ?? '', /e-mail address/);
    assert.equal(checkPasswordRules('jane.roe@example.com', { email: 'someone.else@example.com' }), null);
  });
  it('counts characters, not UTF-16 units', () => {
    assert.match(checkPasswordRules('🔒🔒🔒🔒🔒🔒🔒') ?? '', /at least 8/);
  });
});
