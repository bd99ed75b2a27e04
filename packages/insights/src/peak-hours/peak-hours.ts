import path from 'node:path';

import { CLICKSTREAM_ROLLUP_DATASET, DEVICE_CLASSES, REGIONS, isValidDate, type DeviceClass, type Region } from '@threadline/lake';

/**
 * Analysis 5.1 — the hours users visit most — over the clickstream's hourly rollup
 * (`lake/curated/clickstream_hourly/dt=*\/rollup.parquet`, built at compaction), never over raw
 * events, so 90 days of tens of millions of events answer in tens of milliseconds.
 *
 * Metrics per hour of day (and per weekday × hour):
 * - `visits`: page views (page_view + product_view events);
 * - `sessions` / `visitors`: distinct sessions / visitors active in that hour, summed over the
 *   days of the window (a visitor seen at 10:00 on Monday and Tuesday counts twice: "visitor-hours");
 * - `conversions`: paid orders (order_paid events), `conversionRate` = conversions / sessions.
 * Two clocks: the shop's time zone (`tz`, default the configured shop zone) and each visitor's own
 * local time. The date window is applied on the same clock as the breakdown. Bots are excluded
 * unless `includeBots`.
 */
export interface PeakHourFilters {
  from: string;
  to: string;
  /** IANA zone of the "shop time" view. */
  timeZone: string;
  region?: Region;
  device?: DeviceClass;
  includeBots?: boolean;
  /** How many top hours to list (default 3). */
  top?: number;
}

export interface HourFigures {
  hour: number;
  visits: number;
  sessions: number;
  visitors: number;
  conversions: number;
  /** visits in this hour / visits in all hours; null when there were no visits. */
  share: number | null;
  conversionRate: number | null;
}

export interface HeatCell {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  hour: number;
  visits: number;
  sessions: number;
  conversions: number;
}

export interface WeekFigures {
  /** Monday of the week (shop time zone). */
  weekStart: string;
  visits: number;
  sessions: number;
  visitors: number;
  conversions: number;
  /** Change of visits vs the previous week, e.g. 0.12 = +12 %; null for the first week or from 0. */
  visitsChange: number | null;
  peakHour: number | null;
}

export interface PeakHoursResult {
  window: { from: string; to: string };
  timeZone: string;
  filters: { region: Region | null; device: DeviceClass | null; includeBots: boolean };
  totals: { visits: number; sessions: number; visitors: number; conversions: number };
  byHour: HourFigures[];
  byHourLocal: HourFigures[];
  heatmap: HeatCell[];
  heatmapLocal: HeatCell[];
  topPeaks: HourFigures[];
  topPeaksLocal: HourFigures[];
  /** Hour (shop time) with the fewest visits: the recommended maintenance window. */
  quietestHour: HourFigures | null;
  weekly: WeekFigures[];
}

/** Something that runs DuckDB SQL with bound parameters (`LakeDb.all`, `InsightsLake.query`). */
export type SqlRunner = (sql: string, params: Array<string | number | boolean | null>) => Promise<Array<Record<string, unknown>>>;

export class PeakHoursInputError extends Error {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'PeakHoursInputError';
  }
}

const ZONES = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);

/** Checks filters at the edge; names the field at fault. */
export function checkPeakHourFilters(filters: PeakHourFilters): PeakHourFilters {
  if (!isValidDate(filters.from)) throw new PeakHoursInputError('from', 'from must be a date YYYY-MM-DD');
  if (!isValidDate(filters.to)) throw new PeakHoursInputError('to', 'to must be a date YYYY-MM-DD');
  if (filters.from > filters.to) throw new PeakHoursInputError('from', 'from must not be after to');
  if ((Date.parse(filters.to) - Date.parse(filters.from)) / 86_400_000 > 3660) throw new PeakHoursInputError('from', 'the window may span at most 10 years');
  if (!ZONES.has(filters.timeZone)) throw new PeakHoursInputError('tz', `unknown IANA time zone "${filters.timeZone}"`);
  if (filters.region !== undefined && !(REGIONS as readonly string[]).includes(filters.region)) {
    throw new PeakHoursInputError('region', `region must be one of ${REGIONS.join(', ')}`);
  }
  if (filters.device !== undefined && !(DEVICE_CLASSES as readonly string[]).includes(filters.device)) {
    throw new PeakHoursInputError('device', `device must be one of ${DEVICE_CLASSES.join(', ')}`);
  }
  if (filters.top !== undefined && (!Number.isInteger(filters.top) || filters.top < 1 || filters.top > 24)) throw new PeakHoursInputError('top', 'top must be 1-24');
  return filters;
}

/** Glob of the rollup files under a data directory. */
export function rollupGlob(dataDir: string): string {
  return path.join(dataDir, 'lake', 'curated', CLICKSTREAM_ROLLUP_DATASET, '*', '*.parquet');
}

function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/**
 * Computes the peak-hour analysis. `files` is the rollup glob (or a list of files); with no
 * rollup files at all every figure is zero (an empty state, not an error).
 *
 * @example
 * const result = await peakHours((sql, p) => db.all(sql, p), rollupGlob(config.dataDir),
 *   { from: '2026-01-01', to: '2026-03-31', timeZone: config.shopTimeZone, region: 'europe' });
 */
export async function peakHours(run: SqlRunner, files: string | string[], input: PeakHourFilters): Promise<PeakHoursResult> {
  const filters = checkPeakHourFilters(input);
  const top = filters.top ?? 3;
  const fileList = Array.isArray(files) ? files : [files];
  const empty = emptyResult(filters);
  if (fileList.length === 0) return empty;
  if (typeof files === 'string' && !(await run('SELECT count(*) AS n FROM glob(?)', [files])).some((r) => num(r.n) > 0)) return empty;

  const source = `read_parquet([${fileList.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ')}], hive_partitioning = true)`;
  // dt (UTC day) prunes files before any zone math: a local day lies within UTC day ±1
  const base = `
    WITH r AS (
      SELECT timezone($1::VARCHAR, hour_utc) AS shop_time, local_hour, page_views, sessions, visitors, conversions
        FROM ${source}
       WHERE dt BETWEEN $2::DATE - 1 AND $3::DATE + 1
         AND ($4::BOOLEAN OR NOT is_bot)
         AND ($5::VARCHAR IS NULL OR region = $5::VARCHAR)
         AND ($6::VARCHAR IS NULL OR device = $6::VARCHAR)
    )`;
  const params = [filters.timeZone, filters.from, filters.to, filters.includeBots ?? false, filters.region ?? null, filters.device ?? null];
  const named = async (sql: string): Promise<Array<Record<string, unknown>>> => run(sql, params);

  const hourly = async (clock: 'shop_time' | 'local_hour'): Promise<HourFigures[]> => {
    const rows = await named(`${base}
      SELECT hour(${clock}) AS hour, sum(page_views) AS visits, sum(sessions) AS sessions, sum(visitors) AS visitors, sum(conversions) AS conversions
        FROM r WHERE ${clock} >= $2::TIMESTAMP AND ${clock} < $3::DATE + INTERVAL 1 DAY
       GROUP BY 1 ORDER BY 1`);
    return fillHours(rows);
  };
  const heat = async (clock: 'shop_time' | 'local_hour'): Promise<HeatCell[]> => {
    const rows = await named(`${base}
      SELECT isodow(${clock}) AS weekday, hour(${clock}) AS hour, sum(page_views) AS visits, sum(sessions) AS sessions, sum(conversions) AS conversions
        FROM r WHERE ${clock} >= $2::TIMESTAMP AND ${clock} < $3::DATE + INTERVAL 1 DAY
       GROUP BY 1, 2`);
    const cells = new Map(rows.map((row) => [`${num(row.weekday)}-${num(row.hour)}`, row]));
    const out: HeatCell[] = [];
    for (let weekday = 1; weekday <= 7; weekday += 1) {
      for (let hour = 0; hour < 24; hour += 1) {
        const row = cells.get(`${weekday}-${hour}`);
        out.push({ weekday, hour, visits: num(row?.visits), sessions: num(row?.sessions), conversions: num(row?.conversions) });
      }
    }
    return out;
  };
  const weeklyRows = await named(`${base}
    , w AS (
      SELECT date_trunc('week', shop_time)::DATE AS week_start, hour(shop_time) AS hour,
             sum(page_views) AS visits, sum(sessions) AS sessions, sum(visitors) AS visitors, sum(conversions) AS conversions
        FROM r WHERE shop_time >= $2::TIMESTAMP AND shop_time < $3::DATE + INTERVAL 1 DAY
       GROUP BY 1, 2
    )
    SELECT week_start::VARCHAR AS week_start, sum(visits) AS visits, sum(sessions) AS sessions, sum(visitors) AS visitors, sum(conversions) AS conversions,
           arg_max(hour, visits * 100 - hour) AS peak_hour
      FROM w GROUP BY 1 ORDER BY 1`);

  const byHour = await hourly('shop_time');
  const byHourLocal = await hourly('local_hour');
  const totals = byHour.reduce((t, h) => ({ visits: t.visits + h.visits, sessions: t.sessions + h.sessions, visitors: t.visitors + h.visitors, conversions: t.conversions + h.conversions }), empty.totals);
  let previous: number | undefined;
  const weekly: WeekFigures[] = weeklyRows.map((row) => {
    const visits = num(row.visits);
    const change = previous === undefined ? null : ratio(visits - previous, previous);
    previous = visits;
    return { weekStart: String(row.week_start), visits, sessions: num(row.sessions), visitors: num(row.visitors), conversions: num(row.conversions), visitsChange: change, peakHour: row.peak_hour === null ? null : num(row.peak_hour) };
  });
  return {
    ...empty,
    totals,
    byHour,
    byHourLocal,
    heatmap: await heat('shop_time'),
    heatmapLocal: await heat('local_hour'),
    topPeaks: topHours(byHour, top),
    topPeaksLocal: topHours(byHourLocal, top),
    quietestHour: totals.visits === 0 ? null : ([...byHour].sort((a, b) => a.visits - b.visits || a.hour - b.hour)[0] ?? null),
    weekly,
  };
}

function fillHours(rows: Array<Record<string, unknown>>): HourFigures[] {
  const byHour = new Map(rows.map((row) => [num(row.hour), row]));
  const hours = Array.from({ length: 24 }, (_, hour) => {
    const row = byHour.get(hour);
    const sessions = num(row?.sessions);
    const conversions = num(row?.conversions);
    return { hour, visits: num(row?.visits), sessions, visitors: num(row?.visitors), conversions, share: null as number | null, conversionRate: ratio(conversions, sessions) };
  });
  const total = hours.reduce((sum, h) => sum + h.visits, 0);
  for (const h of hours) h.share = ratio(h.visits, total);
  return hours;
}

/** Busiest hours first; ties go to the earlier hour so the answer is stable. Hours with no visits are not peaks. */
function topHours(hours: HourFigures[], top: number): HourFigures[] {
  return [...hours].filter((h) => h.visits > 0).sort((a, b) => b.visits - a.visits || a.hour - b.hour).slice(0, top);
}

function emptyResult(filters: PeakHourFilters): PeakHoursResult {
  const zeroHours = fillHours([]);
  const zeroHeat: HeatCell[] = [];
  for (let weekday = 1; weekday <= 7; weekday += 1) for (let hour = 0; hour < 24; hour += 1) zeroHeat.push({ weekday, hour, visits: 0, sessions: 0, conversions: 0 });
  return {
    window: { from: filters.from, to: filters.to },
    timeZone: filters.timeZone,
    filters: { region: filters.region ?? null, device: filters.device ?? null, includeBots: filters.includeBots ?? false },
    totals: { visits: 0, sessions: 0, visitors: 0, conversions: 0 },
    byHour: zeroHours,
    byHourLocal: zeroHours,
    heatmap: zeroHeat,
    heatmapLocal: zeroHeat,
    topPeaks: [],
    topPeaksLocal: [],
    quietestHour: null,
    weekly: [],
  };
}
