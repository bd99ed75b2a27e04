import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { validateToLine } from '@threadline/clickstream';

import { collectBodies } from './collect-bodies.js';

function eventsOf(body: Buffer): Array<Record<string, unknown>> {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  assert.ok(typeof parsed === 'object' && parsed !== null && 'events' in parsed && Array.isArray(parsed.events));
  return parsed.events.map((event: unknown) => {
    assert.ok(typeof event === 'object' && event !== null);
    // checked to be an object just above; the fields are read by name below
    return event as Record<string, unknown>;
  });
}

describe('collect bodies for the ingest benchmark', () => {
  it('makes valid batches whose event ids are never repeated, across templates', () => {
    const now = Date.now();
    const bodies = collectBodies({ batch: 25, templates: 3, now });
    const ids = new Set<string>();
    const visitors = new Set<unknown>();
    for (let request = 0; request < 8; request += 1) {
      const events = eventsOf(bodies.next());
      assert.equal(events.length, 25);
      for (const event of events) {
        const result = validateToLine(event, { receivedAt: now, userAgent: 'bench', ip: '127.0.0.1', pseudonymKey: 'k' });
        assert.ok(result.ok, result.ok ? '' : result.reason);
        assert.equal(typeof event.id, 'string');
        ids.add(String(event.id));
        visitors.add(event.visitorId);
      }
    }
    assert.equal(ids.size, 8 * 25);
    assert.ok(ids.has('b3ac0000-0000-4000-8000-000000000001'));
    assert.ok(ids.has(`b3ac0000-0000-4000-8000-${(8 * 25).toString(16).padStart(12, '0')}`));
    // the templates differ (visitors vary across them), not one batch repeated
    assert.equal(visitors.size, 3 * 25);
  });

  it('returns a new buffer per request: an earlier body is not overwritten', () => {
    const bodies = collectBodies({ batch: 2, templates: 1 });
    const first = bodies.next();
    const copy = Buffer.from(first);
    bodies.next();
    assert.deepEqual(first, copy);
  });
});
