import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

import { INSIGHT_DATASETS, type InsightDataset } from './curated-schemas.js';

/** A row from DuckDB with plain JS values (BIGINT → number when exact, DATE → 'YYYY-MM-DD'). */
export type InsightRow = Record<string, unknown>;

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date) return value;
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  return value;
}

function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

interface DatasetState {
  /** newest Parquet file modification time, ms; 0 when there are no files */
  newestMs: number;
  fileCount: number;
}

function scan(dir: string): DatasetState {
  let newestMs = 0;
  let fileCount = 0;
  const walk = (current: string): void => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      // staging and temporary files (written before an atomic rename) are not part of the data
      if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.parquet')) {
        fileCount += 1;
        newestMs = Math.max(newestMs, statSync(full).mtimeMs);
      }
    }
  };
  walk(dir);
  return { newestMs, fileCount };
}

/**
 * Read access to the lake for the dashboards: one in-process DuckDB whose views (`sales`,
 * `reviews`, `product_day`, `products`, `survey_responses`) follow the published Parquet files.
 * Views are rebuilt when files change; a missing dataset reads as an empty table.
 */
export class InsightsLake {
  private readonly states = new Map<InsightDataset, DatasetState>();
  private scannedAt = 0;
  private rebuilding: Promise<void> | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly dataDir: string,
  ) {}

  static async open(dataDir: string, options: { threads?: number; memoryLimit?: string } = {}): Promise<InsightsLake> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(options.threads ?? 2),
      memory_limit: options.memoryLimit ?? '2GB',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const lake = new InsightsLake(instance, dataDir);
    await lake.refreshViews(true);
    return lake;
  }

  /** Folder of a dataset's files. */
  datasetDir(dataset: InsightDataset): string {
    const spec = INSIGHT_DATASETS[dataset];
    return path.join(this.dataDir, 'lake', spec.zone, 'dir' in spec ? spec.dir : dataset);
  }

  private async refreshViews(isForced = false): Promise<void> {
    // a scan is a directory walk: at most once a second, whatever the request rate
    if (!isForced && Date.now() - this.scannedAt < 1_000) return;
    this.scannedAt = Date.now();
    const changed: InsightDataset[] = [];
    for (const dataset of Object.keys(INSIGHT_DATASETS) as InsightDataset[]) {
      const state = scan(this.datasetDir(dataset));
      const previous = this.states.get(dataset);
      if (isForced || !previous || previous.newestMs !== state.newestMs || previous.fileCount !== state.fileCount) changed.push(dataset);
      this.states.set(dataset, state);
    }
    if (changed.length === 0) return;
    const connection = await this.instance.connect();
    try {
      for (const dataset of changed) await this.createView(connection, dataset);
    } finally {
      connection.closeSync();
    }
  }

  private async createView(connection: Awaited<ReturnType<DuckDBInstance['connect']>>, dataset: InsightDataset): Promise<void> {
    const columns: Record<string, string> = INSIGHT_DATASETS[dataset].columns;
    const state = this.states.get(dataset);
    if (!state || state.fileCount === 0) {
      const list = Object.entries(columns).map(([name, type]) => `NULL::${type} AS ${name}`).join(', ');
      await connection.run(`CREATE OR REPLACE VIEW ${dataset} AS SELECT ${list} WHERE false`);
      return;
    }
    const source = `read_parquet(${sqlLiteral(path.join(this.datasetDir(dataset), '**', '*.parquet'))}, hive_partitioning = true, union_by_name = true)`;
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
    const present = new Set(described.getRowObjectsJS().map((row) => String(row.column_name)));
    // columns an older file set lacks read as NULL, so a new column never breaks a dashboard
    const list = Object.entries(columns)
      .map(([name, type]) => (present.has(name) ? `TRY_CAST(${name} AS ${type}) AS ${name}` : `NULL::${type} AS ${name}`))
      .join(', ');
    await connection.run(`CREATE OR REPLACE VIEW ${dataset} AS SELECT ${list} FROM ${source}`);
  }

  /** Runs a read query with bound parameters over the current views. */
  async query<T extends InsightRow = InsightRow>(sql: string, params: DuckDBValue[] = []): Promise<T[]> {
    this.rebuilding ??= this.refreshViews().finally(() => (this.rebuilding = undefined));
    await this.rebuilding;
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(sql, params);
      // plain() converts DuckDB's value union to plain JSON-friendly values; T names the
      // columns the caller's own SQL selects
      return reader.getRowObjectsJS().map((row) => plain(row) as T);
    } finally {
      connection.closeSync();
    }
  }

  /** When the newest file of these datasets was written: the dashboards' "data as of". */
  asOf(datasets: readonly InsightDataset[]): Date | null {
    const newest = Math.max(0, ...datasets.map((dataset) => this.states.get(dataset)?.newestMs ?? 0));
    return newest > 0 ? new Date(newest) : null;
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
    this.instance.closeSync();
  }
}
