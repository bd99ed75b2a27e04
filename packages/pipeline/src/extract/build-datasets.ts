import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';

import type { DuckDBConnection } from '@duckdb/node-api';

import { readRows, sqlLiteral, datePartition } from '@threadline/lake';

import { DATASET_KEYS, type CuratedDataset } from './datasets.js';
import { declareKey } from './load-extracts.js';
import { defineSalesOrders } from './sales-orders.js';
import type { StageTimer } from './stage-timer.js';

const PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880";

/** How many statements write `sales` side by side by default: one per core (each statement runs on one DuckDB thread), at most 4. */
export const SALES_WRITE_RUNS = Math.max(1, Math.min(4, availableParallelism()));

export interface BuildInput {
  connection: DuckDBConnection;
  /**
   * Opens another connection on the same DuckDB database: each dataset is written to Parquet on
   * its own connection while the next one is joined, so the per-file work of the 365 partitions
   * of one dataset overlaps the others'.
   */
  connect: () => Promise<DuckDBConnection>;
  /** Staging root of the run; datasets go to `<stagingDir>/<dataset>/dt=…/`. */
  stagingDir: string;
  dates: readonly string[];
  /** Partition date of the products snapshot (the shop date of the extract). */
  snapshotDate: string;
  timeZone: string;
  /** Whether `x_clicks` holds clickstream counts (else views and carts are 0 and flagged so). */
  hasClicks: boolean;
  /** Receives the time of each join and write. */
  timer: StageTimer;
  /** How many runs of dates `sales` is written in, side by side (default `SALES_WRITE_RUNS`). */
  salesWriteRuns?: number;
  onProgress?: (message: string) => void;
}

export interface BuiltDataset {
  dataset: CuratedDataset;
  rows: number;
  partitions: string[];
}

/**
 * Cuts the sorted `dates` into at most `parts` runs of consecutive dates holding about the same
 * number of rows each (`rowsPerDate`; a date without rows weighs nothing), so each run can be
 * sorted and written by its own statement.
 */
export function splitDates(dates: readonly string[], rowsPerDate: ReadonlyMap<string, number>, parts: number): string[][] {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`salesWriteRuns: expected a whole number of at least 1, got ${parts}`);
  const sorted = [...new Set(dates)].sort();
  const total = sorted.reduce((sum, date) => sum + (rowsPerDate.get(date) ?? 0), 0);
  // nothing to share out: one statement writes the (empty) dates
  if (total === 0) return sorted.length === 0 ? [] : [sorted];
  const runs: string[][] = [];
  let current: string[] = [];
  let done = 0;
  for (const date of sorted) {
    current.push(date);
    done += rowsPerDate.get(date) ?? 0;
    // close the run once it reaches its share of the rows, keeping dates for the runs still to come
    if (runs.length < parts - 1 && done >= (total * (runs.length + 1)) / parts) {
      runs.push(current);
      current = [];
    }
  }
  if (current.length > 0 || runs.length === 0) runs.push(current);
  return runs.filter((run) => run.length > 0);
}

/**
 * Writes a table (or view) to Hive date partitions, plus an empty file for each date that had no
 * rows; returns the partitions and the number of rows written. `runs` (runs of consecutive dates
 * covering every row) are sorted and written by one statement each, on their own connections at
 * the same time: one partitioned COPY with ORDER BY keeps about one core busy, so a large dataset
 * in two runs is written in about half the wall time for the same CPU. The runs hold different
 * dates, so they never write the same partition.
 */
async function writePartitioned(
  connections: readonly DuckDBConnection[],
  table: string,
  dir: string,
  dates: readonly string[],
  runs: ReadonlyArray<readonly string[]>,
  orderBy: string,
  timePart: (part: number, write: () => Promise<number>) => Promise<number>,
): Promise<{ partitions: string[]; rows: number }> {
  await mkdir(dir, { recursive: true });
  const [first] = connections;
  if (!first || connections.length < runs.length) throw new Error(`${table}: ${runs.length} run(s) of dates but ${connections.length} connection(s)`);
  const counts = await Promise.all(
    runs.map((run, index) =>
      timePart(index, async () => {
        const connection = connections[index] ?? first;
        const from = run[0];
        const to = run.at(-1);
        // every row's date is one of the run's dates or another run's, so a range picks the run's rows
        const where = runs.length > 1 && from && to ? ` WHERE dt BETWEEN DATE ${sqlLiteral(from)} AND DATE ${sqlLiteral(to)}` : '';
        // COPY answers with the number of rows it wrote: no second pass over the data to count them
        const [written] = await readRows(
          connection,
          `COPY (SELECT * FROM ${table}${where} ORDER BY dt, ${orderBy}) TO ${sqlLiteral(dir)} (${PARQUET_OPTIONS}, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true, FILENAME_PATTERN 'part-{i}')`,
        );
        return Number(written?.Count ?? 0);
      }),
    ),
  );
  // an empty day still replaces its old partition on rerun, so it needs a (zero-row) file
  for (const date of dates) {
    const partition = path.join(dir, datePartition(date));
    if (existsSync(partition)) continue;
    await mkdir(partition, { recursive: true });
    await first.run(`COPY (SELECT * EXCLUDE (dt) FROM ${table} WHERE false) TO ${sqlLiteral(path.join(partition, 'part-0.parquet'))} (${PARQUET_OPTIONS})`);
  }
  const partitions = (await readdir(dir)).filter((name) => name.startsWith('dt=')).sort();
  return { partitions, rows: counts.reduce((sum, count) => sum + count, 0) };
}

/**
 * Joins the narrow extracts (loaded by `ExtractLoader`) into the analysis sets (inside DuckDB, which is several times faster
 * than joining in PostgreSQL and keeps the shop's database idle) and writes them to staging.
 */
export async function buildDatasets(input: BuildInput): Promise<BuiltDataset[]> {
  const { connection: db, timeZone, timer } = input;
  const started = performance.now();
  const progress = (message: string): void => input.onProgress?.(`${message} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  const { hasClicks } = input;
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
    await db.run(`CREATE OR REPLACE VIEW out_reviews AS
      SELECT r.dt, r.id AS review_id, r.order_item_id, r.product_id, p.product_name, p.category_slug, r.rating,
             r.title, r.body, r.created_at, k.customer_key, u.age_band, u.gender, u.region
        FROM x_reviews r
        LEFT JOIN x_users u ON u.id = r.user_id
        LEFT JOIN x_customer_keys k ON k.user_id = r.user_id
        LEFT JOIN out_products p ON p.product_id = r.product_id`);
    writes.start('reviews', 'out_reviews', input.dates, 'review_id');

    // Everything a sales line takes from its order and customer, joined once per order (a million
    // rows) instead of once per line (three million) — and once more per line for sales_orders,
    // which is rolled up from the sales view. Three customer lookups and the shop-date conversion
    // leave the per-line join (the build's CPU for 1M orders: median 18.1 s before, 16.3 s after,
    // this table's 0.9 s included; five pairs on a noisy, shared machine). Keyed by construction:
    // one row per order (a checked key), joined only to tables whose keys were checked.
    // `placed_date` is the order's `dt`: both are the shop date of `placed_at`, which the orders'
    // COPY already computed in PostgreSQL; converting it again here took a million ICU time-zone
    // conversions (about 0.3 s of CPU per million orders).
    await timer.time('join order facts', () => db.run(`CREATE OR REPLACE TABLE x_order_facts AS
      SELECT o.dt, o.id AS order_id, o.placed_at, o.dt AS placed_date,
             o.status, o.currency, o.source,
             k.customer_key, u.age_band, u.gender, u.country, u.region, u.customer_segment,
             o.ship_country, o.ship_region, o.ship_city, o.ship_postal_code, o.sales_territory, o.shipping_method,
             CASE WHEN o.user_id IS NULL THEN NULL ELSE f.first_placed_at < o.placed_at END AS is_returning
        FROM x_orders o
        LEFT JOIN x_users u ON u.id = o.user_id
        LEFT JOIN x_customer_keys k ON k.user_id = o.user_id
        LEFT JOIN x_first_orders f ON f.user_id = o.user_id`));
    await db.run(`CREATE OR REPLACE VIEW out_sales AS
      SELECT o.dt, i.id AS order_item_id, o.order_id, o.placed_at, o.placed_date,
             o.status, o.currency, o.source,
             o.customer_key, o.age_band, o.gender, o.country, o.region, o.customer_segment,
             o.ship_country, o.ship_region, o.ship_city, o.ship_postal_code, o.sales_territory, o.shipping_method,
             o.is_returning,
             i.product_id, p.product_name, p.category_id, p.category_slug, p.category_name,
             i.variant_id, v.sku, v.size, v.colour, i.quantity, i.unit_price_cents,
             -- the amount of record: imported lines keep the old system's line total (after discount)
             i.line_total_cents
        FROM x_order_items i
        JOIN x_order_facts o ON o.order_id = i.order_id
        LEFT JOIN out_products p ON p.product_id = i.product_id
        LEFT JOIN x_variants v ON v.id = i.variant_id`);
    // the longest write (a row per order line, 33 columns): sorted and written in runs of dates
    // holding about the same number of orders, one per core, on parallel connections
    const ordersPerDate = new Map(
      (await readRows(db, 'SELECT dt::VARCHAR AS dt, count(*) AS n FROM x_orders GROUP BY dt')).map((row) => [String(row.dt), Number(row.n)]),
    );
    writes.start('sales', 'out_sales', input.dates, 'order_id, order_item_id', splitDates(input.dates, ordersPerDate, input.salesWriteRuns ?? SALES_WRITE_RUNS));
    // one row per sold order, for the segments dashboard's order and customer counts
    await defineSalesOrders(db);
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

  /**
   * Starts writing `table` as `dataset`; with `runs`, each run of dates is sorted and written on its
   * own connection (see `writePartitioned`), timed as `write <dataset> (part i of n)`.
   */
  start(dataset: CuratedDataset, table: string, dates: readonly string[], orderBy: string, runs: ReadonlyArray<readonly string[]> = [dates]): void {
    const write = async (): Promise<BuiltDataset> => {
      const connections: DuckDBConnection[] = [];
      try {
        for (let index = 0; index < Math.max(1, runs.length); index += 1) connections.push(await this.#input.connect());
        const timePart = (part: number, run: () => Promise<number>): Promise<number> =>
          runs.length > 1 ? this.#input.timer.time(`write ${dataset} (part ${part + 1} of ${runs.length})`, run) : run();
        const { partitions, rows } = await this.#input.timer.time(`write ${dataset}`, () =>
          writePartitioned(connections, table, path.join(this.#input.stagingDir, dataset), dates, runs, orderBy, timePart),
        );
        this.#progress(`${dataset}: ${partitions.length} partition(s) written`);
        return { dataset, rows, partitions };
      } finally {
        for (const connection of connections) connection.closeSync();
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