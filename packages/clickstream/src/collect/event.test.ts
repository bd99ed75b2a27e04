import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { spoolLine, type StoredEvent } from './event.js';
import { SPARSE_EVENT, referenceLine } from './spool-line.test-helpers.js';
import { DEFAULT_LIMITS, validateEvent } from './validate.js';

describe('spoolLine', () => {
  const facts = { receivedAt: Date.parse('2026-03-08T07:31:00Z'), userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', ip: '198.51.100.7', pseudonymKey: 'k' };

  it('writes every non-null column and leaves the null ones out', () => {
    const result = validateEvent(
      { id: '0f8fad5b-d9cb-469f-a165-70867728950e', type: 'search', ts: '2026-03-08T07:30:00Z', visitorId: 'visitor_0001', sessionId: 'session_0001', path: '/search', timeZone: 'Europe/Berlin', props: { query: 'linen "summer" shirt \u00e9\u2028' } },
      facts,
      DEFAULT_LIMITS,
    );
    assert.ok(result.ok);
    const line = spoolLine(result.event);
    const parsed: unknown = JSON.parse(line);
    const nonNull = Object.fromEntries(Object.entries(result.event).filter(([, value]) => value !== null));
    assert.deepEqual(parsed, nonNull);
    assert.ok(!line.includes('null'), line);
    assert.ok(!line.includes('\n'), 'one line per event');
    assert.equal(Object.keys(nonNull).join(), Object.keys(result.event).filter((k) => k in nonNull).join(), 'column order kept');
    assert.ok(line.length < JSON.stringify(result.event).length * 0.75, `${line.length} vs ${JSON.stringify(result.event).length}`);
  });

  it('writes byte for byte the specified line for sparse, full and access-log events', () => {
    const sparse = SPARSE_EVENT;
    const full: StoredEvent = {
      ...sparse, event_type: 'order_paid', user_pseudonym: 'u_abc', path: '/checkout/"done"', referrer_host: 'www.google.com', utm_source: 's\\x', utm_medium: 'm', utm_campaign: 'c\u2028',
      utm_term: 't', utm_content: 'k', device: 'mobile', language: 'pt-BR', time_zone: 'America/Sao_Paulo', region: 'South America', is_bot: true, ip_prefix: '198.51.100.0/24',
      product_id: 'p-1', search_query: 'linen \u00e9', value_cents: 12990, currency: 'BRL',
    };
    const access: StoredEvent = { ...sparse, event_type: 'access_log', tier: 'api', http_method: 'GET', http_route: '/api/products/:id', http_status: 200, duration_ms: 1.25, bytes: 0 };
    for (const event of [sparse, full, access]) assert.equal(spoolLine(event), referenceLine(event));
  });

  it('escapes every text column as JSON.stringify does: quotes, backslashes, controls, lone surrogates; pairs and U+2028 as they are', () => {
    const base: StoredEvent = { ...SPARSE_EVENT, event_type: 'search' };
    const texts = ['plain', 'say "hi"', 'back\\slash', 'tab\there', 'nul\u0000', 'del\u007f', 'lone \ud800 high', 'lone \udc00 low', 'pair \ud83d\ude00', 'line\u2028sep', '\u00e9t\u00e9', ''];
    const textColumns = ['visitor_id', 'session_id', 'user_pseudonym', 'path', 'referrer_host', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'language', 'time_zone', 'region', 'ip_prefix', 'product_id', 'search_query', 'currency', 'tier', 'http_method', 'http_route'] as const;
    for (const column of textColumns) {
      for (const text of texts) {
        const event: StoredEvent = { ...base, [column]: text };
        const line = spoolLine(event);
        assert.equal(line, referenceLine(event), `${column}: ${JSON.stringify(text)}`);
        // a spool line is a JSON object (compared byte for byte just above)
        assert.equal((JSON.parse(line) as Record<string, unknown>)[column], text);
      }
    }
  });
});
