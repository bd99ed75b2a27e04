import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';

import type { DuckDBConnection } from '@duckdb/node-api';

import { readRows, sqlIdent, sqlLiteral, datePartition, isMonth, monthOf, monthPartition } from '@threadline/lake';

import { DATASET_KEYS, isMonthDataset, type CuratedDataset } from './datasets.js';
import { declareKey } from './load-extracts.js';
import { defineSalesOrders } from './sales-orders.js';
import { allSettled } from './settle-all.js';
import type { StageTimer } from './stage-timer.js';
import { textTypeOf, varcharForEnums, type TypedColumn } from './text-types.js';

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
  /** Staging root of the run; datasets go to `<stagingDir>/<dataset>/month=…/` (products: `dt=…/`). */
  stagingDir: string;
  /**
   * The published datasets (`<lake>/curated`): a month partition is rewritten whole, so the rows of
   * the month's dates this run does not rebuild are read from here (a month file, or the old day
   * folders of a lake written before month partitions).
   */
  curatedDir: string;
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
  /** Rows written to staging (for a month dataset: with the published rows of the months' other dates). */
  rows: number;
  /** The staged partition folders, e.g. `month=2026-11` (products: `dt=2026-11-24`). */
  partitions: string[];
  /**
   * True when the published dataset still has `dt=` day folders: this run converts it whole (every
   * month of the dataset is staged), and publish swaps the whole dataset folder.
   */
  replacesDataset?: boolean;
}

/**
 * Cuts the sorted `dates` (or months, `YYYY-MM`) into at most `parts` runs of consecutive ones
 * holding about the same number of rows each (`rowsPerDate`; one without rows weighs nothing), so
 * each run can be sorted and written by its own statement (`sales` is cut by month: two runs never
 * write one month partition).
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
 * Writes the products snapshot (a table whose rows all have `dt` = `date`) to its day partition,
 * `dt=<date>/part-0.parquet`, `dt` being the folder's key. A snapshot without rows still gets its
 * (zero-row) file, so a rerun replaces the old one.
 */
async function writeDayPartition(connection: DuckDBConnection, table: string, dir: string, date: string, orderBy: string): Promise<{ partitions: string[]; rows: number }> {
  const partition = datePartition(date);
  await mkdir(path.join(dir, partition), { recursive: true });
  // COPY answers with the number of rows it wrote: no second pass over the data to count them
  const [written] = await readRows(
    connection,
    `COPY (SELECT * EXCLUDE (dt) FROM ${table} WHERE dt = DATE ${sqlLiteral(date)} ORDER BY ${orderBy}) TO ${sqlLiteral(path.join(dir, partition, 'part-0.parquet'))} (${PARQUET_OPTIONS})`,
  );
  return { partitions: [partition], rows: Number(written?.Count ?? 0) };
}

/** `YYYY-MM-01` of the month after `month`. */
function nextMonthStart(month: string): string {
  const [year = 0, monthNumber = 0] = month.split('-').map(Number);
  return monthNumber === 12 ? `${year + 1}-01-01` : `${year}-${String(monthNumber + 1).padStart(2, '0')}-01`;
}

/** The Parquet files directly inside `dir` (bookkeeping and temp files left out). */
async function parquetFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith('.parquet') && !entry.name.startsWith('_') && !entry.name.startsWith('.'))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** What is published of a month dataset, as far as a run that rewrites some of its months needs it. */
export interface PublishedMonths {
  /** The months to stage: the run's, plus every published month when the dataset is converted. */
  months: string[];
  /** Files of published month folders of those months (`dt` is a column inside). */
  monthFiles: string[];
  /** Files of published `dt=` day folders (a lake written before month partitions; `dt` is the folder's key). */
  dayFiles: string[];
  /** The published dataset has day folders: the run converts it whole. */
  converts: boolean;
}

/**
 * Finds the published partitions a run's months are rebuilt from. A dataset still laid out in
 * `dt=` day folders is converted whole: every month it has is staged, so its day folders can all be
 * retired by the one publish that moves the months in.
 */
export async function findPublishedMonths(datasetDir: string, runDates: readonly string[]): Promise<PublishedMonths> {
  const months = new Set(runDates.map(monthOf));
  const entries = existsSync(datasetDir) ? (await readdir(datasetDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()) : [];
  const dayFolders = entries.map((entry) => /^dt=(\d{4}-\d{2}-\d{2})$/.exec(entry.name)?.[1]).filter((date): date is string => date !== undefined);
  const monthFolders = entries.map((entry) => /^month=(.+)$/.exec(entry.name)?.[1]).filter((month): month is string => month !== undefined && isMonth(month));
  const converts = dayFolders.length > 0;
  if (converts) {
    for (const date of dayFolders) months.add(monthOf(date));
    for (const month of monthFolders) months.add(month);
  }
  const monthFiles: string[] = [];
  for (const month of monthFolders) if (months.has(month)) monthFiles.push(...(await parquetFiles(path.join(datasetDir, monthPartition(month)))));
  const dayFiles: string[] = [];
  for (const date of dayFolders) dayFiles.push(...(await parquetFiles(path.join(datasetDir, datePartition(date)))));
  return { months: [...months].sort(), monthFiles, dayFiles, converts };
}

/** Every calendar day of `month` (`YYYY-MM`), as `YYYY-MM-DD`. */
function daysOf(month: string): string[] {
  const [year = 0, monthNumber = 0] = month.split('-').map(Number);
  const count = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
  return Array.from({ length: count }, (_, index) => `${month}-${String(index + 1).padStart(2, '0')}`);
}

/**
 * The published files `month` carries rows from: its month folder's files, or the day folders of
 * its dates (a lake written before month partitions). None when the run rebuilds every day of the
 * month: there is nothing to carry (the published rows are all of the run's dates, which the
 * statement leaves out), and without them the month is written from the run's own column types
 * (ENUMs) instead of VARCHAR — a year rebuilt over a published lake then writes its whole months
 * as a first build does.
 */
function publishedFilesOf(published: PublishedMonths, month: string, runDates: ReadonlySet<string>): { monthFiles: string[]; dayFiles: string[] } {
  if (daysOf(month).every((day) => runDates.has(day))) return { monthFiles: [], dayFiles: [] };
  const folderOf = (file: string): string => path.basename(path.dirname(file));
  return {
    monthFiles: published.monthFiles.filter((file) => folderOf(file) === monthPartition(month)),
    dayFiles: published.dayFiles.filter((file) => {
      const date = /^dt=(\d{4}-\d{2}-\d{2})$/.exec(folderOf(file))?.[1];
      return date !== undefined && monthOf(date) === month;
    }),
  };
}

/**
 * Writes a table (or view) of the run's dates as month partitions (`month=YYYY-MM/part-0.parquet`,
 * `dt` a column sorted inside the file): each month the run touches is written whole — the run's
 * rows for its dates plus the published rows of the month's other dates — so publishing the month
 * folder replaces exactly the run's dates. A month without rows still gets a zero-row file. `runs`
 * (runs of consecutive months) are written by one connection each, side by side; they hold
 * different months, so never the same partition.
 *
 * Each month is one `COPY (… ORDER BY dt, key) TO '<month>/part-0.parquet'`, not one
 * `PARTITION_BY (month)` COPY per run: DuckDB's partitioned writer flushes its per-partition
 * buffers every 524,288 rows (`partitioned_write_flush_threshold`), and the rows of a month cut by
 * such a flush came out of order (at 1M orders the first days of a month written after its last
 * ones, for the month in which a flush fell), so the sort was paid for and lost. A COPY to one file
 * keeps the order of its input (DuckDB's "order preservation" rules), and the month's statement
 * sorts only that month's rows: each month's join reads only its own orders (the filter on `dt`
 * reaches the order facts, and the join's key range the lines' zone maps).
 */
async function writeMonthPartitioned(
  connections: readonly DuckDBConnection[],
  table: string,
  dir: string,
  dates: readonly string[],
  published: PublishedMonths,
  runs: ReadonlyArray<readonly string[]>,
  orderBy: string,
  timePart: (part: number, write: () => Promise<number>) => Promise<number>,
): Promise<{ partitions: string[]; rows: number }> {
  await mkdir(dir, { recursive: true });
  const [first] = connections;
  if (!first || connections.length < runs.length) throw new Error(`${table}: ${runs.length} run(s) of months but ${connections.length} connection(s)`);
  const described = await readRows(first, `DESCRIBE SELECT * FROM ${table}`);
  const runDates = `[${dates.map((date) => `DATE ${sqlLiteral(date)}`).join(', ')}]::DATE[]`;
  const runDateSet = new Set(dates);
  const list = (files: readonly string[]): string => `[${files.map(sqlLiteral).join(', ')}]`;
  /**
   * The rows of `month` (the run's, plus the published rows of the month's other dates) and their
   * columns. The staged file keeps the run's column types: published rows are cast to them (a
   * column the published files lack reads as NULL, one they have that the run no longer writes is
   * dropped). An ENUM column (text-types.ts) is cast to VARCHAR then: a published value (an old
   * status or category) need not be one of this run's values. The files read the same either way.
   */
  const monthRows = (month: string): { rows: string; columns: string } => {
    const { monthFiles, dayFiles } = publishedFilesOf(published, month, runDateSet);
    const sources = [`SELECT * FROM ${table}`];
    if (monthFiles.length > 0) {
      sources.push(`SELECT * FROM read_parquet(${list(monthFiles)}, hive_partitioning = false, union_by_name = true) WHERE NOT list_contains(${runDates}, dt)`);
    }
    if (dayFiles.length > 0) {
      sources.push(
        `SELECT * FROM read_parquet(${list(dayFiles)}, hive_partitioning = true, hive_types = {'dt': DATE}, union_by_name = true) WHERE NOT list_contains(${runDates}, dt)`,
      );
    }
    const columns = described
      .map((row) => {
        const name = sqlIdent(String(row.column_name));
        return sources.length === 1 ? name : `CAST(${name} AS ${varcharForEnums(String(row.column_type))}) AS ${name}`;
      })
      .join(', ');
    return { rows: sources.length === 1 ? table : `(${sources.join(' UNION ALL BY NAME ')})`, columns };
  };
  const counts = await allSettled(
    runs.map((run, index) =>
      timePart(index, async () => {
        const connection = connections[index] ?? first;
        let rows = 0;
        for (const month of run) {
          const partition = path.join(dir, monthPartition(month));
          await mkdir(partition, { recursive: true });
          const where = `dt >= DATE ${sqlLiteral(`${month}-01`)} AND dt < DATE ${sqlLiteral(nextMonthStart(month))}`;
          // COPY answers with the number of rows it wrote (no second pass to count them); a month
          // without rows gets a zero-row file, so it still replaces its published partition
          const { rows: source, columns } = monthRows(month);
          const [written] = await readRows(
            connection,
            `COPY (SELECT ${columns} FROM ${source} WHERE ${where} ORDER BY dt, ${orderBy})
               TO ${sqlLiteral(path.join(partition, 'part-0.parquet'))} (${PARQUET_OPTIONS})`,
          );
          rows += Number(written?.Count ?? 0);
        }
        return rows;
      }),
    ),
  );
  const partitions = (await readdir(dir)).filter((name) => name.startsWith('month=')).sort();
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
    // the order's text columns become the run's types here, once per order (see text-types.ts);
    // the customer's (x_users) already are
    const orderText = (column: TypedColumn<'orders'>): string => `CAST(o.${sqlIdent(column)} AS ${textTypeOf('orders', column)}) AS ${sqlIdent(column)}`;
    const orderFacts = timer.time('join order facts', () => db.run(`CREATE OR REPLACE TABLE x_order_facts AS
      SELECT o.dt, o.id AS order_id, o.placed_at, o.dt AS placed_date,
             ${orderText('status')}, ${orderText('currency')}, ${orderText('source')},
             k.customer_key, u.age_band, u.gender, u.country, u.region, u.customer_segment,
             ${orderText('ship_country')}, ${orderText('ship_region')}, ${orderText('ship_city')}, ${orderText('ship_postal_code')},
             ${orderText('sales_territory')}, ${orderText('shipping_method')},
             CASE WHEN o.user_id IS NULL THEN NULL ELSE f.first_placed_at < o.placed_at END AS is_returning
        FROM x_orders o
        LEFT JOIN x_users u ON u.id = o.user_id
        LEFT JOIN x_customer_keys k ON k.user_id = o.user_id
        LEFT JOIN x_first_orders f ON f.user_id = o.user_id`));
    // The order lines with their order's `dt`, stored in (dt, order, line) order (a sort of eight
    // narrow columns): each month of `sales` is written by its own statement (see
    // `writeMonthPartitioned`), whose filter on `dt` then skips the other months' lines by their
    // zone maps instead of probing every line of the year once per month. Order ids need not
    // follow dates (the benchmark's shop spreads consecutive orders over consecutive days; imported
    // orders keep old ids), so this does not rely on the loaded order. The inner join keeps the
    // lines `sales` keeps (those of the run's orders); `sold` (the order neither cancelled nor
    // refunded) lets `product_day` count its sales from this table alone, without joining the
    // three million lines to the orders a second time.
    //
    // The two tables are independent (both read only the loaded extracts): the lines are sorted on
    // a connection of their own while the order facts are joined on this one, so the second core
    // has work once the reviews are written (one after the other, the sort ran alone for ~0.8 s).
    const linesConnection = await input.connect();
    const salesLines = timer.time('order lines by date', () =>
      linesConnection.run(`CREATE OR REPLACE TABLE x_sales_lines AS
        SELECT o.dt, i.id, i.order_id, i.product_id, i.variant_id, i.quantity, i.unit_price_cents, i.line_total_cents,
               o.status NOT IN ('cancelled', 'refunded') AS sold
          FROM x_order_items i JOIN x_orders o ON o.id = i.order_id
         ORDER BY o.dt, i.order_id, i.id`),
    );
    try {
      await allSettled([orderFacts, salesLines]);
    } finally {
      linesConnection.closeSync();
    }
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
        FROM x_sales_lines i
        -- on dt as well: a filter on the view's dt then reaches both sides (a month's orders and lines)
        JOIN x_order_facts o ON o.order_id = i.order_id AND o.dt = i.dt
        LEFT JOIN out_products p ON p.product_id = i.product_id
        LEFT JOIN x_variants v ON v.id = i.variant_id`);
    // the longest write (a row per order line, 33 columns): sorted and written in runs of dates
    // holding about the same number of orders, one per core, on parallel connections
    const ordersPerDate = new Map(
      (await readRows(db, 'SELECT dt::VARCHAR AS dt, count(*) AS n FROM x_orders GROUP BY dt')).map((row) => [String(row.dt), Number(row.n)]),
    );
    writes.start('sales', 'out_sales', input.dates, 'order_id, order_item_id', input.salesWriteRuns ?? SALES_WRITE_RUNS, ordersPerDate);
    // one row per sold order, for the segments dashboard's order and customer counts
    await defineSalesOrders(db);
    writes.start('sales_orders', 'out_sales_orders', input.dates, 'order_id');

    const dateList = `[${input.dates.map((date) => `DATE ${sqlLiteral(date)}`).join(', ')}]::DATE[]`;
    // One row per day and product: every product that existed that day, plus any product with sales
    // or views that day (legacy products can be older than their created_at). The UNION makes the
    // (dt, product_id) pairs unique; every join after it is on a declared key. Sales are counted
    // from the narrow lines (`x_sales_lines`: the lines `sales` writes, with their order's `dt`),
    // so this runs beside the sales write instead of after it; orders per day and product are the distinct
    // orders, grouped in two steps (a DISTINCT aggregate is several times slower). A product's
    // creation date is converted to the shop's zone once per product, not once per product and day.
    await timer.time('join product_day', () => db.run(`CREATE OR REPLACE TABLE out_product_day AS
      WITH days AS (SELECT unnest(${dateList}) AS dt),
      product_dates AS (SELECT product_id, (created_at AT TIME ZONE ${zone})::DATE AS created_date FROM out_products),
      order_lines AS (SELECT dt, product_id, order_id, sum(quantity) AS units, sum(line_total_cents) AS revenue
                        FROM x_sales_lines WHERE sold GROUP BY dt, product_id, order_id),
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
   * Starts writing `table` as `dataset`. A month dataset is written in `parts` runs of months
   * (at most; balanced by `rowsPerDate`) side by side, each on its own connection (see
   * `writeMonthPartitioned`), timed as `write <dataset> (part i of n)`; `products` as the day
   * partition of its one snapshot date (`writeDayPartition`).
   */
  start(dataset: CuratedDataset, table: string, dates: readonly string[], orderBy: string, parts = 1, rowsPerDate: ReadonlyMap<string, number> = new Map()): void {
    const write = async (): Promise<BuiltDataset> => {
      const connections: DuckDBConnection[] = [];
      try {
        const dir = path.join(this.#input.stagingDir, dataset);
        const [snapshotDate] = dates;
        if (!isMonthDataset(dataset)) {
          if (!snapshotDate || dates.length !== 1) throw new Error(`${dataset}: a snapshot has one date, got ${dates.length}`);
          const connection = await this.#input.connect();
          connections.push(connection);
          const { partitions, rows } = await this.#input.timer.time(`write ${dataset}`, () => writeDayPartition(connection, table, dir, snapshotDate, orderBy));
          this.#progress(`${dataset}: ${partitions.length} partition(s) written`);
          return { dataset, rows, partitions };
        }
        const published = await findPublishedMonths(path.join(this.#input.curatedDir, dataset), dates);
        const rowsPerMonth = new Map<string, number>();
        for (const [date, rows] of rowsPerDate) rowsPerMonth.set(monthOf(date), (rowsPerMonth.get(monthOf(date)) ?? 0) + rows);
        const runs = splitDates(published.months, rowsPerMonth, parts);
        for (let index = 0; index < Math.max(1, runs.length); index += 1) connections.push(await this.#input.connect());
        const timePart = (part: number, run: () => Promise<number>): Promise<number> =>
          runs.length > 1 ? this.#input.timer.time(`write ${dataset} (part ${part + 1} of ${runs.length})`, run) : run();
        const { partitions, rows } = await this.#input.timer.time(`write ${dataset}`, () =>
          writeMonthPartitioned(connections, table, dir, dates, published, runs, orderBy, timePart),
        );
        this.#progress(`${dataset}: ${partitions.length} partition(s) written${published.converts ? ' (converted from day partitions)' : ''}`);
        return { dataset, rows, partitions, ...(published.converts ? { replacesDataset: true } : {}) };
      } finally {
        for (const connection of connections) connection.closeSync();
      }
    };
    const written = write();
    // a failure is reported by `finish` (or awaited by `drain`), never as an unhandled rejection
    // while the caller is still joining the next table
    written.catch(() => undefined);
    this.#writes.push(written);
  }

  /** Waits until no write runs any more, whatever their outcome. */
  async drain(): Promise<void> {
    await Promise.allSettled(this.#writes);
  }

  async finish(): Promise<BuiltDataset[]> {
    return allSettled(this.#writes);
  }
}