import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { InsightsLake, peakHours } from '@threadline/insights';
import { ClickstreamCompactor, ClickstreamFlusher, SpoolSource, loadClickstreamSettings } from '@threadline/clickstream';
import { LocalLakeStorage, lakeRoot } from '@threadline/lake';

import { Client, createHarness, json, signedInClient, type Harness } from '../testing/harness.js';

interface PeakBody {
  window: { from: string; to: string };
  asOf: string | null;
  cache: { status: 'hit' | 'live' };
  totals: { visits: number };
  byHour: Array<{ hour: number; visits: number }>;
  topPeaks: Array<{ hour: number; visits: number; share: number }>;
}

describe('GET /api/insights/peak-hours', () => {
  let harness: Harness;
  let marketing: Client;
  const today = new Date().toISOString().slice(0, 10);
  const window = `from=${new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10)}&to=${today}&tz=UTC`;

  before(async () => {
    harness = await createHarness();
    marketing = (await signedInClient(harness, 'marketing')).client;
    // traffic through the real collector: 3 visits two hours ago, 1 visit one hour ago
    const base = Date.now() - 2 * 3600_000;
    const events = [0, 1, 2, 3600].map((offsetS, i) => ({
      id: randomUUID(),
      type: 'page_view',
      ts: base + offsetS * 1000,
      visitorId: `visitor_${i}xxxx`,
      sessionId: `session_${i}xxxx`,
      path: '/',
      timeZone: 'Europe/Paris',
    }));
    const response = await harness.app.inject({ method: 'POST', url: '/collect', payload: { events }, headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0' } });
    assert.equal(response.statusCode, 202, response.body);
    const settings = loadClickstreamSettings(harness.dataDir, {});
    const storage = new LocalLakeStorage(lakeRoot(harness.dataDir));
    const flusher = new ClickstreamFlusher({ source: new SpoolSource(settings.spoolDir), storage, stateDir: settings.flusherStateDir });
    await flusher.drain();
    flusher.close();
    const compactor = new ClickstreamCompactor({ storage, stateDir: path.join(settings.flusherStateDir, 'compactor'), compactAfterMs: 0 });
    await compactor.compactDue();
    compactor.close();
  });
  after(() => harness.close());

  it('lets only admins and marketing staff see peak hours', async () => {
    const url = `/api/insights/peak-hours?${window}`;
    assert.equal((await (await new Client(harness.app).init()).get(url)).statusCode, 401);
    assert.equal((await (await signedInClient(harness, 'customer')).client.get(url)).statusCode, 403);
    assert.equal((await (await signedInClient(harness, 'seller')).client.get(url)).statusCode, 403);
    assert.equal((await (await signedInClient(harness, 'admin')).client.get(url)).statusCode, 200);
    assert.equal((await marketing.get(url)).statusCode, 200);
  });

  it('answers with the same figures as the analysis run directly, then from its cache', async () => {
    const first = json<PeakBody>(await marketing.get(`/api/insights/peak-hours?${window}&top=2`));
    const lake = await InsightsLake.open(harness.dataDir);
    const direct = await peakHours(lake, { from: first.window.from, to: first.window.to, timeZone: 'UTC', top: 2 }).finally(() => lake.close());
    assert.equal(first.totals.visits, 4);
    assert.deepEqual(first.byHour, JSON.parse(JSON.stringify(direct.byHour)));
    assert.deepEqual(first.topPeaks, JSON.parse(JSON.stringify(direct.topPeaks)));
    assert.equal(first.topPeaks[0]?.visits, 3);
    assert.equal(first.topPeaks[0]?.share, 0.75);
    assert.ok(first.asOf && !Number.isNaN(Date.parse(first.asOf)));
    assert.equal(first.cache.status, 'live');
    const again = json<PeakBody>(await marketing.get(`/api/insights/peak-hours?${window}&top=2`));
    assert.equal(again.cache.status, 'hit');
    assert.deepEqual(again.byHour, first.byHour);
  });

  it('computes anew an answer stored by an older release, whose weeks lack the fields added since', async () => {
    const url = `/api/insights/peak-hours?${window}&top=1`;
    const first = json<PeakBody & { weekly: Array<{ days: number }> }>(await marketing.get(url));
    assert.equal(first.cache.status, 'live');
    assert.ok(first.weekly.every((week) => week.days >= 1 && week.days <= 7));
    // what the release before answer shapes stored: the fingerprint without the shape, weeks without days
    await harness.db.pool.query(
      `UPDATE insight_cache SET data_version = regexp_replace(data_version, '\\|\\d+$', ''),
              result = jsonb_set(result::jsonb, '{weekly}', '[{"weekStart": "2000-01-03", "visits": 1}]')::json
        WHERE dashboard = 'peak-hours' AND params->>'top' = '1'`,
    );
    const again = json<PeakBody & { weekly: Array<{ weekStart: string; days: number }> }>(await marketing.get(url));
    assert.equal(again.cache.status, 'live', 'the stale-shaped answer is not served');
    assert.deepEqual(again.weekly, first.weekly);
  });

  it('is materialised with the other dashboards in the PostgreSQL cache, so the page opens from it', async () => {
    const refreshed = await marketing.post('/api/insights/refresh', {});
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const status = json<{ dashboards: Array<{ dashboard: string; materialised: number }> }>(await marketing.get('/api/insights/status'));
    // one entry per preset window (7, 30, 90 days)
    assert.equal(status.dashboards.find((row) => row.dashboard === 'peak-hours')?.materialised, 3);
    // the page's first view: no parameters, the shop zone, the default 30 days
    const opened = json<PeakBody>(await marketing.get('/api/insights/peak-hours'));
    assert.equal(opened.cache.status, 'hit');
    assert.equal(opened.totals.visits, 4);
  });

  it('rejects bad filters with 400 naming the field', async () => {
    const badZone = await marketing.get(`/api/insights/peak-hours?${window.replace('tz=UTC', 'tz=Mars/Base')}`);
    assert.equal(badZone.statusCode, 400);
    assert.equal(json<{ error: { field: string } }>(badZone).error.field, 'tz');
    const badRegion = await marketing.get(`/api/insights/peak-hours?${window}&region=atlantis`);
    assert.equal(badRegion.statusCode, 400);
    const reversed = await marketing.get('/api/insights/peak-hours?from=2026-03-09&to=2026-03-01');
    assert.equal(reversed.statusCode, 400);
    assert.equal(json<{ error: { field: string } }>(reversed).error.field, 'from');
  });
});
