import path from 'node:path';

import { DEVICE_CLASSES, REGIONS, type DeviceClass, type Region } from '@threadline/clickstream';
import { isIsoDate } from '@threadline/domain';
import { CLICKSTREAM_ROLLUP_DATASET } from '@threadline/lake';

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
  if (!isIsoDate(filters.from)) throw new PeakHoursInputError('from', 'from must be a date YYYY-MM-DD');
  if (!isIsoDate(filters.to)) throw new PeakHoursInputError('to', 'to must be a date YYYY-MM-DD');
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
  // One scan of the rollup, aggregated to (shop-time hour, visitor-local hour): a few thousand rows
  // for 90 days. Every breakdown below is derived from them in memory. dt (the UTC day) prunes
  // files before any zone math: a local day lies within UTC day ±1.
  const rows = await run(
    `SELECT timezone($1::VARCHAR, hour_utc) AS shop_time, local_hour,
            sum(page_views) AS visits, sum(sessions) AS sessions, sum(visitors) AS visitors, sum(conversions) AS conversions
       FROM ${source}
      WHERE dt BETWEEN $2::DATE - 1 AND $3::DATE + 1
        AND ($4::BOOLEAN OR NOT is_bot)
        AND ($5::VARCHAR IS NULL OR region = $5::VARCHAR)
        AND ($6::VARCHAR IS NULL OR device = $6::VARCHAR)
      GROUP BY 1, 2`,
    [filters.timeZone, filters.from, filters.to, filters.includeBots ?? false, filters.region ?? null, filters.device ?? null],
  );
  const start = Date.parse(`${filters.from}T00:00:00Z`);
  const end = Date.parse(`${filters.to}T00:00:00Z`) + 86_400_000;
  // wall-clock times arrive as Dates whose UTC fields are the local fields (zone-less TIMESTAMP)
  const cells = rows.map((row) => ({ shop: wallClock(row.shop_time), local: wallClock(row.local_hour), visits: num(row.visits), sessions: num(row.sessions), visitors: num(row.visitors), conversions: num(row.conversions) }));
  const inShopWindow = cells.filter((c) => c.shop >= start && c.shop < end);
  const inLocalWindow = cells.filter((c) => c.local >= start && c.local < end);

  const byHour = hourFigures(inShopWindow, 'shop');
  const byHourLocal = hourFigures(inLocalWindow, 'local');
  const totals = byHour.reduce((t, h) => ({ visits: t.visits + h.visits, sessions: t.sessions + h.sessions, visitors: t.visitors + h.visitors, conversions: t.conversions + h.conversions }), empty.totals);

  const weeks = new Map<string, { visits: number; sessions: number; visitors: number; conversions: number; byHour: number[] }>();
  for (const c of inShopWindow) {
    const date = new Date(c.shop);
    const monday = new Date(c.shop - ((date.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
    const week = weeks.get(monday) ?? { visits: 0, sessions: 0, visitors: 0, conversions: 0, byHour: Array<number>(24).fill(0) };
    week.visits += c.visits;
    week.sessions += c.sessions;
    week.visitors += c.visitors;
    week.conversions += c.conversions;
    week.byHour[date.getUTCHours()] = (week.byHour[date.getUTCHours()] ?? 0) + c.visits;
    weeks.set(monday, week);
  }
  let previous: number | undefined;
  const weekly: WeekFigures[] = [...weeks.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([weekStart, w]) => {
      const change = previous === undefined ? null : ratio(w.visits - previous, previous);
      previous = w.visits;
      const peak = w.visits === 0 ? null : w.byHour.indexOf(Math.max(...w.byHour));
      return { weekStart, visits: w.visits, sessions: w.sessions, visitors: w.visitors, conversions: w.conversions, visitsChange: change, peakHour: peak };
    });
  return {
    ...empty,
    totals,
    byHour,
    byHourLocal,
    heatmap: heatCells(inShopWindow, 'shop'),
    heatmapLocal: heatCells(inLocalWindow, 'local'),
    topPeaks: topHours(byHour, top),
    topPeaksLocal: topHours(byHourLocal, top),
    quietestHour: totals.visits === 0 ? null : ([...byHour].sort((a, b) => a.visits - b.visits || a.hour - b.hour)[0] ?? null),
    weekly,
  };
}

interface Cell {
  shop: number;
  local: number;
  visits: number;
  sessions: number;
  visitors: number;
  conversions: number;
}

function wallClock(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  return Date.parse(`${String(value).replace(' ', 'T')}Z`);
}

function hourFigures(cells: Cell[], clock: 'shop' | 'local'): HourFigures[] {
  const sums = Array.from({ length: 24 }, (_, hour) => ({ hour, visits: 0, sessions: 0, visitors: 0, conversions: 0 }));
  for (const c of cells) {
    const h = sums[new Date(c[clock]).getUTCHours()];
    if (!h) continue;
    h.visits += c.visits;
    h.sessions += c.sessions;
    h.visitors += c.visitors;
    h.conversions += c.conversions;
  }
  return fillHours(sums);
}

function heatCells(cells: Cell[], clock: 'shop' | 'local'): HeatCell[] {
  const out: HeatCell[] = [];
  for (let weekday = 1; weekday <= 7; weekday += 1) for (let hour = 0; hour < 24; hour += 1) out.push({ weekday, hour, visits: 0, sessions: 0, conversions: 0 });
  for (const c of cells) {
    const date = new Date(c[clock]);
    const weekday = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
    const cell = out[(weekday - 1) * 24 + date.getUTCHours()];
    if (!cell) continue;
    cell.visits += c.visits;
    cell.sessions += c.sessions;
    cell.conversions += c.conversions;
  }
  return out;
}

function fillHours(rows: ReadonlyArray<Record<string, unknown>>): HourFigures[] {
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
