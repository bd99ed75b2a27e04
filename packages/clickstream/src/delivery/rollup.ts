import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

import { CLICKSTREAM_COLUMNS } from '../collect/event.js';
import { columnList } from './columns.js';
import { sqlLiteral, type LakeDb, CLICKSTREAM_DATASET, CLICKSTREAM_LATE_DATASET, CLICKSTREAM_ROLLUP_DATASET, dayPartitionPath, hourPartitionPath, type LakeStorage } from '@threadline/lake';

/** `tier` of events imported from old web server logs (`threadline import access-logs`). */
export const IMPORTED_TIER = 'legacy-import';

/** Where a rollup row's events came from: the live shop, or history imported from old logs. */
export const TRAFFIC_SOURCES = ['live', 'import'] as const;
export type TrafficSource = (typeof TRAFFIC_SOURCES)[number];

/** A quarter hour in microseconds: the step of every time zone's UTC offset. */
const QUARTER_US = 900_000_000;

/**
 * The hourly rollup that peak-hour analysis reads instead of raw events: one row per
 * UTC hour × visitor-local hour × visitor zone × region × device × bot flag × source (live or
 * imported history, so dashboards can include or leave out the old shop's logs), with page views,
 * events, distinct sessions and visitors, carts, conversions, revenue and API/web requests.
 * One file per UTC day (`curated/clickstream_hourly/dt=YYYY-MM-DD/rollup.parquet`), so a 90-day
 * query opens 90 small files; the per-row zone conversion and DISTINCT counts are paid once here.
 *
 * `local_hour` is the visitor's wall-clock hour (a zone-less timestamp), so zones with half-hour
 * offsets split a UTC hour into two rows and every analysis in visitors' local time is exact.
 * It is converted once per zone and UTC quarter hour, not once per event (the zone conversion was
 * most of the rollup's cost: 2.4 → 1.1 s of CPU for 1M events): every zone's offset is a whole
 * number of quarter hours and changes only on a quarter-hour boundary in UTC, so all events of one
 * zone within one UTC quarter hour share the local hour of its start. An event without a zone has
 * none, as `timezone(NULL, …)` gives.
 */
export const ROLLUP_SELECT = `
  SELECT date_trunc('hour', event_time) AS hour_utc,
         local_hour,
         time_zone, region, device, is_bot,
         CASE WHEN tier = '${IMPORTED_TIER}' THEN 'import' ELSE 'live' END AS source,
         count(*) FILTER (WHERE event_type IN ('page_view', 'product_view'))::BIGINT AS page_views,
         count(*) FILTER (WHERE event_type <> 'access_log')::BIGINT AS events,
         count(DISTINCT session_id) FILTER (WHERE event_type <> 'access_log')::BIGINT AS sessions,
         count(DISTINCT visitor_id) FILTER (WHERE event_type <> 'access_log')::BIGINT AS visitors,
         count(*) FILTER (WHERE event_type = 'add_to_cart')::BIGINT AS add_to_carts,
         count(*) FILTER (WHERE event_type = 'order_paid')::BIGINT AS conversions,
         coalesce(sum(value_cents) FILTER (WHERE event_type = 'order_paid'), 0)::BIGINT AS revenue_cents,
         count(*) FILTER (WHERE event_type = 'access_log')::BIGINT AS requests
    FROM (SELECT e.*, z.local_hour
            FROM (SELECT *, epoch_us(event_time) // ${QUARTER_US} AS utc_quarter FROM events) e
            LEFT JOIN (SELECT time_zone, utc_quarter, date_trunc('hour', timezone(time_zone, to_timestamp(utc_quarter * ${QUARTER_US / 1_000_000}))) AS local_hour
                         FROM (SELECT DISTINCT time_zone, epoch_us(event_time) // ${QUARTER_US} AS utc_quarter FROM events WHERE time_zone IS NOT NULL)) z
              ON e.time_zone = z.time_zone AND e.utc_quarter = z.utc_quarter)
   GROUP BY ALL`;

/** How a day's rollup file is written. */
const ROLLUP_FILE_OPTIONS = 'FORMAT parquet, COMPRESSION zstd';
/** Rollup files put into the lake at once by `rebuildDayRollupsFromTable`. */
const ROLLUP_PUTS = 8;

/** Key of a day's rollup file. */
export function rollupKey(dt: string): string {
  return `curated/${CLICKSTREAM_ROLLUP_DATASET}/${dayPartitionPath(dt)}/rollup.parquet`;
}

/** What `rebuildDayRollup` recomputes. */
export interface RollupRebuildOptions {
  /**
   * Only these UTC hours (0–23) of the day: their rows are recomputed from those hours' raw and
   * late files and every other hour's rows are kept from the day's current rollup file. Rollup
   * rows are grouped by UTC hour and an event's hour partition is its UTC hour, so the result is
   * the same as a whole-day rebuild, at the cost of the hours that changed (the delivery loop's
   * once-a-minute refresh reads the current hour, not the whole day so far). Without a current
   * rollup file, or one of an older shape, the whole day is rebuilt.
   */
  hours?: readonly number[];
}

/**
 * Rebuilds the rollup of one UTC day from every raw (and late) file of that day, or of only some
 * hours (`options.hours`). Idempotent; the new file replaces the old one atomically. A day
 * without events loses its rollup file.
 */
export async function rebuildDayRollup(db: LakeDb, storage: LakeStorage, workDir: string, dt: string, options: RollupRebuildOptions = {}): Promise<number> {
  const dir = path.join(workDir, `rollup-${dt}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const hours = options.hours === undefined ? [] : [...new Set(options.hours)].filter((hour) => Number.isInteger(hour) && hour >= 0 && hour < 24);
    // the current file, when only some hours are recomputed and it has today's shape
    let current: string | undefined;
    if (options.hours !== undefined && (await storage.exists(rollupKey(dt)))) {
      const [file] = await localFiles(storage, [rollupKey(dt)], path.join(dir, 'current'));
      if (file !== undefined && (await hasRollupShape(db, file))) current = file;
    }
    const keys = current === undefined ? await dayKeys(storage, [dt]) : await hourKeys(storage, dt, hours);
    const parts: string[] = [];
    if (current !== undefined && hours.length < 24) {
      parts.push(`SELECT * FROM read_parquet(${sqlLiteral(current)}, hive_partitioning = false)${hours.length === 0 ? '' : ` WHERE hour(hour_utc) NOT IN (${hours.join(', ')})`}`);
    }
    if (keys.length > 0) {
      const files = await localFiles(storage, keys, dir);
      parts.push(`(${rollupOfFiles(files)})`);
    }
    const out = path.join(dir, 'rollup.parquet');
    if (parts.length > 0) await db.run(`COPY (SELECT * FROM (${parts.join(' UNION ALL ')}) ORDER BY hour_utc) TO ${sqlLiteral(out)} (${ROLLUP_FILE_OPTIONS})`);
    const [row] = parts.length === 0 ? [] : await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM read_parquet(?)', [out]);
    const rows = row?.n ?? 0;
    if (rows === 0) await storage.delete([rollupKey(dt)]);
    else await storage.put(out, rollupKey(dt));
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The rollup query over some Parquet files, streamed: `ROLLUP_SELECT` reads `events` twice (the
 * events, and their distinct zones and quarter hours), and DuckDB materialises a CTE read twice —
 * every column of every event of the files in memory at once. The delivery loop rebuilds the
 * current hour once a minute, so that copy grew with the hour: the worker's RSS peak went from
 * +51 MB at 200k events to +298 MB at 2.4M (a full hour of the soak's load), and back. `NOT
 * MATERIALIZED` scans the files twice instead (the second scan reads two columns): the peak stays
 * near +40 MB at any hour size, for slightly less CPU (1.78 → 1.53 s at 2.4M events; noisy,
 * shared machine).
 */
export function rollupOfFiles(files: readonly string[]): string {
  return `WITH events AS NOT MATERIALIZED (SELECT * FROM read_parquet([${files.map(sqlLiteral).join(', ')}], hive_partitioning = false)) ${ROLLUP_SELECT}`;
}

/** True when a rollup file has today's columns, in order (an older file is rebuilt whole). */
async function hasRollupShape(db: LakeDb, file: string): Promise<boolean> {
  const noEvents = Object.entries(CLICKSTREAM_COLUMNS).map(([name, type]) => `NULL::${type} AS ${name}`).join(', ');
  const expected = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE (WITH events AS (SELECT ${noEvents} WHERE false) ${ROLLUP_SELECT})`);
  const actual = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(file)}, hive_partitioning = false)`);
  return expected.length === actual.length && expected.every((column, index) => column.column_name === actual[index]?.column_name && column.column_type === actual[index]?.column_type);
}

/** The raw (and late) files of some UTC hours of one day. */
async function hourKeys(storage: LakeStorage, dt: string, hours: readonly number[]): Promise<string[]> {
  const prefixes = hours.flatMap((hour) => [`raw/${CLICKSTREAM_DATASET}/${hourPartitionPath({ dt, hour })}/`, `raw/${CLICKSTREAM_LATE_DATASET}/${hourPartitionPath({ dt, hour })}/`]);
  return (await Promise.all(prefixes.map((p) => storage.list(p)))).flat().filter((k) => k.endsWith('.parquet'));
}

/** The raw (and late) files of some UTC days. */
async function dayKeys(storage: LakeStorage, days: readonly string[]): Promise<string[]> {
  const prefixes = days.flatMap((dt) => [`raw/${CLICKSTREAM_DATASET}/${dayPartitionPath(dt)}/`, `raw/${CLICKSTREAM_LATE_DATASET}/${dayPartitionPath(dt)}/`]);
  return (await Promise.all(prefixes.map((p) => storage.list(p)))).flat().filter((k) => k.endsWith('.parquet'));
}

export interface HeldEventsRollupOptions {
  /** UTC days (YYYY-MM-DD) whose rollups are rebuilt; every one holds events in `table` */
  days: readonly string[];
  /** a DuckDB table with the lake's columns holding the events just written for those days */
  table: string;
  /** lake keys whose events `table` already holds (the files just written from it) */
  isHeld: (key: string) => boolean;
}

/**
 * Rebuilds the rollups of many UTC days in one pass, for a writer that still holds the events it
 * just put into the lake (the access-log import): those come from its DuckDB table, and only the
 * days' other raw and late files (live traffic, earlier imports) are read back. Same rows as
 * `rebuildDayRollup` day by day (a day left without events loses its rollup file), without
 * re-opening every hour file just written.
 */
export async function rebuildDayRollupsFromTable(db: LakeDb, storage: LakeStorage, workDir: string, options: HeldEventsRollupOptions): Promise<void> {
  if (options.days.length === 0) return;
  const dir = path.join(workDir, 'rollups');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const others = await localFiles(storage, (await dayKeys(storage, options.days)).filter((key) => !options.isHeld(key)), dir);
    const columns = columnList();
    const otherEvents = others.length === 0 ? '' : ` UNION ALL SELECT ${columns} FROM read_parquet([${others.map(sqlLiteral).join(', ')}], hive_partitioning = false)`;
    await db.run(
      `CREATE OR REPLACE TEMP TABLE held_rollups AS
         SELECT strftime(hour_utc, '%Y-%m-%d') AS dt, * FROM (WITH events AS (SELECT ${columns} FROM ${options.table}${otherEvents}) ${ROLLUP_SELECT})`,
    );
    try {
      // every day's file in one partitioned COPY (a rollup day is small), not one statement per day
      const written = path.join(dir, 'days');
      await db.run(`COPY (SELECT * FROM held_rollups ORDER BY dt, hour_utc) TO ${sqlLiteral(written)} (${ROLLUP_FILE_OPTIONS}, PARTITION_BY (dt), FILENAME_PATTERN 'rollup')`);
      // no rows at all: DuckDB may write no directory
      const files = new Set(
        await readdir(written).catch((error: unknown) => {
          if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return [];
          throw error;
        }),
      );
      const outs = new Map<string, string>();
      const empty: string[] = [];
      for (const dt of options.days) {
        // a day without events (none held, none in its files) loses its rollup, as in rebuildDayRollup
        if (files.has(`dt=${dt}`)) outs.set(dt, path.join(written, `dt=${dt}`, 'rollup0.parquet'));
        else empty.push(dt);
      }
      if (empty.length > 0) await storage.delete(empty.map(rollupKey));
      // several puts at once: each waits on a durable write, not on the CPU
      const queue = [...outs];
      let hasFailed = false;
      const put = async (): Promise<void> => {
        for (let next = queue.shift(); next !== undefined && !hasFailed; next = queue.shift()) {
          try {
            await storage.put(next[1], rollupKey(next[0]));
          } catch (error) {
            hasFailed = true;
            throw error;
          }
        }
      };
      // every put ends before the directory is removed; the first failure is the error
      const failed = (await Promise.allSettled(Array.from({ length: Math.min(ROLLUP_PUTS, queue.length) }, put))).find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    } finally {
      await db.run('DROP TABLE held_rollups');
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Local paths for lake keys: the files themselves on local storage, downloads otherwise. */
export async function localFiles(storage: LakeStorage, keys: readonly string[], dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const key of keys) {
    const local = storage.localPath(key);
    if (local) {
      files.push(local);
      continue;
    }
    const file = path.join(dir, 'in', key.replaceAll('/', '__'));
    await mkdir(path.dirname(file), { recursive: true });
    await storage.download(key, file);
    files.push(file);
  }
  return files;
}
