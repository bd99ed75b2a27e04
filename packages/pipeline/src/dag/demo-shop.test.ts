/**
 * The nightly run on the demo shop that every install gets (a smaller one, same generators):
 * the default path, not hand-made fixtures. The demo's web traffic spans UTC and shop days, which
 * once gave product_day two rows for a product on every day (and a failed gate on every install).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { generateDemoTraffic, listDemoProducts } from '@threadline/clickstream';
import { createLogger } from '@threadline/config';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { seedDemoData } from '@threadline/demo';
import { lakeRoot, LocalLakeStorage, openDuckDb, sqlLiteral } from '@threadline/lake';

import { DATASET_KEYS } from '../extract/datasets.js';
import { loadPipelineSettings } from './pipeline-settings.js';
import { runPipeline } from './run-pipeline.js';

const ZONE = 'America/New_York';

describe('nightly pipeline on the demo shop', () => {
  let db: TestDatabase;
  let dataDir: string;

  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tl-demo-pipeline-'));
    await seedDemoData(db.pool, { seed: 42, products: 60, customers: 300, days: 14, dataDir, hasImages: false, hasContentHash: false });
    await generateDemoTraffic({
      storage: new LocalLakeStorage(lakeRoot(dataDir)),
      workDir: dataDir,
      events: 60_000,
      days: 14,
      seed: 42,
      ...(await listDemoProducts(db.pool)),
      threads: 1,
    });
  });
  after(async () => {
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes on the first run, one product_day row per day and product, every curated key unique', async () => {
    const summary = await runPipeline(
      {
        pool: db.pool,
        dataDir,
        timeZone: ZONE,
        pseudonymKey: 'demo-test-key',
        slackWebhookUrl: undefined,
        logger: createLogger({ name: 'demo-pipeline-test', level: 'silent' }),
        settings: { ...loadPipelineSettings({}), retries: 0 },
        refreshers: [],
      },
      { trigger: 'first_start' },
    );
    assert.equal(summary.status, 'succeeded', `${summary.failedStep}: ${summary.error}`);
    assert.ok(summary.dates.length >= 14);

    const duck = await openDuckDb({ threads: 1 });
    try {
      const curated = (dataset: string): string => `read_parquet(${sqlLiteral(path.join(lakeRoot(dataDir), 'curated', dataset, '*', '*.parquet'))}, hive_partitioning = true)`;
      for (const [dataset, key] of Object.entries(DATASET_KEYS)) {
        const [row] = await duck.all<{ rows: number; keys: number }>(`SELECT count(*)::INTEGER AS rows, count(DISTINCT (${key.join(', ')}))::INTEGER AS keys FROM ${curated(dataset)}`);
        assert.ok((row?.rows ?? 0) > 0, dataset);
        assert.equal(row?.rows, row?.keys, `${dataset}: ${row?.rows} rows for ${row?.keys} keys`);
      }
      // each day lists the products that existed that day, once, with the clickstream's views
      const perDay = await duck.all<{ dt: string; rows: number; products: number; views: number }>(
        `SELECT strftime(dt, '%Y-%m-%d') AS dt, count(*)::INTEGER AS rows, count(DISTINCT product_id)::INTEGER AS products, sum(views)::INTEGER AS views
           FROM ${curated('product_day')} GROUP BY 1 ORDER BY 1`,
      );
      assert.equal(perDay.length, summary.dates.length);
      for (const day of perDay) assert.equal(day.rows, day.products, day.dt);
      const [events] = await duck.all<{ views: number }>(
        `SELECT count(*)::INTEGER AS views FROM read_parquet(${sqlLiteral(path.join(lakeRoot(dataDir), 'raw', 'clickstream', '**', '*.parquet'))}, hive_partitioning = true)
          WHERE event_type = 'product_view' AND NOT is_bot
            AND strftime(timezone(${sqlLiteral(ZONE)}, event_time), '%Y-%m-%d') IN (SELECT unnest(${`[${summary.dates.map((date) => sqlLiteral(date)).join(', ')}]`}))`,
      );
      assert.ok((events?.views ?? 0) > 1000);
      assert.equal(perDay.reduce((sum, day) => sum + day.views, 0), events?.views);
      // the demo traffic visits products as their orders say they sell: the more a product is
      // ordered, the more it is carted (with every product visited alike the correlation was
      // about 0, and the best sellers showed more orders than carts)
      const [funnel] = await duck.all<{ products: number; correlation: number; overCarted: number }>(
        `SELECT count(*)::INTEGER AS products, corr(carts, orders) AS correlation, count(*) FILTER (WHERE orders > carts)::INTEGER AS overCarted
           FROM (SELECT product_id, sum(carts)::DOUBLE AS carts, sum(orders)::DOUBLE AS orders FROM ${curated('product_day')} GROUP BY product_id)`,
      );
      assert.ok((funnel?.products ?? 0) >= 50, `${funnel?.products} products`);
      assert.ok((funnel?.correlation ?? 0) > 0.5, `carts and orders per product: correlation ${funnel?.correlation}`);
      assert.equal(funnel?.overCarted, 0, 'no product has more orders than carts');
    } finally {
      duck.close();
    }
  });
});
