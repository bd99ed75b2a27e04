import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { isIsoDate } from '@threadline/domain';

import { LakeError } from './errors.js';

/**
 * The lake layout, shared by every producer (clickstream flusher, nightly extract, survey import)
 * and every reader (catalog, SQL over the lake, insights):
 *
 * ```
 * <dataDir>/lake/
 *   raw/<dataset>/dt=YYYY-MM-DD/hour=HH/*.parquet     (clickstream, by event time UTC)
 *   raw/<dataset>/<key>=<value>/...                    (other raw inputs, e.g. survey upload_date=)
 *   staging/<dataset>/...                              (work in progress, never read by queries)
 *   curated/<dataset>/month=YYYY-MM/*.parquet          (published, quality-checked; `dt` a sorted column in the file)
 *   curated/products/dt=YYYY-MM-DD/*.parquet           (the daily product snapshot)
 * ```
 *
 * The nightly run's date datasets (`sales`, `sales_orders`, `reviews`, `product_day`) are
 * partitioned by month: one file per month instead of one per day, with `dt` kept inside the file,
 * sorted, so readers prune on its row-group statistics. Lakes written before keep `dt=` day
 * folders until the next nightly run converts each dataset whole (never a mix of both keys in one
 * dataset: DuckDB's `hive_partitioning` refuses that).
 *
 * Keys follow Hive `key=value` naming so DuckDB (`hive_partitioning`) and Athena/Glue read them as
 * columns. Every key and value is validated before it becomes a path so a bad value can never
 * escape the lake root or produce an unreadable partition.
 */

export const LAKE_ZONES = ['raw', 'staging', 'curated'] as const;
export type LakeZone = (typeof LAKE_ZONES)[number];

/** Dataset and partition key names: lower snake case, start with a letter. */
const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
/** Partition values: no separators, no `..`, nothing a shell or URL would mangle. */
const VALUE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/**
 * Where the zones live under the lake root: raw/ (landed as received: clickstream, surveys),
 * staging/ (a run's output before the quality gate), curated/ (published, read by the catalog and
 * queries). Folders starting with `_` hold bookkeeping (publish journals, replaced partitions) and
 * are never catalogued.
 */
export const ZONE_DIRS = { raw: 'raw', staging: 'staging', curated: 'curated' } as const;

/** The lake root for a data directory. */
export function lakeRoot(dataDir: string): string {
  return path.join(dataDir, 'lake');
}

/** Checks a zone name. */
export function assertZone(zone: string): asserts zone is LakeZone {
  if (!(LAKE_ZONES as readonly string[]).includes(zone)) {
    throw new LakeError('INVALID_PARTITION', `unknown lake zone "${zone}" (expected ${LAKE_ZONES.join(', ')})`);
  }
}

/** Checks a dataset or partition key name. */
export function assertName(kind: string, name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new LakeError('INVALID_PARTITION', `invalid ${kind} "${name}": expected lower snake case (a-z, 0-9, _)`);
  }
}

/** Checks a partition value for a key; `dt` must be a real date and `hour` 00–23. */
export function assertPartitionValue(key: string, value: string): void {
  if (key === 'dt' && !isIsoDate(value)) {
    throw new LakeError('INVALID_PARTITION', `invalid dt "${value}": expected a calendar date YYYY-MM-DD`);
  }
  if (key === 'month' && !isMonth(value)) {
    throw new LakeError('INVALID_PARTITION', `invalid month "${value}": expected YYYY-MM`);
  }
  if (key === 'hour' && !/^(?:[01]\d|2[0-3])$/.test(value)) {
    throw new LakeError('INVALID_PARTITION', `invalid hour "${value}": expected 00-23`);
  }
  if (!VALUE_PATTERN.test(value) || value.includes('..')) {
    throw new LakeError('INVALID_PARTITION', `invalid value "${value}" for partition key "${key}"`);
  }
}

/** One partition key with its value, in path order. */
export interface PartitionKey {
  key: string;
  value: string;
}

/** Builds the relative path `k1=v1/k2=v2` from validated keys. */
export function partitionPath(keys: readonly PartitionKey[]): string {
  return keys
    .map(({ key, value }) => {
      assertName('partition key', key);
      assertPartitionValue(key, value);
      return `${key}=${value}`;
    })
    .join('/');
}

/**
 * Parses Hive `key=value` segments from a path (relative or absolute). Segments that are not
 * `key=value` are skipped; a malformed key or value throws.
 *
 * @example
 * parsePartitionPath('raw/clickstream/dt=2026-03-08/hour=07/part-1.parquet')
 * // → [{ key: 'dt', value: '2026-03-08' }, { key: 'hour', value: '07' }]
 */
export function parsePartitionPath(relativePath: string): PartitionKey[] {
  const keys: PartitionKey[] = [];
  for (const segment of relativePath.split(/[\\/]/)) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const key = segment.slice(0, eq);
    const value = segment.slice(eq + 1);
    assertName('partition key', key);
    assertPartitionValue(key, value);
    keys.push({ key, value });
  }
  return keys;
}

/** A UTC hour partition of an event-time dataset. */
export interface HourPartition {
  /** `YYYY-MM-DD` (UTC). */
  dt: string;
  /** 0–23 (UTC). */
  hour: number;
}

/** The UTC hour partition an instant falls in. */
export function hourPartitionOf(epochMs: number): HourPartition {
  const iso = new Date(epochMs).toISOString();
  return { dt: iso.slice(0, 10), hour: Number(iso.slice(11, 13)) };
}

/** `dt=YYYY-MM-DD/hour=HH` for an hour partition. */
export function hourPartitionPath(partition: HourPartition): string {
  if (!Number.isInteger(partition.hour) || partition.hour < 0 || partition.hour > 23) {
    throw new LakeError('INVALID_PARTITION', `invalid hour ${partition.hour}: expected 0-23`);
  }
  return partitionPath([
    { key: 'dt', value: partition.dt },
    { key: 'hour', value: String(partition.hour).padStart(2, '0') },
  ]);
}

/** Parses `dt=YYYY-MM-DD/hour=HH` (anywhere in a path); undefined when either key is missing. */
export function parseHourPartition(relativePath: string): HourPartition | undefined {
  const keys = parsePartitionPath(relativePath);
  const dt = keys.find((k) => k.key === 'dt')?.value;
  const hour = keys.find((k) => k.key === 'hour')?.value;
  if (dt === undefined || hour === undefined) return undefined;
  return { dt, hour: Number(hour) };
}

/** `dt=YYYY-MM-DD` for a day partition. */
export function dayPartitionPath(dt: string): string {
  return partitionPath([{ key: 'dt', value: dt }]);
}

/** Relative (to the lake root) directory of a dataset in a zone, e.g. `raw/clickstream`. */
export function datasetPath(zone: LakeZone, dataset: string): string {
  assertZone(zone);
  assertName('dataset', dataset);
  return `${zone}/${dataset}`;
}

/** Absolute directory of a dataset in a zone under a data directory. */
export function datasetDir(dataDir: string, zone: LakeZone, dataset: string): string {
  return path.join(lakeRoot(dataDir), datasetPath(zone, dataset));
}

/** Where the clickstream lands: raw zone, dataset `clickstream`. */
export const CLICKSTREAM_DATASET = 'clickstream';
/** Hourly rollup of the clickstream (UTC hour × visitor zone × segment), built at compaction. */
export const CLICKSTREAM_ROLLUP_DATASET = 'clickstream_hourly';
/**
 * Late events — those arriving after their hour partition was compacted — land in their own
 * dataset with the same `dt=/hour=` keys; the next compaction merges them into the hour.
 */
export const CLICKSTREAM_LATE_DATASET = 'clickstream_late';

/** `lake/curated/<dataset>` */
export function curatedDir(lakeDir: string, dataset: string): string {
  return path.join(lakeDir, ZONE_DIRS.curated, dataset);
}

/** `lake/staging/run-<id>` — everything one pipeline run writes before publish. */
export function runStagingDir(lakeDir: string, runId: number | string): string {
  return path.join(lakeDir, ZONE_DIRS.staging, `run-${runId}`);
}

/** The Hive folder name of a date partition (`dt=YYYY-MM-DD`). */
export function datePartition(date: string): string {
  if (!isIsoDate(date)) throw new LakeError('INVALID_PARTITION', `not a date (YYYY-MM-DD): "${date}"`);
  return `dt=${date}`;
}

/** True for a calendar month `YYYY-MM`. */
export function isMonth(value: string): boolean {
  return /^\d{4}-(?:0[1-9]|1[0-2])$/.test(value);
}

/** The month (`YYYY-MM`) of a date `YYYY-MM-DD`. */
export function monthOf(date: string): string {
  if (!isIsoDate(date)) throw new LakeError('INVALID_PARTITION', `not a date (YYYY-MM-DD): "${date}"`);
  return date.slice(0, 7);
}

/** The Hive folder name of a month partition (`month=YYYY-MM`). */
export function monthPartition(month: string): string {
  if (!isMonth(month)) throw new LakeError('INVALID_PARTITION', `not a month (YYYY-MM): "${month}"`);
  return `month=${month}`;
}

/**
 * The declared type of each partition key the lake writes. Without it DuckDB guesses from the
 * folder names it happens to see: `hour=14` reads as BIGINT but `hour=08` as VARCHAR, so the
 * catalog flagged a BREAKING type change whenever a morning hour (or an import of old logs)
 * first appeared. Declared once here, the schema stays the same whatever the data.
 */
export const PARTITION_KEY_TYPES: Readonly<Record<string, string>> = { dt: 'DATE', hour: 'BIGINT', month: 'VARCHAR' };

/**
 * `read_parquet` options for a Hive-partitioned table whose folders use `keys`: partition
 * discovery on, and the declared type of every known key (keys the table lacks are left out, as
 * DuckDB refuses types for keys it does not find).
 */
export function hiveReadOptions(keys: readonly string[]): string {
  const typed = keys.filter((key) => PARTITION_KEY_TYPES[key] !== undefined);
  const types = typed.map((key) => `'${key}': ${PARTITION_KEY_TYPES[key]}`).join(', ');
  return typed.length === 0 ? 'hive_partitioning = true' : `hive_partitioning = true, hive_types = {${types}}`;
}

/**
 * The Parquet files of a dataset folder as readers should take them: only its `month=` folders
 * when it has at least one, else every partition folder. A dataset is converted from `dt=` day
 * folders to months whole (one folder swap locally); on S3 the months are uploaded before the old
 * day folders are deleted, so a reader syncing in between sees both — and must not read both.
 * `anyDepth` takes files at every depth below (datasets partitioned by more than one key, such as
 * `dt=/hour=`), else the files directly inside each partition folder.
 */
export function curatedDatasetGlob(datasetDir: string, options: { anyDepth?: boolean } = {}): string {
  return curatedDatasetFiles(datasetDir, options).glob;
}

/**
 * `curatedDatasetGlob` with what it found: whether the folder has `month=` partition folders (then
 * `dt` is a column of their files, and `month` their only partition key). One listing of the folder.
 */
export function curatedDatasetFiles(datasetDir: string, options: { anyDepth?: boolean } = {}): { glob: string; hasMonths: boolean } {
  const hasMonths = existsSync(datasetDir) && readdirSync(datasetDir).some((name) => name.startsWith('month='));
  const below = options.anyDepth ? '**' : '';
  const glob = hasMonths ? path.join(datasetDir, 'month=*', below, '*.parquet') : path.join(datasetDir, options.anyDepth ? '**' : '*', '*.parquet');
  return { glob, hasMonths };
}
