import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { StoredEvent } from './event.js';
import { pseudonymise } from './privacy.js';
import { SPARSE_EVENT, referenceLine } from './spool-line.test-helpers.js';
import { DEFAULT_LIMITS, EventTexts, validateEvent, validateToLine } from './validate.js';

describe('validateToLine', () => {
  const receivedAt = Date.parse('2026-03-08T07:31:00Z');
  const browser = { receivedAt, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148', ip: '198.51.100.7', pseudonymKey: 'k', sessionUserId: '42' };
  const empty = SPARSE_EVENT;

  it('writes the specified line of a full browser event, its id in lower case, user from the session, free text escaped', () => {
    const wire = {
      id: '0F8FAD5B-D9CB-469F-A165-70867728950E', type: 'search', ts: '2026-03-08T07:30:00Z', visitorId: 'visitor_0001', sessionId: 'session_0001', userId: 'claimed',
      path: '/search/"linen"\\x?q=secret#top', referrer: 'https://WWW.Google.com/search?q=x', utm: { source: 'news"letter', medium: 'email', campaign: 'spring\u2028', term: 'lin\ud800en', content: 'k' },
      device: 'tablet', language: 'pt-BR', timeZone: 'Europe/Berlin', props: { productId: 'p-1', query: 'linen \u00e9t\u00e9 "summer"', valueCents: 12990, currency: 'EUR' },
    };
    const expected: StoredEvent = {
      ...empty, event_type: 'search', user_pseudonym: pseudonymise('k', 'user', '42'), path: '/search/"linen"\\x', referrer_host: 'www.google.com', utm_source: 'news"letter', utm_medium: 'email',
      utm_campaign: 'spring\u2028', utm_term: 'lin\ud800en', utm_content: 'k', device: 'tablet', language: 'pt-BR', time_zone: 'Europe/Berlin', region: 'europe', ip_prefix: '198.51.100.0/24',
      product_id: 'p-1', search_query: 'linen \u00e9t\u00e9 "summer"', value_cents: 12990, currency: 'EUR',
    };
    const result = validateToLine(wire, browser, DEFAULT_LIMITS);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.id, '0f8fad5b-d9cb-469f-a165-70867728950e');
    assert.equal(result.line, referenceLine(expected));
    assert.deepEqual(validateEvent(wire, browser, DEFAULT_LIMITS), { ok: true, event: expected });
  });

  it('writes the specified line of a sparse event and of an access-log event from a tier', () => {
    const tier = { receivedAt, userAgent: undefined, ip: undefined, pseudonymKey: 'k', isFromTier: true };
    const sparse = validateToLine({ id: empty.event_id, type: 'page_view', ts: empty.event_time, visitorId: 'visitor_0001', sessionId: 'session_0001' }, tier, DEFAULT_LIMITS);
    assert.ok(sparse.ok);
    assert.equal(sparse.line, referenceLine({ ...empty, is_bot: true }));
    const wire = { id: empty.event_id, type: 'access_log', ts: empty.event_time, visitorId: 'visitor_0001', sessionId: 'session_0001', http: { tier: 'api', method: 'GET', route: '/api/products/:id', status: 200, durationMs: 1.25, bytes: 0 } };
    const access = validateToLine(wire, tier, DEFAULT_LIMITS);
    assert.ok(access.ok);
    assert.equal(access.line, referenceLine({ ...empty, event_type: 'access_log', is_bot: true, tier: 'api', http_method: 'GET', http_route: '/api/products/:id', http_status: 200, duration_ms: 1.25, bytes: 0 }));
  });

  it('names the field at fault and returns the id it had', () => {
    const base = { id: empty.event_id, type: 'page_view', ts: empty.event_time, visitorId: 'visitor_0001', sessionId: 'session_0001' };
    assert.deepEqual(validateToLine({ ...base, utm: { campaign: 'a\u0001b' } }, browser, DEFAULT_LIMITS), { ok: false, reason: 'utm.campaign: contains control characters', id: empty.event_id });
    assert.deepEqual(validateToLine({ ...base, props: { currency: 'eur' } }, browser, DEFAULT_LIMITS), { ok: false, reason: 'props.currency: expected an ISO 4217 code such as USD', id: empty.event_id });
    assert.deepEqual(validateToLine({ ...base, id: 7 }, browser, DEFAULT_LIMITS), { ok: false, reason: 'id: expected a UUID' });
    // the schema is closed at every level, and the unknown field is named with its path
    assert.deepEqual(validateToLine({ ...base, colour: 'red' }, browser, DEFAULT_LIMITS), { ok: false, reason: 'colour: unknown field', id: empty.event_id });
    assert.deepEqual(validateToLine({ ...base, utm: { source: 's', sauce: 'x' } }, browser, DEFAULT_LIMITS), { ok: false, reason: 'utm.sauce: unknown field', id: empty.event_id });
    assert.deepEqual(validateToLine({ ...base, props: { query: 'q', price: 5 } }, browser, DEFAULT_LIMITS), { ok: false, reason: 'props.price: unknown field', id: empty.event_id });
    assert.deepEqual(validateToLine({ ...base, timeZone: 'Mars/Olympus_Mons' }, browser, DEFAULT_LIMITS), { ok: false, reason: 'timeZone: unknown IANA time zone', id: empty.event_id });
    const zoned = validateToLine({ ...base, timeZone: 'America/Sao_Paulo' }, browser, DEFAULT_LIMITS);
    assert.ok(zoned.ok && zoned.line.includes('"time_zone":"America/Sao_Paulo","region":"south_america"'), JSON.stringify(zoned));
  });
});

describe('EventTexts', () => {
  it('collects every free-text field of each event in order and names each by its JSON path', () => {
    const texts = new EventTexts();
    texts.add({ id: 'x', path: '/p', referrer: 'https://r.example/', utm: { source: 's', medium: 'm', campaign: 'c', term: 't', content: 'k' }, props: { productId: 'p1', query: 'linen' } }, 0);
    texts.add('not an event', 1);
    texts.add({ type: 'access_log', http: { route: '/api/products/:id', tier: 'api' }, props: { valueCents: 5 } }, 2);
    texts.add({ path: 42, utm: 'x', props: { query: null } }, 3);
    texts.add({ path: '/last' }, 12);
    assert.deepEqual(texts.texts, ['/p', 'https://r.example/', 's', 'm', 'c', 't', 'k', 'p1', 'linen', '/api/products/:id', '/last']);
    assert.deepEqual(
      texts.texts.map((_, position) => texts.fieldOf(position)),
      [
        'events[0].path',
        'events[0].referrer',
        'events[0].utm.source',
        'events[0].utm.medium',
        'events[0].utm.campaign',
        'events[0].utm.term',
        'events[0].utm.content',
        'events[0].props.productId',
        'events[0].props.query',
        'events[2].http.route',
        'events[12].path',
      ],
    );
  });
});
