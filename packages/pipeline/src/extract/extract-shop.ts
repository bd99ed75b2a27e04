import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

import type { Pool } from '@threadline/db';
import { openDuckDb, readRows } from '@threadline/lake';
import { dateInZone } from '@threadline/domain';

import { buildDatasets, type BuiltDataset } from './build-datasets.js';
import { copyDimensions, copyOrdersAndItems, openSnapshotPair, type ExtractTable } from './shop-source.repo.js';

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
}

export interface ExtractResult {
  datasets: BuiltDataset[];
  /** Rows read from the shop database. */
  rowsIn: number;
  /** Rows written to staging, all datasets. */
  rowsOut: number;
  /** Transaction time of the snapshot: the new watermark. */
  snapshotAt: Date;
}

/**
 * Extract step of the nightly run: narrow base tables out of PostgreSQL with COPY on two
 * connections sharing one read-only snapshot, joined in DuckDB, written as Parquet to staging.
 * Nothing under curated/ is touched; publish is a separate step after the quality gate.
 */
export async function extractShop(options: ExtractOptions): Promise<ExtractResult> {
  const work = path.join(options.stagingDir, '_work');
  await rm(options.stagingDir, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const files: Record<ExtractTable, string> = {
    orders: path.join(work, 'orders.csv'),
    order_items: path.join(work, 'order_items.csv'),
    reviews: path.join(work, 'reviews.csv'),
    users: path.join(work, 'users.csv'),
    first_orders: path.join(work, 'first_orders.csv'),
    products: path.join(work, 'products.csv'),
    variants: path.join(work, 'variants.csv'),
    categories: path.join(work, 'categories.csv'),
  };
  const progress = options.onProgress ?? (() => undefined);
  const snapshot = await openSnapshotPair(options.pool);
  try {
    progress(`extracting ${options.dates.length} day(s) from PostgreSQL (read-only snapshot)`);
    await Promise.all([
      copyOrdersAndItems(snapshot.clients[0], options.dates, options.timeZone, { orders: files.orders, items: files.order_items }, (done, total) =>
        progress(`orders: ${Math.round((done / total) * 100)}% of the id range copied`),
      ),
      copyDimensions(snapshot.clients[1], options.dates, options.timeZone, files),
    ]);
  } finally {
    await snapshot.release();
  }
  const session = await openDuckDb({ memoryLimit: '4GB', tempDirectory: path.join(work, 'duckdb-tmp') });
  try {
    progress('joining analysis sets in DuckDB and writing Parquet to staging');
    const datasets = await buildDatasets({
      connection: session.connection,
      lakeDir: options.lakeDir,
      files,
      stagingDir: options.stagingDir,
      dates: options.dates,
      snapshotDate: dateInZone(snapshot.snapshotAt, options.timeZone),
      timeZone: options.timeZone,
      pseudonymKey: options.pseudonymKey,
      onProgress: progress,
    });
    const [row] = await readRows(
      session.connection,
      `SELECT (SELECT count(*) FROM x_orders) + (SELECT count(*) FROM x_order_items) + (SELECT count(*) FROM x_reviews)
            + (SELECT count(*) FROM x_users) + (SELECT count(*) FROM x_products) + (SELECT count(*) FROM x_variants) AS n`,
    );
    return {
      datasets,
      rowsIn: Number(row?.n ?? 0),
      rowsOut: datasets.reduce((sum, dataset) => sum + dataset.rows, 0),
      snapshotAt: snapshot.snapshotAt,
    };
  } finally {
    session.close();
    await rm(work, { recursive: true, force: true });
  }
}
