import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { signWebhook, verifyWebhookSignature } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"evt_1"}';
  const now = 1_700_000_000;

  it('accepts its own signature and rejects a tampered body, a wrong secret and a stale timestamp', () => {
    const header = signWebhook(secret, body, now);
    assert.deepEqual(verifyWebhookSignature(secret, body, header, now + 10), { ok: true });
    assert.equal(verifyWebhookSignature(secret, '{"id":"evt_2"}', header, now).ok, false);
    assert.equal(verifyWebhookSignature('other', body, header, now).ok, false);
    assert.equal(verifyWebhookSignature(secret, body, header, now + 301).ok, false);
  });

  it('rejects missing and malformed headers', () => {
    assert.equal(verifyWebhookSignature(secret, body, undefined, now).ok, false);
    assert.equal(verifyWebhookSignature(secret, body, 't=abc,v1=zz', now).ok, false);
    assert.equal(verifyWebhookSignature(secret, body, `t=${now}`, now).ok, false);
  });
});
