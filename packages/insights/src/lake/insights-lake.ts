import type { DuckDBConnection, DuckDBInstance, DuckDBValue } from '@duckdb/node-api';
import type { DateWindow } from '@threadline/domain';

import {
  connectDuckDb,
  createDuckDbInstance,
  curatedDatasetGlob,
  LakeMirror,
  lakeRoot,
  trackDuckDbMemory,
  sqlLiteral,
  toPlainValue,
  type DuckDbLimits,
} from '@threadline/lake';

import { INSIGHT_DATASETS, type InsightDataset } from './curated-schemas.js';
import { SOLD } from './sold.js';

/** A row from DuckDB with plain JS values (BIGINT → number when exact, DATE → Date). */
export type InsightRow = Record<string, unknown>;

/** What an analysis needs from the lake: bound-parameter SQL over the dataset views. */
export interface InsightQuery {
  query<T extends InsightRow = InsightRow>(sql: string, params?: DuckDBValue[]): Promise<T[]>;
}

/**
 * The datasets `covers` answers for, and which of their rows count for the dates they cover:
 * `sales` counts the dates of its sold lines, the only ones its rollup `sales_orders` has rows for
 * (a day of cancelled orders only has none there, and the lines count none for it either). Only
 * these are scanned for their dates when their files change — not the hourly clickstream rollup or
 * the product-day table, which no rollup stands in for.
 */
const DATED_ROWS: Partial<Record<InsightDataset, { needs?: string; where: string }>> = {
  sales: { needs: 'status', where: SOLD },
  sales_orders: { where: 'true' },
  reviews: { where: 'true' },
};

interface DatasetState {
  /** newest Parquet file modification time, ms; 0 when there are no files */
  newestMs: number;
  fileCount: number;
}

/** DuckDB caps (the configuration's `duckdb` section) and where the files are listed. */
export interface InsightsLakeOptions extends DuckDbLimits {
  /**
   * The lake (`lakeFromConfig(config)`; default: the local lake under `dataDir`). The listing —
   * what decides freshness and the cache fingerprint — goes through its storage; DuckDB reads
   * the mirror's local files (on S3 the read cache, synced when a dataset's listing changes).
   */
  lake?: LakeMirror;
}

/**
 * Read access to the lake for the dashboards: one in-process DuckDB (the lake's policy: UTC,
 * no extension autoload, capped threads and memory) whose views — one per `INSIGHT_DATASETS`
 * entry: `sales`, `reviews`, `product_day`, `products`, `survey_responses`, `clickstream_hourly` —
 * follow the published Parquet files. Views are rebuilt when files change; a missing dataset
 * reads as an empty table.
 */
export class InsightsLake implements InsightQuery {
  private readonly states = new Map<InsightDataset, DatasetState>();
  /** The dates each dataset has rows for, read from its `dt` values when its files change. */
  private readonly dates = new Map<InsightDataset, ReadonlySet<string>>();
  private scannedAt = 0;
  private rebuilding: Promise<void> | undefined;
  private readonly untrack: () => void;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly lake: LakeMirror,
    readonly dataDir: string,
  ) {
    // its buffers show on the process's threadline_duckdb_memory_bytes{database="insights"}
    this.untrack = trackDuckDbMemory('insights', instance);
  }

  static async open(dataDir: string, options: InsightsLakeOptions = {}): Promise<InsightsLake> {
    const mirror = options.lake ?? LakeMirror.local(lakeRoot(dataDir));
    const instance = await createDuckDbInstance({ threads: options.threads, memoryLimit: options.memoryLimit });
    const lake = new InsightsLake(instance, mirror, dataDir);
    try {
      await lake.refreshViews(true);
    } catch (error) {
      lake.untrack();
      instance.closeSync();
      throw error;
    }
    return lake;
  }

  /** Lake key prefix of a dataset's files, e.g. `curated/sales/`. */
  private datasetPrefix(dataset: InsightDataset): string {
    const spec = INSIGHT_DATASETS[dataset];
    return `${spec.zone}/${'dir' in spec ? spec.dir : dataset}/`;
  }

  private async scan(dataset: InsightDataset): Promise<DatasetState> {
    let newestMs = 0;
    let fileCount = 0;
    // the files readers see: on S3, each partition at the generation its pointer names
    for (const file of await this.lake.listCurrent(this.datasetPrefix(dataset))) {
      if (!file.key.endsWith('.parquet')) continue;
      fileCount += 1;
      newestMs = Math.max(newestMs, file.modifiedMs);
    }
    return { newestMs, fileCount };
  }

  private async refreshViews(isForced = false): Promise<void> {
    // a scan is a directory listing: at most once a second, whatever the request rate
    if (!isForced && Date.now() - this.scannedAt < 1_000) return;
    this.scannedAt = Date.now();
    const changed: InsightDataset[] = [];
    for (const dataset of Object.keys(INSIGHT_DATASETS) as InsightDataset[]) {
      const state = await this.scan(dataset);
      const previous = this.states.get(dataset);
      if (isForced || !previous || previous.newestMs !== state.newestMs || previous.fileCount !== state.fileCount) changed.push(dataset);
      this.states.set(dataset, state);
    }
    if (changed.length === 0) return;
    const connection = await connectDuckDb(this.instance);
    try {
      for (const dataset of changed) await this.createView(connection, dataset);
    } finally {
      connection.closeSync();
    }
  }

  private async createView(connection: DuckDBConnection, dataset: InsightDataset): Promise<void> {
    const columns: Record<string, string> = INSIGHT_DATASETS[dataset].columns;
    const state = this.states.get(dataset);
    if (!state || state.fileCount === 0) {
      const list = Object.entries(columns).map(([name, type]) => `NULL::${type} AS ${name}`).join(', ');
      await connection.run(`CREATE OR REPLACE VIEW ${dataset} AS SELECT ${list} WHERE false`);
      this.dates.set(dataset, new Set());
      return;
    }
    // on S3: download the objects whose ETag changed into the read cache (local: the lake itself)
    const dir = await this.lake.sync(this.datasetPrefix(dataset));
    // `dt` is the folder's key in day partitions and a column of the file in month partitions:
    // the view reads it the same either way
    const source = `read_parquet(${sqlLiteral(curatedDatasetGlob(dir, { anyDepth: true }))}, hive_partitioning = true, union_by_name = true)`;
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const present = new Set(described.getRowObjectsJS().map((row) => String(row.column_name)));
    // the dates with rows, from the `dt` values (sorted inside a month file, so a cheap scan of
    // one column), not from folder names: a month folder holds many dates
    const rule = DATED_ROWS[dataset];
    if (rule && present.has('dt')) {
      const counted = rule.needs === undefined || present.has(rule.needs) ? rule.where : 'true';
      const reader = await connection.runAndReadAll(`SELECT DISTINCT strftime(dt::DATE, '%Y-%m-%d') AS dt FROM ${source} WHERE dt IS NOT NULL AND (${counted})`);
      this.dates.set(dataset, new Set(reader.getRowObjectsJS().map((row) => String(row.dt))));
    } else {
      this.dates.set(dataset, new Set());
    }
    // columns an older file set lacks read as NULL, so a new column never breaks a dashboard
    const list = Object.entries(columns)
      .map(([name, type]) => (present.has(name) ? `TRY_CAST(${name} AS ${type}) AS ${name}` : `NULL::${type} AS ${name}`))
      .join(', ');
    await connection.run(`CREATE OR REPLACE VIEW ${dataset} AS SELECT ${list} FROM ${source}`);
  }

  /**
   * Brings the file listing — and with it `version()` and `asOf()` — up to date (a directory
   * listing at most once a second; views rebuilt only for datasets whose files changed), without
   * running a query: what a cached answer needs before its fingerprint is compared.
   */
  async ensureCurrent(): Promise<void> {
    this.rebuilding ??= this.refreshViews().finally(() => (this.rebuilding = undefined));
    await this.rebuilding;
  }

  /** Runs a read query with bound parameters over the current views. */
  async query<T extends InsightRow = InsightRow>(sql: string, params: DuckDBValue[] = []): Promise<T[]> {
    await this.ensureCurrent();
    const connection = await connectDuckDb(this.instance);
    try {
      const reader = await connection.runAndReadAll(sql, params);
      // toPlainValue converts DuckDB's value union to plain JSON-friendly values; T names the
      // columns the caller's own SQL selects
      return reader.getRowObjectsJS().map((row) => toPlainValue(row) as T);
    } finally {
      connection.closeSync();
    }
  }

  /** When the newest file of these datasets was written: the dashboards' "data as of". */
  asOf(datasets: readonly InsightDataset[]): Date | null {
    const newest = Math.max(0, ...datasets.map((dataset) => this.states.get(dataset)?.newestMs ?? 0));
    return newest > 0 ? new Date(newest) : null;
  }

  /**
   * Whether `dataset` has rows for every date `reference` has rows for within the window (as of
   * the last listing; the dates are read from the files' `dt` values): a rollup written beside its
   * source by the same runs can then stand in for it over that window. True when `reference` has
   * no rows there.
   *
   * @example
   * lake.covers('sales_orders', 'sales', { from: '2026-11-01', to: '2026-11-30' })
   */
  covers(dataset: InsightDataset, reference: InsightDataset, window: DateWindow): boolean {
    for (const name of [dataset, reference]) if (!DATED_ROWS[name]) throw new Error(`covers: the dates of ${name} are not tracked (only ${Object.keys(DATED_ROWS).join(', ')})`);
    const have = this.dates.get(dataset) ?? new Set<string>();
    for (const date of this.dates.get(reference) ?? []) {
      if (date >= window.from && date <= window.to && !have.has(date)) return false;
    }
    return true;
  }

  /** A fingerprint of the files behind these datasets: cached results older than it are stale. */
  version(datasets: readonly InsightDataset[]): string {
    return datasets.map((dataset) => `${dataset}:${this.states.get(dataset)?.fileCount ?? 0}:${this.states.get(dataset)?.newestMs ?? 0}`).join('|');
  }

  /** Re-reads the file listing now (after a pipeline run). */
  async refresh(): Promise<void> {
    await this.refreshViews(true);
  }

  close(): void {
    this.untrack();
    this.instance.closeSync();
  }
}
