import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

import type { DuckDBConnection } from '@duckdb/node-api';

import { LakeError, readRows, sqlLiteral, datePartition, ZONE_DIRS } from '@threadline/lake';

import { DATASET_KEYS, type CuratedDataset } from './datasets.js';
import { pseudonymiseUserId } from './pseudonym.js';
import { buildSalesOrders } from './sales-orders.js';
import { EXTRACT_COLUMNS, type ExtractTable } from './shop-source.repo.js';
import type { StageTimer } from './stage-timer.js';

const PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880";

/** Loads one extract CSV into a DuckDB table with the declared column types. */
async function loadCsv(connection: DuckDBConnection, table: ExtractTable, file: string): Promise<void> {
  const columns = Object.entries(EXTRACT_COLUMNS[table])
    .map(([name, type]) => `${sqlLiteral(name)}: ${sqlLiteral(type)}`)
    .join(', ');
  // PostgreSQL's CSV writes NULL unquoted and '' quoted, so quoted empties stay empty strings
  await connection.run(
    `CREATE OR REPLACE TABLE x_${table} AS SELECT * FROM read_csv(${sqlLiteral(file)}, header = false, auto_detect = false,
       allow_quoted_nulls = false, columns = {${columns}})`,
  );
}

/**
 * Checks that `columns` are the key of `table`. Every join of the build goes to a table whose key
 * was checked, so no join can multiply rows; a duplicate fails here, naming the table and a few
 * offending keys, instead of surfacing later as a failed quality gate. One hash aggregate: a
 * unique (ART) index did the same several times slower and was never used for anything else.
 */
async function declareKey(connection: DuckDBConnection, table: string, columns: readonly string[]): Promise<void> {
  const list = columns.map((column) => `"${column}"`).join(', ');
  const samples = await readRows(connection, `SELECT ${list}, count(*) AS n FROM ${table} GROUP BY ${list} HAVING count(*) > 1 ORDER BY n DESC LIMIT 3`);
  if (samples.length === 0) return;
  const shown = samples.map((row) => `(${columns.map((column) => String(row[column])).join(', ')}) ×${String(row.n)}`).join('; ');
  throw new LakeError('DUPLICATE_KEY', `${table}: the key (${columns.join(', ')}) is not unique, e.g. ${shown}`);
}

/** The key of every extract table: each is a primary key (or a GROUP BY) in the shop database. */
const EXTRACT_KEYS: Record<ExtractTable, readonly string[]> = {
  orders: ['id'],
  order_items: ['id'],
  reviews: ['id'],
  users: ['id'],
  first_orders: ['user_id'],
  products: ['id'],
  variants: ['id'],
  categories: ['id'],
};

/** Customer keys are computed here in Node (the key never enters DuckDB or the lake). */
async function loadCustomerKeys(connection: DuckDBConnection, pseudonymKey: string): Promise<void> {
  await connection.run('CREATE OR REPLACE TABLE x_customer_keys (user_id BIGINT, customer_key VARCHAR)');
  // only customers who appear in this run's orders or reviews need a key
  const reader = await connection.runAndReadAll('SELECT user_id FROM x_orders WHERE user_id IS NOT NULL UNION SELECT user_id FROM x_reviews WHERE user_id IS NOT NULL');
  const appender = await connection.createAppender('x_customer_keys');
  for (const [id] of reader.getRowsJS()) {
    if (typeof id !== 'bigint') continue;
    appender.appendBigInt(id);
    appender.appendVarchar(pseudonymiseUserId(pseudonymKey, id.toString()));
    appender.endRow();
  }
  appender.closeSync();
  await declareKey(connection, 'x_customer_keys', ['user_id']);
}

/** Product views and add-to-carts per shop-day from the raw clickstream, when it exists. */
async function loadClickstreamCounts(connection: DuckDBConnection, lakeDir: string, dates: readonly string[], timeZone: string): Promise<boolean> {
  await connection.run('CREATE OR REPLACE TABLE x_clicks (dt DATE, product_id BIGINT, views BIGINT, carts BIGINT)');
  const root = path.join(lakeDir, ZONE_DIRS.raw, 'clickstream');
  if (!existsSync(root) || dates.length === 0) return false;
  const glob = path.join(root, '**', '*.parquet');
  let columns: string[];
  try {
    // the column names of one file (all are written by the same code): describing the whole glob
    // would read every one of the thousands of hour files' footers once more before the query
    const [sample] = await readRows(connection, `SELECT file FROM glob(${sqlLiteral(glob)}) LIMIT 1`);
    if (!sample) return false;
    columns = (await readRows(connection, `DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(String(sample.file))}, hive_partitioning = true)`)).map((row) =>
      String(row.column_name),
    );
  } catch {
    return false; // no files yet
  }
  const pick = (candidates: string[]): string | undefined => candidates.find((name) => columns.includes(name));
  const type = pick(['type', 'event_type']);
  const product = pick(['product_id', 'productId']);
  const ts = pick(['ts', 'event_time', 'occurred_at']);
  if (!type || !product || !ts) return false;
  const sorted = [...dates].sort();
  const first = sorted[0] ?? '';
  const last = sorted.at(-1) ?? '';
  // Counted per product and UTC quarter hour first (every zone's offset is a multiple of 15
  // minutes), so only a few thousand buckets go through the time-zone conversion instead of every
  // event. The grouping is explicit: a GROUP BY ALL with the hive column `dt` in HAVING once also
  // grouped by the UTC date and gave two rows for every shop day spanning two UTC dates.
  await connection.run(
    `INSERT INTO x_clicks
     SELECT shop_dt, product_id, sum(views), sum(carts)
       FROM (SELECT (to_timestamp(bucket * 900) AT TIME ZONE ${sqlLiteral(timeZone)})::DATE AS shop_dt, product_id, views, carts
               FROM (SELECT floor(epoch("${ts}"::TIMESTAMPTZ) / 900)::BIGINT AS bucket, TRY_CAST("${product}" AS BIGINT) AS product_id,
                            count(*) FILTER (WHERE "${type}" = 'product_view') AS views, count(*) FILTER (WHERE "${type}" = 'add_to_cart') AS carts
                       FROM read_parquet(${sqlLiteral(glob)}, hive_partitioning = true, union_by_name = true)
                      WHERE "${type}" IN ('product_view', 'add_to_cart') AND "${product}" IS NOT NULL
                        ${columns.includes('is_bot') ? 'AND NOT coalesce(is_bot, false)' : ''}
                        ${columns.includes('dt') ? `AND dt BETWEEN DATE ${sqlLiteral(first)} - 1 AND DATE ${sqlLiteral(last)} + 1` : ''}
                      GROUP BY bucket, product_id) per_bucket
              WHERE product_id IS NOT NULL) per_day
      WHERE shop_dt IN (SELECT unnest(${'[' + sorted.map((date) => `DATE ${sqlLiteral(date)}`).join(', ') + ']'}))
      GROUP BY shop_dt, product_id`,
  );
  await declareKey(connection, 'x_clicks', ['dt', 'product_id']);
  return true;
}

export interface BuildInput {
  connection: DuckDBConnection;
  /**
   * Opens another connection on the same DuckDB database: each dataset is written to Parquet on
   * its own connection while the next one is joined, so the per-file work of the 365 partitions
   * of one dataset overlaps the others'.
   */
  connect: () => Promise<DuckDBConnection>;
  lakeDir: string;
  /** Extract CSVs by table. */
  files: Record<ExtractTable, string>;
  /** Staging root of the run; datasets go to `<stagingDir>/<dataset>/dt=…/`. */
  stagingDir: string;
  dates: readonly string[];
  /** Partition date of the products snapshot (the shop date of the extract). */
  snapshotDate: string;
  timeZone: string;
  pseudonymKey: string;
  /** Receives the time of each load, join and write. */
  timer: StageTimer;
  onProgress?: (message: string) => void;
}

export interface BuiltDataset {
  dataset: CuratedDataset;
  rows: number;
  partitions: string[];
}

/**
 * Writes a table (or view) to Hive date partitions, plus an empty file for each date that had no
 * rows; returns the partitions and the number of rows written.
 */
async function writePartitioned(
  connection: DuckDBConnection,
  table: string,
  dir: string,
  dates: readonly string[],
  orderBy: string,
): Promise<{ partitions: string[]; rows: number }> {
  await mkdir(dir, { recursive: true });
  // COPY answers with the number of rows it wrote: no second pass over the data to count them
  const [written] = await readRows(
    connection,
    `COPY (SELECT * FROM ${table} ORDER BY dt, ${orderBy}) TO ${sqlLiteral(dir)} (${PARQUET_OPTIONS}, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true, FILENAME_PATTERN 'part-{i}')`,
  );
  // an empty day still replaces its old partition on rerun, so it needs a (zero-row) file
  for (const date of dates) {
    const partition = path.join(dir, datePartition(date));
    if (existsSync(partition)) continue;
    await mkdir(partition, { recursive: true });
    await connection.run(`COPY (SELECT * EXCLUDE (dt) FROM ${table} WHERE false) TO ${sqlLiteral(path.join(partition, 'part-0.parquet'))} (${PARQUET_OPTIONS})`);
  }
  const partitions = (await readdir(dir)).filter((name) => name.startsWith('dt=')).sort();
  return { partitions, rows: Number(written?.Count ?? 0) };
}

/**
 * Joins the narrow extracts into the analysis sets (inside DuckDB, which is several times faster
 * than joining in PostgreSQL and keeps the shop's database idle) and writes them to staging.
 */
export async function buildDatasets(input: BuildInput): Promise<BuiltDataset[]> {
  const { connection: db, timeZone, timer } = input;
  const started = performance.now();
  const progress = (message: string): void => input.onProgress?.(`${message} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  for (const [table, file] of Object.entries(input.files)) {
    // Object.entries loses the key type; the keys are exactly ExtractTable
    await timer.time(`load ${table}`, async () => {
      await loadCsv(db, table as ExtractTable, file);
      await declareKey(db, `x_${table}`, EXTRACT_KEYS[table as ExtractTable]);
    });
  }
  progress('extracts loaded into DuckDB');
  await timer.time('customer keys', () => loadCustomerKeys(db, input.pseudonymKey));
  progress('customer keys computed');
  const hasClicks = await timer.time('clickstream counts', () => loadClickstreamCounts(db, input.lakeDir, input.dates, timeZone));
  progress(hasClicks ? 'clickstream views and carts counted per product and day' : 'no clickstream yet: views and carts are 0');
  const zone = sqlLiteral(timeZone);
  const snapshotDate = `DATE ${sqlLiteral(input.snapshotDate)}`;

  await timer.time('join products', () => db.run(`CREATE OR REPLACE TABLE out_products AS
    SELECT ${snapshotDate} AS dt, p.id AS product_id, p.name AS product_name, p.status, p.category_id,
           c.slug AS category_slug, c.name AS category_name, pc.slug AS parent_category_slug,
           coalesce(v.variants, 0)::INTEGER AS variant_count, coalesce(v.stock, 0)::BIGINT AS stock_on_hand,
           v.min_price AS min_price_cents, v.max_price AS max_price_cents, p.created_at
      FROM x_products p
      LEFT JOIN x_categories c ON c.id = p.category_id
      LEFT JOIN x_categories pc ON pc.id = c.parent_id
      LEFT JOIN (SELECT product_id, count(*) AS variants, sum(stock) AS stock, min(price_cents) AS min_price, max(price_cents) AS max_price
                   FROM x_variants GROUP BY product_id) v ON v.product_id = p.id`));

  await timer.time('check keys', () => declareKey(db, 'out_products', ['product_id']));
  const writes = new DatasetWriter(input, progress);
  writes.start('products', 'out_products', [input.snapshotDate], 'product_id');
  try {
    // Sales and reviews are views: each is joined while it is sorted and written (one pass, no
    // materialised copy of three million wide rows), so their `write` stage includes the join. Both are keyed by construction: one row per
    // order line (per review), whose id is a checked key, joined only to tables with checked keys,
    // so no join can multiply rows; the quality gate checks the key again on the written files.
    await db.run(`CREATE OR REPLACE VIEW out_sales AS
      SELECT o.dt, i.id AS order_item_id, o.id AS order_id, o.placed_at, (o.placed_at AT TIME ZONE ${zone})::DATE AS placed_date,
             o.status, o.currency, o.source,
             k.customer_key, u.age_band, u.gender, u.country, u.region, u.customer_segment,
             o.ship_country, o.ship_region, o.ship_city, o.ship_postal_code, o.sales_territory, o.shipping_method,
             CASE WHEN o.user_id IS NULL THEN NULL ELSE f.first_placed_at < o.placed_at END AS is_returning,
             i.product_id, p.product_name, p.category_id, p.category_slug, p.category_name,
             i.variant_id, v.sku, v.size, v.colour, i.quantity, i.unit_price_cents,
             -- the amount of record: imported lines keep the old system's line total (after discount)
             i.line_total_cents
        FROM x_order_items i
        JOIN x_orders o ON o.id = i.order_id
        LEFT JOIN x_users u ON u.id = o.user_id
        LEFT JOIN x_customer_keys k ON k.user_id = o.user_id
        LEFT JOIN x_first_orders f ON f.user_id = o.user_id
        LEFT JOIN out_products p ON p.product_id = i.product_id
        LEFT JOIN x_variants v ON v.id = i.variant_id`);
    writes.start('sales', 'out_sales', input.dates, 'order_id, order_item_id');

    await db.run(`CREATE OR REPLACE VIEW out_reviews AS
      SELECT r.dt, r.id AS review_id, r.order_item_id, r.product_id, p.product_name, p.category_slug, r.rating,
             r.title, r.body, r.created_at, k.customer_key, u.age_band, u.gender, u.region
        FROM x_reviews r
        LEFT JOIN x_users u ON u.id = r.user_id
        LEFT JOIN x_customer_keys k ON k.user_id = r.user_id
        LEFT JOIN out_products p ON p.product_id = r.product_id`);
    writes.start('reviews', 'out_reviews', input.dates, 'review_id');
    // one row per sold order, for the segments dashboard's order and customer counts
    await timer.time('join sales_orders', () => buildSalesOrders(db));
    writes.start('sales_orders', 'out_sales_orders', input.dates, 'order_id');

    const dateList = `[${input.dates.map((date) => `DATE ${sqlLiteral(date)}`).join(', ')}]::DATE[]`;
    // One row per day and product: every product that existed that day, plus any product with sales
    // or views that day (legacy products can be older than their created_at). The UNION makes the
    // (dt, product_id) pairs unique; every join after it is on a declared key. Sales are counted
    // from the narrow order tables (the same inner join of lines to orders as `sales`), so this
    // runs beside the sales write instead of after it; orders per day and product are the distinct
    // orders, grouped in two steps (a DISTINCT aggregate is several times slower). A product's
    // creation date is converted to the shop's zone once per product, not once per product and day.
    await timer.time('join product_day', () => db.run(`CREATE OR REPLACE TABLE out_product_day AS
      WITH days AS (SELECT unnest(${dateList}) AS dt),
      product_dates AS (SELECT product_id, (created_at AT TIME ZONE ${zone})::DATE AS created_date FROM out_products),
      order_lines AS (SELECT o.dt, i.product_id, i.order_id, sum(i.quantity) AS units, sum(i.line_total_cents) AS revenue
                        FROM x_order_items i JOIN x_orders o ON o.id = i.order_id
                       WHERE o.status NOT IN ('cancelled', 'refunded') GROUP BY o.dt, i.product_id, i.order_id),
      sold AS (SELECT dt, product_id, count(*) AS orders, sum(units) AS units, sum(revenue) AS revenue FROM order_lines GROUP BY dt, product_id),
      product_days AS (
        SELECT d.dt, p.product_id FROM days d JOIN product_dates p ON p.created_date <= d.dt
        UNION SELECT dt, product_id FROM sold
        UNION SELECT dt, product_id FROM x_clicks)
      SELECT k.dt, p.product_id, p.product_name, p.category_slug,
             coalesce(c.views, 0)::BIGINT AS views, coalesce(c.carts, 0)::BIGINT AS carts,
             coalesce(s.orders, 0)::BIGINT AS orders, coalesce(s.units, 0)::BIGINT AS units_sold,
             coalesce(s.revenue, 0)::BIGINT AS revenue_cents, p.stock_on_hand,
             CASE WHEN coalesce(s.units, 0) + p.stock_on_hand = 0 THEN NULL
                  ELSE coalesce(s.units, 0) / (coalesce(s.units, 0) + p.stock_on_hand) END AS sell_through,
             CASE WHEN coalesce(c.views, 0) = 0 THEN NULL ELSE coalesce(s.orders, 0) / c.views END AS view_to_order,
             ${hasClicks ? 'true' : 'false'} AS has_clickstream
        FROM product_days k
        JOIN out_products p ON p.product_id = k.product_id
        LEFT JOIN sold s ON s.dt = k.dt AND s.product_id = k.product_id
        LEFT JOIN x_clicks c ON c.dt = k.dt AND c.product_id = k.product_id`));

    await timer.time('check keys', () => declareKey(db, 'out_product_day', DATASET_KEYS.product_day));
    progress('analysis sets joined');
    writes.start('product_day', 'out_product_day', input.dates, 'product_id');
    return await writes.finish();
  } catch (error) {
    // the database closes after this: no write may still be running on it
    await writes.drain();
    throw error;
  }
}

/**
 * Writes finished tables to staging, each on its own DuckDB connection, while the caller goes on
 * joining the next table. `finish` waits for every write, and reports the first failure only
 * after all have stopped (the database must not close under a running write).
 */
class DatasetWriter {
  readonly #input: BuildInput;
  readonly #progress: (message: string) => void;
  readonly #writes: Array<Promise<BuiltDataset>> = [];

  constructor(input: BuildInput, progress: (message: string) => void) {
    this.#input = input;
    this.#progress = progress;
  }

  start(dataset: CuratedDataset, table: string, dates: readonly string[], orderBy: string): void {
    const write = async (): Promise<BuiltDataset> => {
      const connection = await this.#input.connect();
      try {
        const { partitions, rows } = await this.#input.timer.time(`write ${dataset}`, () =>
          writePartitioned(connection, table, path.join(this.#input.stagingDir, dataset), dates, orderBy),
        );
        this.#progress(`${dataset}: ${partitions.length} partition(s) written`);
        return { dataset, rows, partitions };
      } finally {
        connection.closeSync();
      }
    };
    this.#writes.push(write());
  }

  /** Waits until no write runs any more, whatever their outcome. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.#writes);
  }

  async finish(): Promise<BuiltDataset[]> {
    const settled = await Promise.allSettled(this.#writes);
    const failed = settled.find((item): item is PromiseRejectedResult => item.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.flatMap((item) => (item.status === 'fulfilled' ? [item.value] : []));
  }
}