import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { scrubPersonalData } from './privacy.js';
import { validateEvent } from './validate.js';

describe('scrubPersonalData', () => {
  it('replaces e-mail addresses (also percent-encoded), phone numbers and long digit runs', () => {
    assert.equal(scrubPersonalData('/account/jane.roe%40example.com/orders'), '/account/[email]/orders');
    assert.equal(scrubPersonalData('JANE.ROE@Example.co.uk linen'), '[email] linen');
    assert.equal(scrubPersonalData('call +1 (555) 010-4477 today'), 'call [phone] today');
    assert.equal(scrubPersonalData('030 1234 5678'), '[phone]');
    assert.doesNotMatch(scrubPersonalData('card 4242424242424242'), /4242/);
    assert.doesNotMatch(scrubPersonalData('order 12345678901'), /\d{7}/);
  });

  it('keeps ordinary text, short ids, sizes and years as they are', () => {
    for (const text of ['/products/1234', 'linen shirt size 42', 'summer-sale-2026', '/search?q=caf%C3%A9', '100% cotton', null]) assert.equal(scrubPersonalData(text), text);
  });

  it('finds personal data whose digits or @ are percent-encoded or spread out', () => {
    // the quick pre-check looks for '@', '%' or 7 digits; these must still reach the patterns
    assert.equal(scrubPersonalData('/u/jane%40example.com'), '/u/[email]');
    assert.doesNotMatch(scrubPersonalData('/card/%34%32%34%32%34%32%34%32%34%32'), /4242|%34/);
    assert.equal(scrubPersonalData('tel 0 3 0 1 2 3 4 5'), 'tel [phone]');
  });
});

describe('server-only facts in events', () => {
  const facts = { receivedAt: Date.now(), userAgent: 'Mozilla/5.0', ip: '203.0.113.9', pseudonymKey: 'k' };
  const base = { id: '6f1c2a8e-3b4d-4c5e-8f60-718293a4b5c6', ts: Date.now(), visitorId: 'visitor-1234', sessionId: 'session-1234' };

  it('refuses order_paid and access_log from a browser, accepts them from a tier', () => {
    const sale = { ...base, type: 'order_paid', props: { valueCents: 100, currency: 'USD' } };
    assert.deepEqual(validateEvent(sale, facts), { ok: false, reason: "type: order_paid events are recorded by the shop's servers, never sent by browsers", id: base.id });
    assert.equal(validateEvent(sale, { ...facts, isFromTier: true }).ok, true);
    const log = { ...base, type: 'access_log', http: { tier: 'web', method: 'GET', route: '/', status: 200, durationMs: 1 } };
    assert.equal(validateEvent(log, facts).ok, false);
    assert.equal(validateEvent(log, { ...facts, isFromTier: true }).ok, true);
  });

  it('takes the user from the session only, never from the event', () => {
    const claimed = validateEvent({ ...base, type: 'page_view', userId: '42' }, facts);
    assert.ok(claimed.ok);
    assert.equal(claimed.event.user_pseudonym, null);
    const session = validateEvent({ ...base, type: 'page_view' }, { ...facts, sessionUserId: '42' });
    assert.ok(session.ok);
    assert.match(session.event.user_pseudonym ?? '', /^[A-Za-z0-9_-]{22}$/);
  });
});
