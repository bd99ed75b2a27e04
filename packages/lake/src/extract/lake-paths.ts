import path from 'node:path';

/**
 * Where the pipeline's zones live under the lake root (`$THREADLINE_DATA_DIR/lake`):
 * raw/ (landed as received: clickstream, surveys), staging/ (a run's output before the quality
 * gate), curated/ (published, read by the catalog and queries). Folders starting with `_` hold
 * bookkeeping (publish journals, replaced partitions) and are never catalogued.
 */
export const ZONE_DIRS = { raw: 'raw', staging: 'staging', curated: 'curated' } as const;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** `lake/curated/<dataset>` */
export function curatedDir(lakeDir: string, dataset: string): string {
  return path.join(lakeDir, ZONE_DIRS.curated, dataset);
}

/** `lake/staging/run-<id>` — everything one run writes before publish. */
export function runStagingDir(lakeDir: string, runId: number | string): string {
  return path.join(lakeDir, ZONE_DIRS.staging, `run-${runId}`);
}

/** The Hive folder name of a date partition. */
export function datePartition(date: string): string {
  if (!isIsoDate(date)) throw new Error(`not a date (YYYY-MM-DD): "${date}"`);
  return `dt=${date}`;
}

/** Every date from `from` to `to` inclusive (UTC calendar arithmetic; dates have no zone). */
export function dateRange(from: string, to: string): string[] {
  if (!isIsoDate(from) || !isIsoDate(to)) throw new Error('dates must be YYYY-MM-DD');
  const dates: string[] = [];
  for (let day = new Date(`${from}T00:00:00Z`); day <= new Date(`${to}T00:00:00Z`); day.setUTCDate(day.getUTCDate() + 1)) {
    dates.push(day.toISOString().slice(0, 10));
  }
  return dates;
}

/** The calendar date of an instant in a time zone, e.g. the shop's "yesterday". */
export function dateInZone(instant: Date, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

/** `date` plus `days` (negative to go back). */
export function addDays(date: string, days: number): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}
