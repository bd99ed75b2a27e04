import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';

/**
 * A small lake with hand-made curated datasets whose figures are worked out by hand in
 * the comments of `insights.test.ts`: ties in a ranking, a segment of one customer, reviews
 * without text, an empty April. Written as Hive-partitioned Parquet exactly like the pipeline:
 * `layout: 'month'` writes the date datasets as the nightly run does now (`month=YYYY-MM` folders,
 * `dt` a sorted column in the file), `'day'` (the default) as it did before (`dt=` folders).
 */
export async function writeFixtureLake(
  dataDir: string = mkdtempSync(path.join(tmpdir(), 'insights-lake-')),
  options: { layout?: 'day' | 'month' } = {},
): Promise<string> {
  const curated = path.join(dataDir, 'lake', 'curated');
  const survey = path.join(dataDir, 'lake', 'raw', 'survey');
  mkdirSync(curated, { recursive: true });
  mkdirSync(survey, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const copy = async (select: string, dir: string, partition: string): Promise<void> => {
    const byMonth = options.layout === 'month' && partition === 'dt' && !dir.endsWith(`${path.sep}products`);
    const rows = byMonth ? `SELECT *, strftime(dt, '%Y-%m') AS month FROM (${select}) ORDER BY dt` : select;
    await db.run(`COPY (${rows}) TO '${dir}' (FORMAT parquet, PARTITION_BY (${byMonth ? 'month' : partition}), OVERWRITE_OR_IGNORE true)`);
  };
  await copy(
    `SELECT placed_date AS dt, * FROM (VALUES
      (100, 10, TIMESTAMPTZ '2026-03-01 15:00:00+00', DATE '2026-03-01', 'delivered', 'shop', 'k1', '25-34', 'female', 'US', 'north_america', false, 1, 'Linen Shirt', 'shirts', 'Shirts', 2, 3000),
      (101, 10, TIMESTAMPTZ '2026-03-01 15:00:00+00', DATE '2026-03-01', 'delivered', 'shop', 'k1', '25-34', 'female', 'US', 'north_america', false, 2, 'Denim Jacket', 'jackets', 'Jackets', 1, 9000),
      (110, 11, TIMESTAMPTZ '2026-03-02 15:00:00+00', DATE '2026-03-02', 'delivered', 'shop', 'k3', '25-34', 'female', 'CA', 'north_america', false, 2, 'Denim Jacket', 'jackets', 'Jackets', 2, 9000),
      (120, 12, TIMESTAMPTZ '2026-03-02 16:00:00+00', DATE '2026-03-02', 'paid', 'shop', 'k2', '35-44', 'male', 'DE', 'europe', false, 3, 'Wool Scarf', 'accessories', 'Accessories', 1, 2000),
      (130, 13, TIMESTAMPTZ '2026-03-03 16:00:00+00', DATE '2026-03-03', 'cancelled', 'shop', 'k2', '35-44', 'male', 'DE', 'europe', true, 1, 'Linen Shirt', 'shirts', 'Shirts', 5, 3000),
      (140, 14, TIMESTAMPTZ '2026-03-05 16:00:00+00', DATE '2026-03-05', 'shipped', 'shop', 'k4', '65+', 'male', 'BR', 'south_america', false, 3, 'Wool Scarf', 'accessories', 'Accessories', 1, 2000),
      (150, 15, TIMESTAMPTZ '2026-03-05 17:00:00+00', DATE '2026-03-05', 'delivered', 'shop', 'k1', '25-34', 'female', 'US', 'north_america', true, 1, 'Linen Shirt', 'shirts', 'Shirts', 1, 3000),
      (160, 16, TIMESTAMPTZ '2026-03-06 17:00:00+00', DATE '2026-03-06', 'delivered', 'shop', 'k2', '35-44', 'male', 'DE', 'europe', true, 1, 'Linen Shirt', 'shirts', 'Shirts', 1, 2000)
    ) AS t(order_item_id, order_id, placed_at, placed_date, status, source, customer_key, age_band, gender, country, region,
           is_returning, product_id, product_name, category_slug, category_name, quantity, unit_price_cents)`
      .replace(
        'SELECT placed_date AS dt, *',
        // ship-to geography: the customer's country and a region, except order 16 (no address) and Brazil (no region)
        `SELECT placed_date AS dt, *, quantity * unit_price_cents AS line_total_cents,
                CASE WHEN order_id = 16 THEN NULL ELSE country END AS ship_country,
                CASE WHEN order_id = 16 THEN NULL WHEN country = 'US' THEN 'NY' WHEN country = 'CA' THEN 'ON' WHEN country = 'DE' THEN 'Berlin' END AS ship_region,
                -- a legacy import's own sales territory: on the North American orders only
                CASE WHEN country = 'US' THEN 'East' WHEN country = 'CA' THEN 'Central' END AS sales_territory`,
      ),
    path.join(curated, 'sales'),
    'dt',
  );
  await copy(
    `SELECT * FROM (VALUES
      (DATE '2026-03-01', 1, 'Linen Shirt', 'shirts', 50, 5, 1), (DATE '2026-03-02', 1, 'Linen Shirt', 'shirts', 50, 5, 0),
      (DATE '2026-03-01', 2, 'Denim Jacket', 'jackets', 40, 8, 2), (DATE '2026-03-01', 3, 'Wool Scarf', 'accessories', 0, 0, 0)
    ) AS t(dt, product_id, product_name, category_slug, views, carts, orders)`,
    path.join(curated, 'product_day'),
    'dt',
  );
  await copy(
    `SELECT * FROM (VALUES
      (DATE '2026-03-07', 1, 'Linen Shirt', 'shirts', 'Shirts', 6),
      (DATE '2026-03-07', 2, 'Denim Jacket', 'jackets', 'Jackets', 0),
      (DATE '2026-03-07', 3, 'Wool Scarf', 'accessories', 'Accessories', 18)
    ) AS t(dt, product_id, product_name, category_slug, category_name, stock_on_hand)`,
    path.join(curated, 'products'),
    'dt',
  );
  await copy(
    `SELECT * FROM (VALUES
      (DATE '2026-03-02', 1, 1, 'Linen Shirt', 'shirts', 5, 'Lovely', 'Soft linen, fits true to size'),
      (DATE '2026-03-03', 2, 1, 'Linen Shirt', 'shirts', 4, NULL, NULL),
      (DATE '2026-03-04', 3, 2, 'Denim Jacket', 'jackets', 1, 'Zip broke', 'The zip broke and the seams are loose'),
      (DATE '2026-03-05', 4, 2, 'Denim Jacket', 'jackets', 2, NULL, 'Zip stuck, seams fraying, poor zip'),
      (DATE '2026-03-05', 5, 2, 'Denim Jacket', 'jackets', 3, 'Okay', NULL),
      (DATE '2026-03-06', 6, 3, 'Wool Scarf', 'accessories', 5, NULL, NULL)
    ) AS t(dt, review_id, product_id, product_name, category_slug, rating, title, body)`,
    path.join(curated, 'reviews'),
    'dt',
  );
  await copy(
    `SELECT * FROM (VALUES
      (DATE '2026-03-10', DATE '2026-03-01', '25-34', 'female', 'north_america', 'tv', 'Saw the TV spot during the game'),
      (DATE '2026-03-10', DATE '2026-03-02', '25-34', 'male', 'north_america', 'tv', ''),
      (DATE '2026-03-10', DATE '2026-03-03', '35-44', 'female', 'europe', 'outdoor_billboard', 'Billboard near the station'),
      (DATE '2026-03-10', DATE '2026-03-04', '65+', 'male', 'south_america', 'radio', NULL),
      (DATE '2026-04-02', DATE '2026-03-20', '25-34', 'female', 'north_america', 'social_media', 'Instagram'),
      (DATE '2026-04-02', DATE '2026-03-28', '35-44', 'female', 'europe', 'tv', NULL),
      (DATE '2026-04-02', DATE '2026-04-01', '25-34', 'female', 'north_america', 'flyer', 'Flyer in my mailbox')
    ) AS t(upload_date, response_date, age_band, gender, region, channel, free_text)`,
    survey,
    'upload_date',
  );
  db.closeSync();
  instance.closeSync();
  return dataDir;
}
