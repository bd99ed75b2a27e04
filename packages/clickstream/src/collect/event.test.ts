import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { spoolLine } from './event.js';
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
});
