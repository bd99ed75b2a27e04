import { existsSync } from 'node:fs';
import path from 'node:path';

import type { DuckDBConnection } from '@duckdb/node-api';

import { LakeError, readRows, sqlLiteral, ZONE_DIRS } from '@threadline/lake';

import { pseudonymiseUserId } from './pseudonym.js';
import { allSettled } from './settle-all.js';
import { copyFormatOf, EXTRACT_COLUMNS, type ExtractTable } from './shop-source.repo.js';
import type { StageTimer } from './stage-timer.js';
import { defineTextTypes, isTypedTable } from './text-types.js';

/** The declared column types of an extract table, as `read_csv`'s `columns` struct. */
function csvColumns(table: ExtractTable): string {
  return Object.entries(EXTRACT_COLUMNS[table])
    .map(([name, type]) => `${sqlLiteral(name)}: ${sqlLiteral(type)}`)
    .join(', ');
}

/** Makes the (empty) DuckDB table of an extract with its declared column types. */
async function createExtractTable(connection: DuckDBConnection, table: ExtractTable): Promise<void> {
  const columns = Object.entries(EXTRACT_COLUMNS[table])
    .map(([name, type]) => `"${name}" ${type}`)
    .join(', ');
  await connection.run(`CREATE OR REPLACE TABLE x_${table} (${columns})`);
}

/** Adds the rows of one extract file (a table's, or one id batch of it) to its DuckDB table. */
async function loadCsv(connection: DuckDBConnection, table: ExtractTable, file: string): Promise<void> {
  // PostgreSQL's CSV writes NULL unquoted and '' quoted, so quoted empties stay empty strings; its
  // text format (tables of numbers, dates and timestamps only) separates by tabs and writes NULL as \N
  const format = copyFormatOf(table) === 'text' ? "delim = '\t', quote = '', escape = '', nullstr = '\\N'" : 'allow_quoted_nulls = false';
  await connection.run(`INSERT INTO x_${table} SELECT * FROM read_csv(${sqlLiteral(file)}, header = false, auto_detect = false, ${format}, columns = {${csvColumns(table)}})`);
}

/**
 * Checks that `columns` are the key of `table`. Every join of the build goes to a table whose key
 * was checked, so no join can multiply rows; a duplicate fails here, naming the table and a few
 * offending keys, instead of surfacing later as a failed quality gate. One hash aggregate: a
 * unique (ART) index did the same several times slower and was never used for anything else.
 */
export async function declareKey(connection: DuckDBConnection, table: string, columns: readonly string[]): Promise<void> {
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

export interface ExtractLoaderOptions {
  /** Opens a connection on the run's DuckDB database (each load runs on its own). */
  connect: () => Promise<DuckDBConnection>;
  lakeDir: string;
  dates: readonly string[];
  timeZone: string;
  pseudonymKey: string;
  /** Receives the time of each load, the customer keys and the clickstream counts. */
  timer: StageTimer;
}

/** The parts (id batches) of one table, loaded one after the other as each one's COPY finishes. */
export interface ExtractParts {
  /** Starts loading the next part, once the parts before it are in. */
  add(file: string): void;
  /** Every part has been added: the table's key is checked once they are all in. */
  end(): void;
}

/**
 * Loads the extract CSVs into DuckDB while PostgreSQL is still copying: each table is loaded (and
 * its key checked) on its own connection as soon as its COPY has finished, the customer keys are
 * computed as soon as orders and reviews are in, and the clickstream is counted from the start
 * (it needs nothing from PostgreSQL). So the loads, and the customer keys' hashing in Node, overlap
 * the COPY of the order lines, the longest, instead of all starting after it. Once a table is in,
 * the types of its text columns are made from its values (`defineTextTypes`, timed as
 * `text types <table>`).
 */
export class ExtractLoader {
  readonly #options: ExtractLoaderOptions;
  readonly #loads = new Map<ExtractTable, Promise<void>>();
  readonly #parts = new Set<ExtractTable>();
  readonly #tasks: Array<Promise<unknown>> = [];
  readonly #clicks: Promise<boolean>;
  #customerKeys: Promise<void> | undefined;

  constructor(options: ExtractLoaderOptions) {
    this.#options = options;
    this.#clicks = this.#track(
      this.#onConnection('clickstream counts', (connection) => loadClickstreamCounts(connection, options.lakeDir, options.dates, options.timeZone)),
    );
  }

  /** Starts loading `table` from `file` (its COPY has finished). */
  load(table: ExtractTable, file: string): void {
    const parts = this.parts(table);
    parts.add(file);
    parts.end();
  }

  /**
   * Loads `table` in parts (the id batches of orders and of their lines): the table is made when
   * `parts` is called, and each part is appended on its own connection as soon as its COPY has
   * finished, beside the parts still loading (DuckDB appends to one table from several
   * connections without conflict; the table's row order is not relied on), so the load keeps up
   * with the COPY and little is left when the last batch arrives. The key is checked over the
   * whole table once every part is in (`end`).
   */
  parts(table: ExtractTable): ExtractParts {
    if (this.#loads.has(table) || this.#parts.has(table)) throw new Error(`${table} is loaded twice`);
    this.#parts.add(table);
    const created = this.#track(this.#onConnection(`load ${table}`, (connection) => createExtractTable(connection, table)));
    const loads: Array<Promise<void>> = [];
    let ended = false;
    return {
      add: (file) => {
        if (ended) throw new Error(`${table}: a part was added after the last one`);
        loads.push(this.#track(created.then(() => this.#onConnection(`load ${table}`, (connection) => loadCsv(connection, table, file)))));
      },
      end: () => {
        if (ended) throw new Error(`${table}: the parts were ended twice`);
        if (loads.length === 0) throw new Error(`${table}: no part to load`);
        ended = true;
        // every part settles before the key is checked (a failed part fails the table)
        const loaded = this.#track(
          allSettled(loads).then(() => this.#onConnection(`load ${table}`, (connection) => declareKey(connection, `x_${table}`, EXTRACT_KEYS[table]))),
        );
        this.#loaded(table, loaded);
        // its text columns' types, made from this run's values (nothing else waits for them but the build)
        if (isTypedTable(table)) this.#track(loaded.then(() => this.#onConnection(`text types ${table}`, (connection) => defineTextTypes(connection, table))));
      },
    };
  }

  /** Records that `table` is (being) loaded; starts the customer keys once orders and reviews are in. */
  #loaded(table: ExtractTable, loaded: Promise<void>): void {
    this.#loads.set(table, loaded);
    const orders = this.#loads.get('orders');
    const reviews = this.#loads.get('reviews');
    if (orders && reviews && !this.#customerKeys) {
      this.#customerKeys = this.#track(
        Promise.all([orders, reviews]).then(() => this.#onConnection('customer keys', (connection) => loadCustomerKeys(connection, this.#options.pseudonymKey))),
      );
    }
  }

  /**
   * Waits for every load (all tables must have been started), the customer keys and the
   * clickstream counts; reports the first failure only after all have stopped. Resolves to
   * whether there is a clickstream.
   */
  async finish(): Promise<{ hasClicks: boolean }> {
    const missing = Object.keys(EXTRACT_COLUMNS).filter((table) => !this.#loads.has(table as ExtractTable)); // keys of EXTRACT_COLUMNS are ExtractTable
    await allSettled(this.#tasks);
    if (missing.length > 0) throw new Error(`not loaded: ${missing.join(', ')}`);
    return { hasClicks: await this.#clicks };
  }

  /** Waits until no load runs any more, whatever their outcome (before the database closes). */
  async drain(): Promise<void> {
    await Promise.allSettled(this.#tasks);
  }

  /** Keeps `task` for `finish`/`drain`; a failure is reported there, never as an unhandled rejection. */
  #track<T>(task: Promise<T>): Promise<T> {
    task.catch(() => undefined);
    this.#tasks.push(task);
    return task;
  }

  async #onConnection<T>(stage: string, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.#options.connect();
    try {
      return await this.#options.timer.time(stage, () => work(connection));
    } finally {
      connection.closeSync();
    }
  }
}
