import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { withDuckDb, ZONE_DIRS } from '@threadline/lake';

import { runQualityGate } from '../quality/gate.js';
import { DATASET_RULES } from './datasets.js';
import { extractShop } from './extract-shop.js';
import { seedShop } from '../testing/shop-fixture.js';

// The build carries low-cardinality text as DuckDB ENUM types (text-types.ts); what it writes must
// read exactly as before: VARCHAR columns (BYTE_ARRAY / UTF8 in Parquet), the shop's values, NULLs kept.

const ZONE = 'America/New_York';
const DATES = ['2026-11-18', '2026-11-19', '2026-11-20'];

/** The text columns of each dataset, as readers get them (everything else is a number, date, timestamp or boolean). */
const TEXT_COLUMNS: Record<string, Record<string, string>> = {
  sales: Object.fromEntries(
    [
      'status', 'currency', 'source', 'customer_key', 'age_band', 'gender', 'country', 'region', 'customer_segment', 'ship_country', 'ship_region', 'ship_city',
      'ship_postal_code', 'sales_territory', 'shipping_method', 'product_name', 'category_slug', 'category_name', 'sku', 'size', 'colour',
    ].map((column) => [column, 'VARCHAR']),
  ),
  sales_orders: {
    customer_key: 'VARCHAR', age_band: 'VARCHAR', gender: 'VARCHAR', region: 'VARCHAR', ship_country: 'VARCHAR', ship_region: 'VARCHAR', sales_territory: 'VARCHAR',
    category_slugs: 'VARCHAR[]',
  },
  reviews: Object.fromEntries(['product_name', 'category_slug', 'title', 'body', 'customer_key', 'age_band', 'gender', 'region'].map((column) => [column, 'VARCHAR'])),
  product_day: { product_name: 'VARCHAR', category_slug: 'VARCHAR' },
  products: Object.fromEntries(['product_name', 'status', 'category_slug', 'category_name', 'parent_category_slug'].map((column) => [column, 'VARCHAR'])),
};
const NOT_TEXT = new Set(['BIGINT', 'INTEGER', 'SMALLINT', 'DOUBLE', 'DATE', 'TIMESTAMP WITH TIME ZONE', 'BOOLEAN']);

let db: TestDatabase;
let dir: string;

before(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), 'tl-text-types-'));
  await seedShop(db.pool, { users: 40, products: 12, orders: 300, lastDate: '2026-11-20', days: 3, timeZone: ZONE });
  // ship-to and labels on some orders (NULL on the others), a quote in a category name, a parent category;
  await db.pool.query(
    `UPDATE orders SET ship_country = (ARRAY['US', 'DE'])[1 + id % 2], ship_region = 'Region ' || (id % 5), ship_city = 'City ' || (id % 7),
                       ship_postal_code = lpad((id % 11)::text, 5, '0'), shipping_method = 'standard',
                       -- labels the quality gate flags (empty, untrimmed) must reach it as they are
                       sales_territory = (ARRAY['Central', '', ' Central '])[1 + (id / 3) % 3]
      WHERE id % 3 = 0`,
  );
  await db.pool.query(`UPDATE categories SET name = 'Women''s tops' WHERE slug = 'tops'`);
  await db.pool.query(`UPDATE categories SET parent_id = (SELECT id FROM categories WHERE slug = 'tops') WHERE slug = 'dresses'`);
});

after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const filesOf = (root: string, dataset: string): string => path.join(root, dataset, '*', '*.parquet');

describe('text columns carried as enums', () => {
  it('writes every text column as a plain UTF8 string column that reads back as VARCHAR', async () => {
    const stagingDir = path.join(dir, 'staging-schema');
    await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake-schema'), stagingDir, dates: DATES, timeZone: ZONE, pseudonymKey: 'k' });
    await withDuckDb(async (duck) => {
      for (const [dataset, expected] of Object.entries(TEXT_COLUMNS)) {
        const described = await duck.rows(`DESCRIBE SELECT * FROM read_parquet('${filesOf(stagingDir, dataset)}', hive_partitioning = false)`);
        const text = Object.fromEntries(described.filter((row) => !NOT_TEXT.has(String(row.column_type))).map((row) => [String(row.column_name), String(row.column_type)]));
        assert.deepEqual(text, expected, `${dataset}: the columns that are not numbers, dates or booleans`);
        // in the files themselves: byte arrays marked UTF8, no Parquet ENUM or other logical type
        const leaves = await duck.rows(
          `SELECT DISTINCT name, type, converted_type, logical_type FROM parquet_schema('${filesOf(stagingDir, dataset)}') WHERE type = 'BYTE_ARRAY'`,
        );
        assert.ok(leaves.length >= Object.keys(expected).length, `${dataset}: ${leaves.length} string columns`);
        for (const leaf of leaves) assert.deepEqual([leaf.converted_type, leaf.logical_type], ['UTF8', null], `${dataset}.${String(leaf.name)}`);
      }
    });
  });

  it('writes the shop\'s values and NULLs into the text columns of sales and products', async () => {
    const stagingDir = path.join(dir, 'staging-values');
    await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake-values'), stagingDir, dates: DATES, timeZone: ZONE, pseudonymKey: 'k' });
    const shopSales = await db.pool.query<Record<string, string | null>>(
      `SELECT i.id::text AS order_item_id, o.status::text AS status, o.currency::text AS currency, o.source::text AS source,
              u.age_band::text AS age_band, u.gender::text AS gender, u.country::text AS country, u.region::text AS region, u.customer_segment::text AS customer_segment,
              o.ship_country::text AS ship_country, o.ship_region, o.ship_city, o.ship_postal_code, o.sales_territory, o.shipping_method,
              p.name AS product_name, c.slug AS category_slug, c.name AS category_name, v.sku, v.size, v.colour
         FROM order_items i JOIN orders o ON o.id = i.order_id LEFT JOIN users u ON u.id = o.user_id
         LEFT JOIN products p ON p.id = i.product_id LEFT JOIN categories c ON c.id = p.category_id LEFT JOIN product_variants v ON v.id = i.variant_id
        ORDER BY i.id`,
    );
    const shopProducts = await db.pool.query<Record<string, string | null>>(
      `SELECT p.id::text AS product_id, p.name AS product_name, p.status::text AS status, c.slug AS category_slug, c.name AS category_name, pc.slug AS parent_category_slug
         FROM products p LEFT JOIN categories c ON c.id = p.category_id LEFT JOIN categories pc ON pc.id = c.parent_id ORDER BY p.id`,
    );
    await withDuckDb(async (duck) => {
      const columns = Object.keys(shopSales.rows[0] ?? {}).filter((column) => column !== 'order_item_id');
      const staged = await duck.rows(
        `SELECT order_item_id::VARCHAR AS order_item_id, ${columns.join(', ')} FROM read_parquet('${filesOf(stagingDir, 'sales')}', hive_partitioning = false) s ORDER BY s.order_item_id`,
      );
      assert.equal(staged.length, 600);
      assert.deepEqual(staged, shopSales.rows);
      // the fixture exercises both: set and NULL ship-to, a quote in a value, a parent category
      assert.ok(staged.some((row) => row.ship_city === null) && staged.some((row) => row.ship_city !== null));
      assert.ok(staged.some((row) => row.category_name === "Women's tops"));
      assert.deepEqual([...new Set(staged.map((row) => row.sales_territory))].sort(), ['', ' Central ', 'Central', null]);
      const products = await duck.rows(
        `SELECT product_id::VARCHAR AS product_id, product_name, status, category_slug, category_name, parent_category_slug
           FROM read_parquet('${filesOf(stagingDir, 'products')}', hive_partitioning = false) p ORDER BY p.product_id`,
      );
      assert.deepEqual(products, shopProducts.rows);
      assert.ok(products.some((row) => row.parent_category_slug === 'tops'));
    });
    // the quality gate reads those columns as before: the empty and untrimmed labels fail their
    // rule (one bad row per line), the statuses pass theirs
    const results = await runQualityGate({
      datasets: (['sales', 'products'] as const).map((dataset) => ({ dataset, globs: [filesOf(stagingDir, dataset)], rules: DATASET_RULES[dataset] })),
      asOf: new Date('2026-11-21T12:00:00Z'),
    });
    const badLabels = shopSales.rows.filter((row) => row.sales_territory === '' || row.sales_territory === ' Central ').length;
    assert.ok(badLabels > 0);
    const failed = results.filter((result) => !result.passed && result.severity === 'error');
    assert.deepEqual(failed.map((result) => [result.dataset, result.name, result.observed]), [['sales', 'sales-territory-label', String(badLabels)]]);
    assert.ok(results.some((result) => result.type === 'allowedValues' && result.passed), 'no allowed-values rule was checked');
  });

  it('rewrites a month whose published rows hold values this run has none of (an old status, a retired category)', async () => {
    const lakeDir = path.join(dir, 'lake-rerun');
    const first = path.join(dir, 'staging-first');
    await extractShop({ pool: db.pool, lakeDir, stagingDir: first, dates: DATES, timeZone: ZONE, pseudonymKey: 'k' });
    // "published" November: the first run's files, with the 18th's rows carrying values the shop no longer has
    const curated = path.join(lakeDir, ZONE_DIRS.curated);
    const changes: Record<string, string> = {
      sales: `* REPLACE ('on_hold' AS status, 'retired-category' AS category_slug, 'XXS' AS size)`,
      sales_orders: `* REPLACE (['retired-category'] AS category_slugs, 'Old territory' AS sales_territory)`,
      reviews: `* REPLACE ('retired-category' AS category_slug)`,
      product_day: `* REPLACE ('Retired product' AS product_name)`,
    };
    await withDuckDb(async (duck) => {
      for (const [dataset, change] of Object.entries(changes)) {
        const target = path.join(curated, dataset, 'month=2026-11');
        mkdirSync(target, { recursive: true });
        await duck.run(
          `COPY (SELECT ${change} FROM read_parquet('${filesOf(first, dataset)}', hive_partitioning = false) WHERE dt = DATE '2026-11-18'
                 UNION ALL SELECT * FROM read_parquet('${filesOf(first, dataset)}', hive_partitioning = false) WHERE dt <> DATE '2026-11-18'
                 ORDER BY ALL)
             TO '${path.join(target, 'part-0.parquet')}' (FORMAT parquet)`,
        );
      }
    });
    const rerun = path.join(dir, 'staging-rerun');
    const result = await extractShop({ pool: db.pool, lakeDir, stagingDir: rerun, dates: ['2026-11-19'], timeZone: ZONE, pseudonymKey: 'k' });
    assert.deepEqual(
      result.datasets.filter((item) => item.dataset === 'sales').map((item) => [item.rows, item.partitions]),
      [[600, ['month=2026-11']]],
    );
    await withDuckDb(async (duck) => {
      const read = (root: string, dataset: string): string => `read_parquet('${filesOf(root, dataset)}', hive_partitioning = false)`;
      const [sales] = await duck.rows(
        `SELECT count(*) FILTER (WHERE status = 'on_hold' AND category_slug = 'retired-category' AND size = 'XXS') AS kept,
                count(*) FILTER (WHERE dt = DATE '2026-11-18') AS old_day, count(*) AS n FROM ${read(rerun, 'sales')}`,
      );
      assert.deepEqual(sales, { kept: 200, old_day: 200, n: 600 });
      const [orders] = await duck.rows(
        `SELECT count(*) FILTER (WHERE category_slugs = ['retired-category'] AND sales_territory = 'Old territory') AS kept,
                count(*) FILTER (WHERE dt = DATE '2026-11-18') AS old_day FROM ${read(rerun, 'sales_orders')}`,
      );
      assert.ok(orders && orders.kept === orders.old_day && Number(orders.kept) > 0, `sales_orders: ${JSON.stringify(orders)}`);
      const [others] = await duck.rows(
        `SELECT (SELECT count(*) FILTER (WHERE category_slug = 'retired-category') = count(*) FILTER (WHERE dt = DATE '2026-11-18') FROM ${read(rerun, 'reviews')}) AS reviews,
                (SELECT count(*) FILTER (WHERE product_name = 'Retired product') = count(*) FILTER (WHERE dt = DATE '2026-11-18') FROM ${read(rerun, 'product_day')}) AS product_day`,
      );
      assert.deepEqual(others, { reviews: true, product_day: true });
      // the rebuilt day is the first run's, value for value; the columns are still plain strings
      for (const dataset of Object.keys(changes)) {
        const [diff] = await duck.rows(
          `SELECT (SELECT count(*) FROM (SELECT * FROM ${read(first, dataset)} WHERE dt = DATE '2026-11-19' EXCEPT ALL SELECT * FROM ${read(rerun, dataset)} WHERE dt = DATE '2026-11-19')) AS missing,
                  (SELECT count(*) FROM (SELECT * FROM ${read(rerun, dataset)} WHERE dt = DATE '2026-11-19' EXCEPT ALL SELECT * FROM ${read(first, dataset)} WHERE dt = DATE '2026-11-19')) AS extra`,
        );
        assert.deepEqual(diff, { missing: 0, extra: 0 }, dataset);
        const described = await duck.rows(`DESCRIBE SELECT * FROM ${read(rerun, dataset)}`);
        const text = Object.fromEntries(described.filter((row) => !NOT_TEXT.has(String(row.column_type))).map((row) => [String(row.column_name), String(row.column_type)]));
        assert.deepEqual(text, TEXT_COLUMNS[dataset], dataset);
      }
    });
  });
});
