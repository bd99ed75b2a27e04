import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';

import { to as copyTo } from 'pg-copy-streams';

import type { Pool, PoolClient } from '@threadline/db';
import { sqlLiteral } from '@threadline/lake';
import { isIsoDate } from '@threadline/domain';

import type { StageTimer } from './stage-timer.js';

/**
 * The extract's only contact with the shop database. Every query names its columns: no names,
 * e-mail addresses, street data, password hashes or payment data are ever selected. COPY does not
 * take bind parameters, so the literals below are built only from validated dates, a validated
 * time-zone name and integers.
 */

/** Contiguous runs of dates become one half-open interval each, so the range indexes are used. */
function dateRanges(dates: readonly string[]): Array<[string, string]> {
  const sorted = [...new Set(dates)].sort();
  const ranges: Array<[string, string]> = [];
  for (const date of sorted) {
    if (!isIsoDate(date)) throw new Error(`not a date: ${date}`);
    const next = new Date(`${date}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    const end = next.toISOString().slice(0, 10);
    const last = ranges.at(-1);
    if (last && last[1] === date) last[1] = end;
    else ranges.push([date, end]);
  }
  return ranges;
}

/** `column` falls on one of `dates` in the shop's time zone. */
function inShopDates(column: string, dates: readonly string[], timeZone: string): string {
  const zone = sqlLiteral(timeZone);
  const ranges = dateRanges(dates);
  if (ranges.length === 0) return 'false';
  return `(${ranges
    .map(([from, to]) => `(${column} >= (${sqlLiteral(from)}::timestamp AT TIME ZONE ${zone}) AND ${column} < (${sqlLiteral(to)}::timestamp AT TIME ZONE ${zone}))`)
    .join(' OR ')})`;
}

function shopDate(column: string, timeZone: string): string {
  return `((${column} AT TIME ZONE ${sqlLiteral(timeZone)})::date)`;
}

/** A read-only snapshot shared by several connections, so the parallel COPY streams agree. */
export interface SnapshotClients {
  clients: PoolClient[];
  /** The snapshot's transaction time: the next incremental run starts from here. */
  snapshotAt: Date;
  /** Commits (nothing was written) and returns the connections. */
  release(): Promise<void>;
}

/**
 * Opens `count` REPEATABLE READ READ ONLY transactions on one exported snapshot. The shop keeps
 * writing; the extract sees one consistent moment and takes no row locks.
 */
export async function openSnapshotClients(pool: Pool, count: number): Promise<SnapshotClients> {
  const clients: PoolClient[] = [];
  const release = async (): Promise<void> => {
    for (const client of clients) await client.query('COMMIT').catch(() => undefined);
    for (const client of clients) client.release();
  };
  try {
    for (let index = 0; index < Math.max(1, count); index += 1) clients.push(await pool.connect());
    for (const client of clients) {
      // UTC text timestamps for DuckDB; a low priority: a stuck extract must not hold the shop up
      await client.query("SET TIME ZONE 'UTC'");
      await client.query("SET statement_timeout = '30min'");
      // the order-line join hashes a batch of order ids: in memory, not spilled to temp files
      await client.query("SET work_mem = '64MB'");
    }
    const [first, ...others] = clients;
    if (!first) throw new Error('no connection for the snapshot');
    await first.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await first.query<{ snapshot: string; now: Date }>('SELECT pg_export_snapshot() AS snapshot, now() AS now');
    const row = rows[0];
    if (!row) throw new Error('pg_export_snapshot returned nothing');
    for (const client of others) {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET TRANSACTION SNAPSHOT ${sqlLiteral(row.snapshot)}`);
    }
    return { clients, snapshotAt: row.now, release };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Streams `COPY (query) TO STDOUT` of `table` into `file`, in the table's `copyFormatOf`. */
async function copyToFile(client: PoolClient, table: ExtractTable, query: string, file: string, append: boolean): Promise<void> {
  const format = copyFormatOf(table) === 'text' ? '' : ' (FORMAT csv)';
  const source = client.query(copyTo(`COPY (${query}) TO STDOUT${format}`));
  await pipeline(source, createWriteStream(file, { flags: append ? 'a' : 'w' }));
}

/** Extract files and their column lists (the DuckDB side declares the same order). */
export const EXTRACT_COLUMNS = {
  // ship-to geography only (country, region/state, city, postal code): never street lines or names
  orders: {
    id: 'BIGINT', user_id: 'BIGINT', status: 'VARCHAR', currency: 'VARCHAR', source: 'VARCHAR', placed_at: 'TIMESTAMPTZ',
    ship_country: 'VARCHAR', ship_region: 'VARCHAR', ship_city: 'VARCHAR', ship_postal_code: 'VARCHAR',
    // a free label of the old system (imported orders), and the shipping method code
    sales_territory: 'VARCHAR', shipping_method: 'VARCHAR', dt: 'DATE',
  },
  order_items: { id: 'BIGINT', order_id: 'BIGINT', product_id: 'BIGINT', variant_id: 'BIGINT', quantity: 'INTEGER', unit_price_cents: 'BIGINT', line_total_cents: 'BIGINT' },
  reviews: { id: 'BIGINT', order_item_id: 'BIGINT', product_id: 'BIGINT', user_id: 'BIGINT', rating: 'SMALLINT', title: 'VARCHAR', body: 'VARCHAR', created_at: 'TIMESTAMPTZ', dt: 'DATE' },
  users: { id: 'BIGINT', age_band: 'VARCHAR', gender: 'VARCHAR', country: 'VARCHAR', region: 'VARCHAR', customer_segment: 'VARCHAR', created_at: 'TIMESTAMPTZ' },
  first_orders: { user_id: 'BIGINT', first_placed_at: 'TIMESTAMPTZ' },
  products: { id: 'BIGINT', category_id: 'BIGINT', name: 'VARCHAR', status: 'VARCHAR', created_at: 'TIMESTAMPTZ' },
  variants: { id: 'BIGINT', product_id: 'BIGINT', sku: 'VARCHAR', size: 'VARCHAR', colour: 'VARCHAR', price_cents: 'BIGINT', stock: 'BIGINT' },
  categories: { id: 'BIGINT', slug: 'VARCHAR', name: 'VARCHAR', parent_id: 'BIGINT' },
} as const;
export type ExtractTable = keyof typeof EXTRACT_COLUMNS;

/** Column types whose PostgreSQL text output never holds a tab, newline, backslash or quote. */
const PLAIN_TEXT_TYPES: ReadonlySet<string> = new Set(['BIGINT', 'INTEGER', 'SMALLINT', 'DATE', 'TIMESTAMPTZ']);

/**
 * How a table is copied: PostgreSQL's text format (tab-separated, `\N` for NULL) when every column
 * is a number, date or timestamp — their text never needs escaping, so the two formats carry the
 * same values — else CSV, whose quoting keeps all text intact. The text format spares the backend
 * CSV's per-value quoting check: about 25 % of the order lines' COPY (all integers; 0.37 against
 * 0.49 s of backend CPU for 750,000 lines, three runs each; noisy, shared machine).
 */
export function copyFormatOf(table: ExtractTable): 'text' | 'csv' {
  return Object.values<string>(EXTRACT_COLUMNS[table]).every((type) => PLAIN_TEXT_TYPES.has(type)) ? 'text' : 'csv';
}

const BATCH_ORDERS = 250_000;

/** The orders of a run: the date condition and the order id batches it falls into. */
export interface OrderBatches {
  /** SQL condition on `o.placed_at` (built from validated dates and zone only). */
  where: string;
  /** Inclusive order id ranges of at most 250,000 ids each; empty when no order is on the dates. */
  ranges: Array<[number, number]>;
  /**
   * Whether every order in the id ranges is on the dates (a backfill, or days whose orders got
   * consecutive ids): then the lines are picked by order id range alone, without joining orders
   * again. Otherwise (an old order changed, imported orders with scattered ids) each batch joins
   * its lines to the orders on the dates.
   */
  rangesOnDatesOnly: boolean;
}

/** Finds the id range of the orders placed on `dates` and cuts it into batches. */
export async function planOrderBatches(client: PoolClient, dates: readonly string[], timeZone: string): Promise<OrderBatches> {
  const where = inShopDates('o.placed_at', dates, timeZone);
  const { rows } = await client.query<{ lo: number | null; hi: number | null; n: number }>(
    `SELECT min(o.id) AS lo, max(o.id) AS hi, count(*) AS n FROM orders o WHERE ${where}`,
  );
  const lo = rows[0]?.lo ?? null;
  const hi = rows[0]?.hi ?? null;
  const ranges: Array<[number, number]> = [];
  if (lo === null || hi === null) return { where, ranges, rangesOnDatesOnly: true };
  for (let start = Math.trunc(Number(lo)); start <= Number(hi); start += BATCH_ORDERS) ranges.push([start, Math.min(start + BATCH_ORDERS - 1, Math.trunc(Number(hi)))]);
  // one count over the primary key: are there orders in the id range that are not on the dates?
  const { rows: inRange } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM orders WHERE id BETWEEN ${Number(lo)} AND ${Number(hi)}`);
  return { where, ranges, rangesOnDatesOnly: Number(inRange[0]?.n) === Number(rows[0]?.n) };
}

/**
 * Copies the orders placed on the planned dates, one id batch per statement so no single statement
 * runs for long. Runs on its own connection of the snapshot, beside `copyOrderItems`.
 */
export async function copyOrders(client: PoolClient, plan: OrderBatches, timeZone: string, file: string, timer: StageTimer): Promise<void> {
  if (plan.ranges.length === 0) {
    await timer.time('copy orders', () => copyToFile(client, 'orders', `SELECT ${Object.keys(EXTRACT_COLUMNS.orders).map(() => 'NULL').join(', ')} WHERE false`, file, false));
    return;
  }
  for (const [index, [start, end]] of plan.ranges.entries()) {
    await timer.time('copy orders', () =>
      copyToFile(
        client,
        'orders',
        `SELECT o.id, o.user_id, o.status, o.currency, o.source, o.placed_at, o.ship_country, o.ship_region, o.ship_city, o.ship_postal_code,
                o.sales_territory, o.shipping_method, ${shopDate('o.placed_at', timeZone)} FROM orders o WHERE ${plan.where} AND o.id BETWEEN ${start} AND ${end}`,
        file,
        index > 0,
      ),
    );
  }
}

/**
 * Copies the lines of the planned orders. The lines of a batch are picked by their order id range
 * too, so each batch reads its slice of order_items (index on order_id) instead of the whole table;
 * when every order of the ranges is on the dates, by that range alone (no join to orders). Each
 * batch goes to its own file (`fileOf(index)`), handed to `onBatch` as soon as it is complete, so
 * the caller can load it while the next batch copies.
 */
export async function copyOrderItems(
  client: PoolClient,
  plan: OrderBatches,
  fileOf: (index: number) => string,
  timer: StageTimer,
  onBatch?: (file: string, done: number, total: number) => void,
): Promise<void> {
  if (plan.ranges.length === 0) {
    const file = fileOf(0);
    await timer.time('copy order_items', () => copyToFile(client, 'order_items', `SELECT ${Object.keys(EXTRACT_COLUMNS.order_items).map(() => 'NULL').join(', ')} WHERE false`, file, false));
    onBatch?.(file, 1, 1);
    return;
  }
  for (const [index, [start, end]] of plan.ranges.entries()) {
    const ids = `BETWEEN ${start} AND ${end}`;
    const columns = 'i.id, i.order_id, i.product_id, i.variant_id, i.quantity, i.unit_price_cents, i.line_total_cents';
    const file = fileOf(index);
    await timer.time('copy order_items', () =>
      copyToFile(
        client,
        'order_items',
        plan.rangesOnDatesOnly
          ? `SELECT ${columns} FROM order_items i WHERE i.order_id ${ids}`
          : `SELECT ${columns} FROM order_items i JOIN orders o ON o.id = i.order_id WHERE ${plan.where} AND o.id ${ids} AND i.order_id ${ids}`,
        file,
        false,
      ),
    );
    onBatch?.(file, index + 1, plan.ranges.length);
  }
}

/** Reviews written on `dates`, customer attributes, first-order times and the catalogue. */
export async function copyDimensions(
  client: PoolClient,
  dates: readonly string[],
  timeZone: string,
  files: Record<Exclude<ExtractTable, 'orders' | 'order_items'>, string>,
  timer: StageTimer,
  /** Called as soon as one table's file is complete (the caller loads it while the rest copy). */
  onCopied?: (table: Exclude<ExtractTable, 'orders' | 'order_items'>) => void,
): Promise<void> {
  const copy = async (table: Exclude<ExtractTable, 'orders' | 'order_items'>, query: string, file: string): Promise<void> => {
    await timer.time(`copy ${table}`, () => copyToFile(client, table, query, file, false));
    onCopied?.(table);
  };
  await copy(
    'reviews',
    `SELECT r.id, r.order_item_id, r.product_id, r.user_id, r.rating, r.title, r.body, r.created_at, ${shopDate('r.created_at', timeZone)}
       FROM reviews r WHERE ${inShopDates('r.created_at', dates, timeZone)}`,
    files.reviews,
  );
  await copy('users', 'SELECT id, age_band, gender, country, region, customer_segment, created_at FROM users WHERE deleted_at IS NULL', files.users);
  await copy('first_orders', 'SELECT user_id, min(placed_at) FROM orders WHERE user_id IS NOT NULL GROUP BY user_id', files.first_orders);
  await copy('products', 'SELECT id, category_id, name, status, created_at FROM products', files.products);
  await copy('variants', 'SELECT id, product_id, sku, size, colour, price_cents, stock FROM product_variants', files.variants);
  await copy('categories', 'SELECT id, slug, name, parent_id FROM categories', files.categories);
}

/**
 * Dates (shop time zone) whose orders or reviews changed after `since`: the partitions an
 * incremental run has to rebuild. A rebuilt partition is rebuilt whole, so reruns never duplicate.
 */
export async function findChangedDates(pool: Pool, since: Date, timeZone: string): Promise<string[]> {
  const { rows } = await pool.query<{ day: string }>(
    `SELECT DISTINCT day FROM (
       SELECT ((placed_at AT TIME ZONE $2)::date)::text AS day FROM orders WHERE updated_at > $1
       UNION
       SELECT ((created_at AT TIME ZONE $2)::date)::text AS day FROM reviews WHERE updated_at > $1
     ) changed ORDER BY day`,
    [since, timeZone],
  );
  return rows.map((row) => row.day);
}

/** Every date that has orders or reviews: what a first run (no watermark yet) rebuilds. */
export async function findAllDates(pool: Pool, timeZone: string): Promise<string[]> {
  return findChangedDates(pool, new Date(0), timeZone);
}
