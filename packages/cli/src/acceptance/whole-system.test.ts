/**
 * Acceptance: the whole system as a new user gets it. `threadline start` on a fresh data directory
 * (demo seed, first pipeline run, every tier, WAF and rate limits as shipped), then through the web
 * tier as the demo admin: the nightly pipeline runs from "Run now", every curated key is unique,
 * the SQL console answers, and each dashboard's headline figures equal an independent computation
 * on the shop database (or, for web traffic and the survey, on the raw files in the lake).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { addDays, dateInZone } from '@threadline/domain';
import { openDuckDb, sqlLiteral } from '@threadline/lake';

import { findDuplicateKeys } from './curated-keys.js';
import { expectedReviewsByProduct, expectedSalesByDay, expectedSegments } from './expected.repo.js';
import { startSystem, WebClient, type RunningSystem } from './system.js';

interface Run {
  id: number;
  trigger: string;
  status: string;
  failedStep: string | null;
  error: string | null;
}

const bySegment = (a: { segment: string }, b: { segment: string }): number => (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0);

const ADMIN = { email: 'admin@demo.threadline.dev', password: 'threadline-demo' };

describe('acceptance: a fresh install, started as npm start starts it', { timeout: 900_000 }, () => {
  let system: RunningSystem;
  let admin: WebClient;
  // a finished window: yesterday back 30 days in the shop's time zone (today keeps changing)
  let window: { from: string; to: string; timeZone: string };
  let query: string;

  before(async () => {
    system = await startSystem();
    admin = new WebClient(system.webUrl);
    await admin.signIn(ADMIN.email, ADMIN.password);
    const timeZone = system.config.shopTimeZone;
    const to = addDays(dateInZone(new Date(), timeZone), -1);
    window = { from: addDays(to, -29), to, timeZone };
    query = `from=${window.from}&to=${window.to}`;
  }, { timeout: 600_000 });

  after(async () => {
    await system?.stop();
  });

  it('publishes the lake during the first start, before anyone signs in', async (t) => {
    t.diagnostic(`first start ready in ${system.readySeconds} s`);
    // where the first start's time went: the seed's parts and the first pipeline run's steps
    for (const line of system.output.filter((text) => /\[seed\].*(done in|step \w+:|joined|counted)/.test(text))) t.diagnostic(line.replace(/\s+/g, ' '));
    const runs = await admin.request<{ items: Run[] }>('GET', '/api/admin/pipeline/runs');
    assert.equal(runs.status, 200);
    const first = runs.body.items.find((run) => run.trigger === 'first_start');
    assert.ok(first, `no first-start run among ${JSON.stringify(runs.body.items)}`);
    assert.equal(first.status, 'succeeded', `first run: ${first.failedStep}: ${first.error}`);
    const health = await admin.request<{ state: string; message: string | null }>('GET', '/api/insights/pipeline');
    assert.deepEqual(health.body, { ...health.body, state: 'ok', message: null });
  });

  it('runs the nightly pipeline from "Run now" through the worker, every step succeeding', async (t) => {
    const queued = await admin.request<Run>('POST', '/api/admin/pipeline/runs', {});
    assert.equal(queued.status, 202, JSON.stringify(queued.body));
    let detail: { run: Run; steps: Array<{ step: string; status: string; startedAt: string; finishedAt: string | null; rowsOut: number }> } | undefined;
    for (let waited = 0; waited < 300_000; waited += 3000) {
      const answer = await admin.request<NonNullable<typeof detail>>('GET', `/api/admin/pipeline/runs/${queued.body.id}`);
      assert.equal(answer.status, 200);
      detail = answer.body;
      if (detail.run.status !== 'queued' && detail.run.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
    assert.ok(detail);
    assert.equal(detail.run.status, 'succeeded', `${detail.run.failedStep}: ${detail.run.error}`);
    assert.deepEqual(detail.steps.map((step) => `${step.step}:${step.status}`), ['extract', 'quality', 'publish', 'verify', 'catalog', 'refresh'].map((step) => `${step}:succeeded`));
    for (const step of detail.steps) t.diagnostic(`${step.step} ${((Date.parse(step.finishedAt ?? step.startedAt) - Date.parse(step.startedAt)) / 1000).toFixed(1)} s`);
  });

  it('every curated dataset has one row per key', async () => {
    const { checked, duplicates } = await findDuplicateKeys(path.join(system.dataDir, 'lake'));
    assert.deepEqual([...checked].sort(), ['product_day', 'products', 'reviews', 'sales', 'sales_orders']);
    assert.deepEqual(duplicates, []);
  });

  it('the admin SQL console answers SELECT * FROM sales LIMIT 5 through the web tier', async () => {
    const answer = await admin.request<{ rows: unknown[] }>('POST', '/api/admin/query', { sql: 'SELECT * FROM sales LIMIT 5' });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.rows.length, 5);
  });

  it('sales rates: revenue, orders and units per day equal the shop database', async () => {
    const answer = await admin.request<{ totals: { orders: number; units: number; revenueCents: number }; overTime: Array<{ date: string; orders: number; units: number; revenueCents: number }> }>(
      'GET',
      `/api/insights/sales?${query}`,
    );
    assert.equal(answer.status, 200);
    const expected = await expectedSalesByDay(system.pool, window);
    assert.ok(expected.length >= 25, `the demo shop sells on most days (${expected.length})`);
    const shown = answer.body.overTime.filter((day) => day.orders > 0);
    assert.deepEqual(shown, expected);
    assert.equal(answer.body.totals.revenueCents, expected.reduce((sum, day) => sum + day.revenueCents, 0));
    assert.equal(answer.body.totals.units, expected.reduce((sum, day) => sum + day.units, 0));
  });

  it('customer segments: top products per age band equal the shop database', async () => {
    const answer = await admin.request<{ segments: Array<{ segment: string; units: number; topProducts: Array<{ productId: number; units: number }> }> }>(
      'GET',
      `/api/insights/segments?${query}&dimension=age_band&limit=5`,
    );
    assert.equal(answer.status, 200);
    assert.ok(answer.body.segments.length >= 4);
    const expected = await expectedSegments(system.pool, { ...window, column: 'age_band', limit: 5 });
    const shown = answer.body.segments.map((segment) => ({ segment: segment.segment, units: segment.units, topProducts: segment.topProducts.map((product) => ({ productId: product.productId, units: product.units })) }));
    assert.deepEqual(shown.sort(bySegment), expected.sort(bySegment));
  });

  it('customer segments by where customers live: top products per ship-to country equal the shop database', async () => {
    const answer = await admin.request<{ segments: Array<{ segment: string; units: number; topProducts: Array<{ productId: number; units: number }> }> }>(
      'GET',
      `/api/insights/segments?${query}&dimension=ship_country&limit=5`,
    );
    assert.equal(answer.status, 200);
    assert.ok(answer.body.segments.length > 0);
    const expected = await expectedSegments(system.pool, { ...window, column: 'ship_country', limit: 5 });
    const shown = answer.body.segments.map((segment) => ({ segment: segment.segment, units: segment.units, topProducts: segment.topProducts.map((product) => ({ productId: product.productId, units: product.units })) }));
    assert.deepEqual(shown.sort(bySegment), expected.sort(bySegment));
  });

  it('customer reviews: review count and mean rating per product equal the shop database', async () => {
    const answer = await admin.request<{ totals: { reviews: number; averageRating: number }; lowestRated: Array<{ productId: number; reviews: number; averageRating: number }> }>(
      'GET',
      `/api/insights/reviews?${query}`,
    );
    assert.equal(answer.status, 200);
    const expected = new Map((await expectedReviewsByProduct(system.pool, window)).map((row) => [row.productId, row]));
    const total = [...expected.values()].reduce((sum, row) => sum + row.reviews, 0);
    assert.ok(total > 100);
    assert.equal(answer.body.totals.reviews, total);
    const mean = [...expected.values()].reduce((sum, row) => sum + row.averageRating * row.reviews, 0) / total;
    assert.ok(Math.abs(answer.body.totals.averageRating - mean) < 1e-9);
    assert.ok(answer.body.lowestRated.length > 0);
    for (const product of answer.body.lowestRated) {
      const row = expected.get(product.productId);
      assert.ok(row, `product ${product.productId}`);
      assert.equal(product.reviews, row.reviews);
      assert.ok(Math.abs(product.averageRating - row.averageRating) < 1e-9, `product ${product.productId}: ${product.averageRating} vs ${row.averageRating}`);
    }
  });

  it('peak hours: visits by hour equal a count over the raw web events', async () => {
    const answer = await admin.request<{ totals: { visits: number }; byHour: Array<{ hour: number; visits: number }> }>('GET', `/api/insights/peak-hours?${query}`);
    assert.equal(answer.status, 200);
    const lake = path.join(system.dataDir, 'lake', 'raw');
    const files = ['clickstream', 'clickstream_late'].filter((dir) => existsSync(path.join(lake, dir))).map((dir) => sqlLiteral(path.join(lake, dir, '**', '*.parquet')));
    const db = await openDuckDb({ threads: 1 });
    try {
      const rows = await db.all<{ hour: number; visits: number }>(
        `SELECT hour(timezone(${sqlLiteral(window.timeZone)}, event_time))::INTEGER AS hour, count(*)::INTEGER AS visits
           FROM read_parquet([${files.join(', ')}], union_by_name = true)
          WHERE event_type IN ('page_view', 'product_view') AND NOT is_bot
            AND timezone(${sqlLiteral(window.timeZone)}, event_time) >= ${sqlLiteral(window.from)}::TIMESTAMP
            AND timezone(${sqlLiteral(window.timeZone)}, event_time) < ${sqlLiteral(addDays(window.to, 1))}::TIMESTAMP
          GROUP BY 1 ORDER BY 1`,
      );
      assert.equal(rows.length, 24);
      assert.deepEqual(answer.body.byHour.map((hour) => ({ hour: hour.hour, visits: hour.visits })), rows);
      assert.ok(answer.body.totals.visits > 100_000);
    } finally {
      db.close();
    }
  });

  it('offline advertising: respondents per channel equal the uploaded survey answers', async () => {
    const answer = await admin.request<{ totals: { respondents: number }; channels: Array<{ channel: string; respondents: number }> }>('GET', `/api/insights/ad-channels?${query}`);
    assert.equal(answer.status, 200);
    const db = await openDuckDb({ threads: 1 });
    try {
      const rows = await db.all<{ channel: string; n: number }>(
        `SELECT channel, count(*)::INTEGER AS n FROM read_parquet(${sqlLiteral(path.join(system.dataDir, 'lake', 'raw', 'survey', '**', '*.parquet'))}, hive_partitioning = true)
          WHERE response_date BETWEEN ${sqlLiteral(window.from)}::DATE AND ${sqlLiteral(window.to)}::DATE GROUP BY 1`,
      );
      const expected = new Map(rows.map((row) => [row.channel, row.n]));
      assert.ok(answer.body.totals.respondents > 100);
      assert.equal(answer.body.totals.respondents, rows.reduce((sum, row) => sum + row.n, 0));
      for (const channel of answer.body.channels) assert.equal(channel.respondents, expected.get(channel.channel) ?? 0, channel.channel);
    } finally {
      db.close();
    }
  });
});
