import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { describe, it } from 'node:test';

import { validateEvent } from '@threadline/clickstream';

import { cookieString, deviceClass, opaqueId, parseUtm, readCookie, uuidV4 } from './context';
import { EventQueue, retryDelayMs } from './queue';

const fill = (b: Uint8Array): Uint8Array => randomFillSync(b);

describe('browser tracker helpers', () => {
  it('makes ids the collector accepts', () => {
    const event = { id: uuidV4(fill), type: 'page_view', ts: new Date().toISOString(), visitorId: opaqueId(fill), sessionId: opaqueId(fill), path: '/', timeZone: 'Europe/Paris', device: deviceClass('Mozilla/5.0 (iPhone)', 390, true) };
    const result = validateEvent(event, { receivedAt: Date.now(), userAgent: 'Mozilla/5.0', ip: '127.0.0.1', pseudonymKey: 'k' });
    assert.equal(result.ok, true, result.ok ? '' : result.reason);
    assert.notEqual(uuidV4(fill), uuidV4(fill));
  });

  it('reads and writes first-party cookies', () => {
    assert.equal(readCookie('a=1; tl_vid=abc%20d; b=2', 'tl_vid'), 'abc d');
    assert.equal(readCookie('a=1', 'tl_vid'), undefined);
    assert.equal(cookieString('tl_sid', 'x', 1800, true), 'tl_sid=x; Path=/; Max-Age=1800; SameSite=Lax; Secure');
  });

  it('takes UTM parameters from the landing URL', () => {
    assert.deepEqual(parseUtm('?utm_source=newsletter&utm_campaign=spring&x=1'), { source: 'newsletter', campaign: 'spring' });
    assert.equal(parseUtm('?q=shirt'), undefined);
  });

  it('classifies devices, including iPads that claim to be Macs', () => {
    assert.equal(deviceClass('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148', 390, true), 'mobile');
    assert.equal(deviceClass('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15', 820, true), 'tablet');
    assert.equal(deviceClass('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15', 900, false), 'desktop');
    assert.equal(deviceClass('Mozilla/5.0 (Linux; Android 14; SM-X710) Chrome/120', 800, true), 'tablet');
  });

  it('queues in batches, puts refused batches back first and caps its size', () => {
    const queue = new EventQueue(5, 2);
    for (const id of ['a', 'b', 'c']) queue.push({ id });
    const batch = queue.take();
    assert.deepEqual(batch.map((e) => e.id), ['a', 'b']);
    queue.putBack(batch);
    assert.deepEqual(queue.take().map((e) => e.id), ['a', 'b']);
    for (const id of ['d', 'e', 'f', 'g', 'h']) queue.push({ id });
    assert.equal(queue.size, 5);
    assert.deepEqual(queue.drain().map((e) => e.id), ['d', 'e', 'f', 'g', 'h'], 'oldest dropped first');
  });

  it('backs off exponentially, honouring Retry-After', () => {
    assert.equal(retryDelayMs(1), 1000);
    assert.equal(retryDelayMs(3), 4000);
    assert.equal(retryDelayMs(20), 60_000);
    assert.equal(retryDelayMs(1, 7), 7000);
  });
});
