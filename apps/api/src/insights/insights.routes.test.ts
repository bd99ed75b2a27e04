import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { getCachedInsight, putCachedInsight } from '@threadline/db/insights';
import { InsightsLake, paramsKey, salesInsight } from '@threadline/insights';
import { writeFixtureLake } from '@threadline/insights/testing';

import { Client, createHarness, errorOf, json, signedInClient, type Harness } from '../testing/harness.js';

const MARCH = 'from=2026-03-01&to=2026-03-31';

interface Envelope {
  window: { from: string; to: string };
  asOf: string | null;
  cache: { status: 'hit' | 'live' };
}

describe('insights API', () => {
  let harness: Harness;
  let admin: Client;
  let marketing: Client;
  before(async () => {
    harness = await createHarness();
    await writeFixtureLake(harness.dataDir);
    admin = (await signedInClient(harness, 'admin')).client;
    marketing = (await signedInClient(harness, 'marketing')).client;
  });
  after(() => harness.close());

  const ROUTES = ['sales', 'segments', 'reviews', 'ad-channels', 'ad-channels/answers', 'ad-channels/costs', 'status'];

  it('lets only admins and marketing staff see insights', async () => {
    const anonymous = await new Client(harness.app).init();
    const customer = (await signedInClient(harness, 'customer')).client;
    const seller = (await signedInClient(harness, 'seller')).client;
    for (const route of ROUTES) {
      const url = `/api/insights/${route}?${route.includes('costs') || route === 'status' ? '' : MARCH}`;
      assert.equal((await anonymous.get(url)).statusCode, 401, `anonymous ${route}`);
      assert.equal((await customer.get(url)).statusCode, 403, `customer ${route}`);
      assert.equal((await seller.get(url)).statusCode, 403, `seller ${route}`);
      assert.equal((await admin.get(url)).statusCode, 200, `admin ${route}`);
      assert.equal((await marketing.get(url)).statusCode, 200, `marketing ${route}`);
    }
    assert.equal((await customer.post('/api/insights/refresh')).statusCode, 403);
  });

  it('answers with the same figures as the query run directly, with window and asOf', async () => {
    const response = await marketing.get(`/api/insights/sales?${MARCH}&region=north_america`);
    assert.equal(response.statusCode, 200);
    const body = json<Envelope & { totals: unknown; byCategory: unknown }>(response);
    const lake = await InsightsLake.open(harness.dataDir, { threads: 1 });
    try {
      const direct = await salesInsight(lake, { from: '2026-03-01', to: '2026-03-31', region: 'north_america', limit: 20 });
      assert.deepEqual(body.totals, direct.totals);
      assert.deepEqual(body.byCategory, JSON.parse(JSON.stringify(direct.byCategory)));
    } finally {
      lake.close();
    }
    assert.deepEqual(body.window, { from: '2026-03-01', to: '2026-03-31' });
    assert.ok(body.asOf && !Number.isNaN(Date.parse(body.asOf)));
  });

  it('serves a repeated request from the cache', async () => {
    const first = json<Envelope>(await admin.get(`/api/insights/segments?${MARCH}&dimension=gender`));
    const second = json<Envelope & { segments: unknown[] }>(await admin.get(`/api/insights/segments?${MARCH}&dimension=gender`));
    assert.equal(first.cache.status, 'live');
    assert.equal(second.cache.status, 'hit');
    assert.equal(second.segments.length, 2);
  });

  it('answers a repeated cached view from memory while the data version holds', async () => {
    const url = `/api/insights/segments?${MARCH}&dimension=age_band&limit=7`;
    const key = paramsKey({ from: '2026-03-01', to: '2026-03-31', dimension: 'age_band', limit: 7 });
    assert.equal(json<Envelope>(await admin.get(url)).cache.status, 'live');
    const stored = json<Envelope & { cache: { computedAt: string } }>(await admin.get(url));
    assert.equal(stored.cache.status, 'hit');
    // the store's entry is gone (as after "refresh now" on another replica): the same figures still answer
    await harness.context.pool.query(`DELETE FROM insight_cache WHERE dashboard = 'segments' AND params_key = $1`, [key]);
    const remembered = await admin.get(url);
    assert.equal(remembered.statusCode, 200);
    assert.equal(json<Envelope>(remembered).cache.status, 'hit');
    assert.deepEqual(json<Envelope>(remembered), stored);
    // "refresh now" in this process forgets it: the next view is computed again
    const refreshed = await admin.post('/api/insights/refresh');
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.notEqual(json<Envelope & { cache: { computedAt: string } }>(await admin.get(url)).cache.computedAt, stored.cache.computedAt);
  });

  it('sends a cached answer as the stored JSON text, byte for byte', async () => {
    const url = `/api/insights/sales?${MARCH}&region=europe`;
    const key = paramsKey({ from: '2026-03-01', to: '2026-03-31', region: 'europe', limit: 20 });
    const live = await marketing.get(url);
    assert.equal(live.statusCode, 200, live.body);
    const stored = await getCachedInsight(harness.context.pool, 'sales', key);
    assert.ok(stored, 'the live answer was remembered');
    // the live answer is serialised once: what was stored is what was sent
    assert.ok(live.body.endsWith(stored.resultJson.slice(1)), 'live body carries the stored text');

    // stored text no serialiser would produce: spaces, odd key order. A parse + re-serialise would
    // normalise it; sending it as it is keeps every byte.
    const odd = '{ "zeta" : [1 ,2],  "totals" :{"orders": 7 , "note":"caf\\u00e9 \u00e9"} }';
    await putCachedInsight(harness.context.pool, { ...stored, resultJson: odd });
    const hit = await marketing.get(url);
    assert.equal(hit.statusCode, 200, hit.body);
    assert.match(String(hit.headers['content-type']), /^application\/json; charset=utf-8$/);
    const envelope = json<Envelope & { cache: { computedAt: string; computationMs: number }; filters: unknown }>(hit);
    assert.equal(envelope.cache.status, 'hit');
    const head = JSON.stringify({ window: envelope.window, filters: { region: 'europe', limit: 20 }, asOf: envelope.asOf, cache: envelope.cache });
    assert.equal(hit.body, `${head.slice(0, -1)},${odd.trim().slice(1, -1).trim()}}`);
    assert.ok(hit.body.includes('"zeta" : [1 ,2],  "totals" :{"orders": 7 , "note":"caf\\u00e9 \u00e9"}'));
    assert.equal(Buffer.byteLength(hit.body), Number(hit.headers['content-length']));
  });

  it('lets a dashboard that carries its own window and filters send them once', async () => {
    const url = `/api/insights/peak-hours?${MARCH}&tz=UTC`;
    for (const status of ['live', 'hit']) {
      const response = await marketing.get(url);
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(json<Envelope>(response).cache.status, status);
      assert.equal(response.body.split('"window":').length, 2, 'one window');
      assert.equal(response.body.split('"filters":').length, 2, 'one filters');
      assert.deepEqual(json<{ filters: unknown }>(response).filters, { region: null, device: null, includeBots: false, source: null });
    }
  });

  it('prices channels with entered costs and recomputes when a cost changes', async () => {
    const before = json<{ channels: Array<{ channel: string; costPerRespondentCents: number | null }> }>(await marketing.get(`/api/insights/ad-channels?${MARCH}`));
    assert.equal(before.channels.find((row) => row.channel === 'tv')?.costPerRespondentCents, null);
    const put = await marketing.request('PUT', '/api/insights/ad-channels/costs', { month: '2026-03', channel: 'tv', costCents: 150000 });
    assert.equal(put.statusCode, 200, put.body);
    const after = json<Envelope & { channels: Array<{ channel: string; costPerRespondentCents: number | null }> }>(await marketing.get(`/api/insights/ad-channels?${MARCH}`));
    assert.equal(after.cache.status, 'live');
    assert.equal(after.channels.find((row) => row.channel === 'tv')?.costPerRespondentCents, 50000);
    const costs = json<{ items: Array<{ month: string; channel: string; costCents: number }> }>(await marketing.get('/api/insights/ad-channels/costs'));
    assert.deepEqual(costs.items.map((row) => [row.month, row.channel, row.costCents]), [['2026-03-01', 'tv', 150000]]);
    assert.equal((await marketing.delete('/api/insights/ad-channels/costs/2026-03/tv')).statusCode, 200);
    assert.equal((await marketing.delete('/api/insights/ad-channels/costs/2026-03/tv')).statusCode, 404);
  });

  it('rejects bad windows and filters naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['/api/insights/sales?from=2026-03-31&to=2026-03-01', 'from'],
      ['/api/insights/sales?from=2026-02-30&to=2026-03-01', 'from'],
      ['/api/insights/sales?from=yesterday', 'from'],
      ['/api/insights/segments?dimension=income', 'dimension'],
      ['/api/insights/sales?region=mars', 'region'],
      ['/api/insights/reviews?minReviews=-1', 'minReviews'],
      ['/api/insights/sales?category=Shirts%20%26%20Tops', 'category'],
    ];
    for (const [url, field] of cases) {
      const response = await admin.get(url);
      assert.equal(response.statusCode, 400, url);
      assert.equal(errorOf(response).field, field, url);
    }
    const badCost = await admin.request('PUT', '/api/insights/ad-channels/costs', { month: '2026-13', channel: 'tv', costCents: -5 });
    assert.equal(badCost.statusCode, 400);
  });

  it('refresh now materialises the preset windows', async () => {
    const response = await admin.post('/api/insights/refresh');
    assert.equal(response.statusCode, 200, response.body);
    const result = json<{ entries: number }>(response);
    // 3 windows × (sales + 7 segment dimensions + reviews + ad channels + peak hours)
    assert.equal(result.entries, 33);
    const status = json<{ dashboards: Array<{ dashboard: string; materialised: number }> }>(await admin.get('/api/insights/status'));
    assert.deepEqual(
      status.dashboards.map((row) => [row.dashboard, row.materialised]),
      [
        ['ad-channels', 3],
        ['peak-hours', 3],
        ['reviews', 3],
        ['sales', 3],
        ['segments', 21],
      ],
    );
  });
});
