import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { withDuckDb } from '@threadline/lake';
import { dateRange } from '@threadline/domain';

import { DATASET_KEYS, MONTH_DATASETS } from './datasets.js';
import { extractShop } from './extract-shop.js';
import { seedShop } from '../testing/shop-fixture.js';

const ZONE = 'America/New_York';
// two months, so `sales` is written in two runs side by side, and a month boundary inside the dates
const DATES = dateRange('2026-10-12', '2026-11-20');

/** The key a month file is sorted by after `dt` (`sales` by order, then line). */
const SORT_KEYS: Record<string, readonly string[]> = {
  sales: ['order_id', 'order_item_id'],
  sales_orders: ['order_id'],
  reviews: ['review_id'],
  product_day: ['product_id'],
};

let db: TestDatabase;
let dir: string;

before(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), 'tl-month-order-'));
  // 6,000 orders (about 12,000 lines, several DuckDB vectors per month), then the dates laid
  // against the ids: the highest order id is placed first, as after an import that kept the old system's ids
  await seedShop(db.pool, { users: 300, products: 40, orders: 6000, lastDate: '2026-11-20', days: DATES.length, timeZone: ZONE });
  await db.pool.query(`WITH span AS (SELECT min(id) AS lo, max(id) AS hi, min(placed_at) AS first, max(placed_at) AS last FROM orders)
                       UPDATE orders o SET placed_at = span.last - (span.last - span.first) * ((o.id - span.lo)::float8 / (span.hi - span.lo)) FROM span`);
  await db.pool.query(`UPDATE reviews r SET created_at = o.placed_at + interval '1 minute' FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.id = r.order_item_id`);
});

after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Rows of each month file of `dataset` that come after a row with a greater (dt, key): the files
 * must be sorted so readers prune row groups on `dt`, and two runs of the same data write the same
 * bytes. Read in file order (`file_row_number`), one file at a time.
 */
async function outOfOrder(root: string, dataset: string): Promise<{ rows: number; bad: number }> {
  const keys = SORT_KEYS[dataset] ?? DATASET_KEYS[dataset as keyof typeof DATASET_KEYS];
  return withDuckDb(async (duck) => {
    let rows = 0;
    let bad = 0;
    for (const month of readdirSync(path.join(root, dataset)).filter((name) => name.startsWith('month='))) {
      const file = path.join(root, dataset, month, 'part-0.parquet');
      const [row] = await duck.rows(
        `WITH numbered AS (SELECT file_row_number AS n, struct_pack(dt, ${keys.join(', ')}) AS k FROM read_parquet('${file}', file_row_number = true))
         SELECT count(*) AS rows, count(*) FILTER (WHERE b.k > a.k) AS bad FROM numbered a LEFT JOIN numbered b ON b.n = a.n - 1`,
      );
      rows += Number(row?.rows);
      bad += Number(row?.bad);
    }
    return { rows, bad };
  });
}

describe('month files are sorted by dt and key', () => {
  it('when the order ids run against the dates', async () => {
    const { rows } = await db.pool.query<{ against: boolean }>(
      `SELECT corr(id, extract(epoch FROM placed_at)) < -0.9 AS against FROM orders`,
    );
    assert.equal(rows[0]?.against, true, 'the fixture\'s order ids do not run against placed_at');
    const stagingDir = path.join(dir, 'staging');
    const result = await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake'), stagingDir, dates: DATES, timeZone: ZONE, pseudonymKey: 'k', salesWriteRuns: 2 });
    assert.deepEqual(result.datasets.find((item) => item.dataset === 'sales')?.partitions, ['month=2026-10', 'month=2026-11']);
    for (const dataset of MONTH_DATASETS) {
      const { rows: written, bad } = await outOfOrder(stagingDir, dataset);
      assert.ok(written > 1000, `${dataset}: only ${written} rows`);
      assert.equal(bad, 0, `${dataset}: ${bad} of ${written} rows out of (dt, key) order`);
    }
  });

  it('when a re-run of one day carries the month\'s other dates from the published files', async () => {
    const lakeDir = path.join(dir, 'lake-rerun');
    const first = path.join(dir, 'staging-first');
    await extractShop({ pool: db.pool, lakeDir, stagingDir: first, dates: DATES, timeZone: ZONE, pseudonymKey: 'k' });
    // publish by hand: the staged month folders become the curated ones
    for (const dataset of MONTH_DATASETS) cpSync(path.join(first, dataset), path.join(lakeDir, 'curated', dataset), { recursive: true });
    const rerun = path.join(dir, 'staging-rerun');
    const result = await extractShop({ pool: db.pool, lakeDir, stagingDir: rerun, dates: ['2026-11-10'], timeZone: ZONE, pseudonymKey: 'k' });
    const [sales] = result.datasets.filter((item) => item.dataset === 'sales');
    assert.deepEqual(sales?.partitions, ['month=2026-11']);
    for (const dataset of MONTH_DATASETS) {
      const before = await outOfOrder(first, dataset);
      const { rows: written, bad } = await outOfOrder(rerun, dataset);
      // the month's other dates came from the published file: November's rows, not only the day's
      assert.ok(written > 0 && written < before.rows, `${dataset}: ${written} rows re-staged of ${before.rows}`);
      assert.equal(bad, 0, `${dataset}: ${bad} of ${written} rows out of (dt, key) order after the re-run`);
    }
  });

  it('when a run rebuilds every day of a month over a published lake: the same file as a first build', async () => {
    const lakeDir = path.join(dir, 'lake-whole-month');
    const november = dateRange('2026-11-01', '2026-11-30');
    const first = path.join(dir, 'staging-november');
    await extractShop({ pool: db.pool, lakeDir, stagingDir: first, dates: november, timeZone: ZONE, pseudonymKey: 'k' });
    for (const dataset of MONTH_DATASETS) cpSync(path.join(first, dataset), path.join(lakeDir, 'curated', dataset), { recursive: true });
    const again = path.join(dir, 'staging-november-again');
    await extractShop({ pool: db.pool, lakeDir, stagingDir: again, dates: november, timeZone: ZONE, pseudonymKey: 'k' });
    for (const dataset of MONTH_DATASETS) {
      const file = (root: string): Buffer => readFileSync(path.join(root, dataset, 'month=2026-11', 'part-0.parquet'));
      // nothing of November is carried from the published file, so its rows keep the run's own
      // (enum) column types, as in the first build, instead of VARCHAR casts
      assert.ok(file(again).equals(file(first)), `${dataset}: November rebuilt whole over the lake differs from its first build`);
      assert.equal((await outOfOrder(again, dataset)).bad, 0, dataset);
    }
  });
});
