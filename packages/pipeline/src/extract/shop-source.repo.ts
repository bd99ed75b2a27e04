import { createWriteStream } from 'node:fs';
import { chown, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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

/**
 * How the extract files are written. `stream`: `COPY … TO STDOUT` through the connection, this
 * process writing the file (any server, anywhere). `server`: `COPY … TO '<file>'`, the server
 * writing the file itself — only when it runs on this machine and may write files
 * (`serverWritesHere`); it spares this process the copy protocol and the file writes.
 */
export type CopyTarget = 'stream' | 'server';

/** Copies `query`'s rows of `table` into `file` (a new file), in the table's `copyFormatOf`. */
async function copyToFile(client: PoolClient, table: ExtractTable, query: string, file: string, target: CopyTarget): Promise<void> {
  const format = copyFormatOf(table) === 'text' ? '' : ' (FORMAT csv)';
  if (target === 'server') {
    // the path is this step's own work file (absolute, made by path.join), quoted as a literal
    await client.query(`COPY (${query}) TO ${sqlLiteral(file)}${format}`);
    return;
  }
  const source = client.query(copyTo(`COPY (${query}) TO STDOUT${format}`));
  await pipeline(source, createWriteStream(file));
}

/**
 * Whether the server behind `pool` can write the extract files into `dir` itself: it may write
 * server files (superuser or `pg_write_server_files`) and its data directory is on this machine —
 * proven by the system identifier in the local `global/pg_control` matching the server's own, so a
 * remote server is never asked to write to a path of ours. When this process runs as root and the
 * server as another user (the embedded cluster), `dir` is handed to the server's user; a probe
 * line written by the server and read back here proves it reaches `dir`. Anything missing (a
 * remote server, a role without the right, a data directory we cannot read, a folder above `dir`
 * closed to the server's user) answers false: the files then come through the connection.
 */
export async function serverWritesHere(pool: Pool, dir: string): Promise<boolean> {
  let settings: { data_directory: string; system_identifier: string; may_write: boolean } | undefined;
  try {
    const { rows } = await pool.query<{ data_directory: string; system_identifier: string; may_write: boolean }>(
      `SELECT current_setting('data_directory') AS data_directory, (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, 'pg_write_server_files', 'MEMBER') AS may_write`,
    );
    settings = rows[0];
  } catch {
    // not allowed to read the data directory's path (no superuser, no pg_read_all_settings)
    return false;
  }
  if (!settings?.may_write || !path.isAbsolute(settings.data_directory)) return false;
  let localIdentifier: bigint;
  let owner: { uid: number; gid: number };
  try {
    const control = await readFile(path.join(settings.data_directory, 'global', 'pg_control'));
    // pg_control starts with the cluster's 64-bit system identifier, in the machine's byte order
    localIdentifier = os.endianness() === 'LE' ? control.readBigUInt64LE(0) : control.readBigUInt64BE(0);
    owner = await stat(settings.data_directory);
  } catch {
    return false;
  }
  if (localIdentifier !== BigInt(settings.system_identifier)) return false;
  const uid = process.getuid?.();
  if (uid !== owner.uid) {
    if (uid !== 0) return false;
    try {
      await chown(dir, owner.uid, owner.gid);
    } catch {
      return false; // e.g. a file system without owners: stream instead
    }
  }
  // and it can reach `dir` (every folder above it must let its user through): one line, read back
  const probe = path.join(dir, `.server-writes-${process.pid}`);
  try {
    await pool.query(`COPY (SELECT ${sqlLiteral(settings.system_identifier)}) TO ${sqlLiteral(probe)}`);
    return (await readFile(probe, 'utf8')).trim() === settings.system_identifier;
  } catch {
    return false;
  } finally {
    await rm(probe, { force: true });
  }
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

/**
 * Orders per id batch: eight batches of orders and of lines for a million orders, so the last
 * batch's load into DuckDB, the tail after the last COPY, stays short (at 250,000 the last order
 * lines' load and key check ran for a second after the COPY with a core idle).
 */
export const BATCH_ORDERS = 125_000;

/** The orders of a run: the date condition and the order id batches it falls into. */
export interface OrderBatches {
  /** SQL condition on `o.placed_at` (built from validated dates and zone only). */
  where: string;
  /** Inclusive order id ranges of at most `batchSize` ids each; empty when no order is on the dates. */
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
export async function planOrderBatches(client: PoolClient, dates: readonly string[], timeZone: string, batchSize = BATCH_ORDERS): Promise<OrderBatches> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`orderBatchSize: expected a whole number of at least 1, got ${batchSize}`);
  const where = inShopDates('o.placed_at', dates, timeZone);
  const { rows } = await client.query<{ lo: number | null; hi: number | null; n: number }>(
    `SELECT min(o.id) AS lo, max(o.id) AS hi, count(*) AS n FROM orders o WHERE ${where}`,
  );
  const lo = rows[0]?.lo ?? null;
  const hi = rows[0]?.hi ?? null;
  const ranges: Array<[number, number]> = [];
  if (lo === null || hi === null) return { where, ranges, rangesOnDatesOnly: true };
  for (let start = Math.trunc(Number(lo)); start <= Number(hi); start += batchSize) ranges.push([start, Math.min(start + batchSize - 1, Math.trunc(Number(hi)))]);
  // one count over the primary key: are there orders in the id range that are not on the dates?
  const { rows: inRange } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM orders WHERE id BETWEEN ${Number(lo)} AND ${Number(hi)}`);
  return { where, ranges, rangesOnDatesOnly: Number(inRange[0]?.n) === Number(rows[0]?.n) };
}

/** Where a table's files go and how they are written. */
export interface CopyFiles {
  /** The file of id batch `index` of the orders or order lines (`<table>-<index>.csv`). */
  batchFile: (table: 'orders' | 'order_items', index: number) => string;
  target: CopyTarget;
  timer: StageTimer;
}

/**
 * Copies one id batch after the other (`batchSql`), each into its own file, handed to `onBatch`
 * as soon as it is complete so the caller can load it while the next batch copies. No orders on
 * the dates: one empty file.
 */
async function copyBatches(
  client: PoolClient,
  table: 'orders' | 'order_items',
  plan: OrderBatches,
  batchSql: (start: number, end: number) => string,
  files: CopyFiles,
  onBatch?: (file: string, done: number, total: number) => void,
): Promise<void> {
  const empty = `SELECT ${Object.keys(EXTRACT_COLUMNS[table]).map(() => 'NULL').join(', ')} WHERE false`;
  const batches: Array<() => string> = plan.ranges.length === 0 ? [() => empty] : plan.ranges.map(([start, end]) => () => batchSql(start, end));
  for (const [index, sql] of batches.entries()) {
    const file = files.batchFile(table, index);
    await files.timer.time(`copy ${table}`, () => copyToFile(client, table, sql(), file, files.target));
    onBatch?.(file, index + 1, batches.length);
  }
}

/**
 * Copies the orders placed on the planned dates, one id batch per statement so no single statement
 * runs for long. Runs on its own connection of the snapshot, beside `copyOrderItems`.
 */
export async function copyOrders(
  client: PoolClient,
  plan: OrderBatches,
  timeZone: string,
  files: CopyFiles,
  onBatch?: (file: string, done: number, total: number) => void,
): Promise<void> {
  await copyBatches(
    client,
    'orders',
    plan,
    (start, end) => `SELECT o.id, o.user_id, o.status, o.currency, o.source, o.placed_at, o.ship_country, o.ship_region, o.ship_city, o.ship_postal_code,
                o.sales_territory, o.shipping_method, ${shopDate('o.placed_at', timeZone)} FROM orders o WHERE ${plan.where} AND o.id BETWEEN ${start} AND ${end}`,
    files,
    onBatch,
  );
}

/**
 * Copies the lines of the planned orders. The lines of a batch are picked by their order id range
 * too, so each batch reads its slice of order_items (index on order_id) instead of the whole table;
 * when every order of the ranges is on the dates, by that range alone (no join to orders).
 */
export async function copyOrderItems(client: PoolClient, plan: OrderBatches, files: CopyFiles, onBatch?: (file: string, done: number, total: number) => void): Promise<void> {
  const columns = 'i.id, i.order_id, i.product_id, i.variant_id, i.quantity, i.unit_price_cents, i.line_total_cents';
  await copyBatches(
    client,
    'order_items',
    plan,
    (start, end) =>
      plan.rangesOnDatesOnly
        ? `SELECT ${columns} FROM order_items i WHERE i.order_id BETWEEN ${start} AND ${end}`
        : `SELECT ${columns} FROM order_items i JOIN orders o ON o.id = i.order_id WHERE ${plan.where} AND o.id BETWEEN ${start} AND ${end} AND i.order_id BETWEEN ${start} AND ${end}`,
    files,
    onBatch,
  );
}

/** Reviews written on `dates`, customer attributes, first-order times and the catalogue. */
export async function copyDimensions(
  client: PoolClient,
  dates: readonly string[],
  timeZone: string,
  files: Record<Exclude<ExtractTable, 'orders' | 'order_items'>, string>,
  copyFiles: Pick<CopyFiles, 'target' | 'timer'>,
  /** Called as soon as one table's file is complete (the caller loads it while the rest copy). */
  onCopied?: (table: Exclude<ExtractTable, 'orders' | 'order_items'>) => void,
): Promise<void> {
  const copy = async (table: Exclude<ExtractTable, 'orders' | 'order_items'>, query: string, file: string): Promise<void> => {
    await copyFiles.timer.time(`copy ${table}`, () => copyToFile(client, table, query, file, copyFiles.target));
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
