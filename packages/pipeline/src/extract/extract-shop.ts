import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

import type { DuckDBConnection } from '@duckdb/node-api';

import type { Pool } from '@threadline/db';
import { connectDuckDb, createDuckDbInstance, readRows, ZONE_DIRS } from '@threadline/lake';
import { dateInZone } from '@threadline/domain';

import { buildDatasets, type BuiltDataset } from './build-datasets.js';
import { ExtractLoader } from './load-extracts.js';
import {
  copyDimensions,
  copyOrderItems,
  copyOrders,
  openSnapshotClients,
  planOrderBatches,
  serverWritesHere,
  type CopyFiles,
  type CopyTarget,
  type ExtractTable,
} from './shop-source.repo.js';
import { StageTimer, type ExtractStage } from './stage-timer.js';

export interface ExtractOptions {
  pool: Pool;
  lakeDir: string;
  /** Where this run's datasets are staged (`lake/staging/run-<id>`). */
  stagingDir: string;
  /** Partition dates to rebuild, in the shop's time zone. */
  dates: readonly string[];
  timeZone: string;
  pseudonymKey: string;
  onProgress?: (message: string) => void;
  /** How many runs of dates `sales` is written in, side by side (default: one per core, at most 4). */
  salesWriteRuns?: number;
  /**
   * Who writes the extract files: `auto` (default) lets the database server write them when it
   * runs on this machine and may (`serverWritesHere`), else they come through the connection;
   * `stream` always through the connection; `server` requires the server (fails otherwise).
   */
  copyTarget?: CopyTarget | 'auto';
  /** Order ids per COPY batch of orders and of their lines (default `BATCH_ORDERS`, 125,000). */
  orderBatchSize?: number;
}

export interface ExtractResult {
  datasets: BuiltDataset[];
  /** Rows read from the shop database. */
  rowsIn: number;
  /** Rows written to staging, all datasets. */
  rowsOut: number;
  /** Transaction time of the snapshot: the new watermark. */
  snapshotAt: Date;
  /** Who wrote the extract files: the database server itself, or this process from the connection. */
  copyTarget: CopyTarget;
  /**
   * Where the step's time went: each table's COPY out of PostgreSQL (three connections in
   * parallel, so these overlap), each load into DuckDB, each join and each dataset's Parquet write
   * (sales and reviews are joined as they are written: their write includes the join; sales is
   * written in runs of dates side by side, each timed as `write sales (part i of n)`). Each stage
   * says when it first started and last ended, so the critical path shows.
   */
  stages: ExtractStage[];
}

/**
 * Extract step of the nightly run: narrow base tables out of PostgreSQL with COPY on three
 * connections sharing one read-only snapshot (orders, order lines, everything else), each loaded
 * into DuckDB as soon as its COPY is done, joined there, written as Parquet to staging.
 * Nothing under curated/ is touched; publish is a separate step after the quality gate.
 */
export async function extractShop(options: ExtractOptions): Promise<ExtractResult> {
  const work = path.join(options.stagingDir, '_work');
  await rm(options.stagingDir, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  // orders and order lines go to one file per id batch (`orders-<i>.csv`, `order_items-<i>.csv`)
  const files: Record<Exclude<ExtractTable, 'orders' | 'order_items'>, string> = {
    reviews: path.join(work, 'reviews.csv'),
    users: path.join(work, 'users.csv'),
    first_orders: path.join(work, 'first_orders.csv'),
    products: path.join(work, 'products.csv'),
    variants: path.join(work, 'variants.csv'),
    categories: path.join(work, 'categories.csv'),
  };
  const progress = options.onProgress ?? (() => undefined);
  const timer = new StageTimer();
  // One DuckDB thread: the step's parallelism comes from its connections (loads beside the COPYs,
  // each dataset written on its own connection, `sales` in runs of dates side by side). With a
  // worker thread as well, the caller of each statement spins polling for tasks the worker holds:
  // 1M orders took 21.7 s of DuckDB and Node CPU against 25.4 s with two threads (means of four
  // alternating pairs; docs/pipeline.md, "DuckDB threads")
  const instance = await createDuckDbInstance({ threads: 1, memoryLimit: '4GB', tempDirectory: path.join(work, 'duckdb-tmp') });
  const connect = (): Promise<DuckDBConnection> => connectDuckDb(instance);
  // each table is loaded into DuckDB as soon as its COPY is done, while the others still copy
  const loader = new ExtractLoader({
    connect,
    lakeDir: options.lakeDir,
    dates: options.dates,
    timeZone: options.timeZone,
    pseudonymKey: options.pseudonymKey,
    timer,
  });
  let connection: DuckDBConnection | undefined;
  try {
    // the embedded cluster (or any server on this machine allowed to) writes the files itself
    const target: CopyTarget = (options.copyTarget ?? 'auto') !== 'stream' && (await serverWritesHere(options.pool, work)) ? 'server' : 'stream';
    if (options.copyTarget === 'server' && target !== 'server') {
      throw new Error(`copyTarget server: the database server cannot write into ${work} (it must run on this machine, may write server files, and reach the folder)`);
    }
    const snapshot = await openSnapshotClients(options.pool, 3);
    try {
      progress(`extracting ${options.dates.length} day(s) from PostgreSQL (read-only snapshot; ${target === 'server' ? 'the server writes the extract files' : 'streamed over the connection'})`);
      const [ordersClient, itemsClient, dimensionsClient] = snapshot.clients;
      if (!ordersClient || !itemsClient || !dimensionsClient) throw new Error('the snapshot has fewer than three connections');
      const orderParts = loader.parts('orders');
      const lineParts = loader.parts('order_items');
      const plan = await timer.time('plan order batches', () => planOrderBatches(ordersClient, options.dates, options.timeZone, options.orderBatchSize));
      const copyFiles: CopyFiles = { batchFile: (table, index) => path.join(work, `${table}-${index}.csv`), target, timer };
      await timer.time('copy from PostgreSQL (wall)', () =>
        Promise.all([
          // each id batch of orders and of order lines is loaded while the next one copies
          copyOrders(ordersClient, plan, options.timeZone, copyFiles, (file) => orderParts.add(file)).then(() => orderParts.end()),
          copyOrderItems(itemsClient, plan, copyFiles, (file, done, total) => {
            lineParts.add(file);
            progress(`order lines: ${done} of ${total} id batch(es) copied`);
          }).then(() => lineParts.end()),
          copyDimensions(dimensionsClient, options.dates, options.timeZone, files, copyFiles, (table) => loader.load(table, files[table])),
        ]),
      );
    } finally {
      await snapshot.release();
    }
    const { hasClicks } = await loader.finish();
    progress(`extracts loaded into DuckDB, customer keys computed; ${hasClicks ? 'clickstream views and carts counted per product and day' : 'no clickstream yet: views and carts are 0'}`);
    connection = await connect();
    progress('joining analysis sets in DuckDB and writing Parquet to staging');
    const datasets = await buildDatasets({
      connection,
      connect,
      stagingDir: options.stagingDir,
      curatedDir: path.join(options.lakeDir, ZONE_DIRS.curated),
      dates: options.dates,
      snapshotDate: dateInZone(snapshot.snapshotAt, options.timeZone),
      timeZone: options.timeZone,
      hasClicks,
      timer,
      onProgress: progress,
      salesWriteRuns: options.salesWriteRuns,
    });
    const [row] = await readRows(
      connection,
      `SELECT (SELECT count(*) FROM x_orders) + (SELECT count(*) FROM x_order_items) + (SELECT count(*) FROM x_reviews)
            + (SELECT count(*) FROM x_users) + (SELECT count(*) FROM x_products) + (SELECT count(*) FROM x_variants) AS n`,
    );
    return {
      datasets,
      rowsIn: Number(row?.n ?? 0),
      rowsOut: datasets.reduce((sum, dataset) => sum + dataset.rows, 0),
      snapshotAt: snapshot.snapshotAt,
      copyTarget: target,
      stages: timer.stages(),
    };
  } finally {
    // no load may still run when the database closes; the loaders and writers closed their own connections
    await loader.drain();
    connection?.closeSync();
    instance.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}
