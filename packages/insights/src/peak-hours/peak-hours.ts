import { DEVICE_CLASSES, REGIONS, TRAFFIC_SOURCES, type DeviceClass, type Region, type TrafficSource } from '@threadline/clickstream';
import { addDays, daysBetween, isIsoDate, isTimeZone, mondayOf, zoneOffsetMs } from '@threadline/domain';
import { toNumber } from '@threadline/lake';

import type { InsightQuery } from '../lake/insights-lake.js';
import type { HeatCell, HourFigures, PeakHoursInsight, WeekFigures } from '../types.js';
import { InsightInputError, ratio } from '../window.js';

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
 * unless `includeBots`. History imported from old web server logs is included unless `source`
 * narrows the view to `live` traffic (or to the `import` alone).
 */
export interface PeakHourFilters {
  from: string;
  to: string;
  /** IANA zone of the "shop time" view. */
  timeZone: string;
  region?: Region;
  device?: DeviceClass;
  includeBots?: boolean;
  /** Only this source of traffic; both (live and imported history) when absent. */
  source?: TrafficSource;
  /** How many top hours to list (default 3). */
  top?: number;
  /** The current instant (tests pin it): a week that ends after it is compared by the part already past. */
  now?: Date;
}

export type { HourFigures, HeatCell, WeekFigures, PeakHoursInsight as PeakHoursResult } from '../types.js';

/** A bad peak-hours filter (kind `invalid`, naming the field): the dashboards' one input error. */
export const PeakHoursInputError = InsightInputError;

/** Checks filters at the edge; names the field at fault. */
export function checkPeakHourFilters(filters: PeakHourFilters): PeakHourFilters {
  if (!isIsoDate(filters.from)) throw new PeakHoursInputError('from', 'from must be a date YYYY-MM-DD');
  if (!isIsoDate(filters.to)) throw new PeakHoursInputError('to', 'to must be a date YYYY-MM-DD');
  if (filters.from > filters.to) throw new PeakHoursInputError('from', 'from must not be after to');
  if (daysBetween(filters.from, filters.to) > 3660) throw new PeakHoursInputError('from', 'the window may span at most 10 years');
  if (!isTimeZone(filters.timeZone)) throw new PeakHoursInputError('tz', `unknown IANA time zone "${filters.timeZone}"`);
  if (filters.region !== undefined && !(REGIONS as readonly string[]).includes(filters.region)) {
    throw new PeakHoursInputError('region', `region must be one of ${REGIONS.join(', ')}`);
  }
  if (filters.device !== undefined && !(DEVICE_CLASSES as readonly string[]).includes(filters.device)) {
    throw new PeakHoursInputError('device', `device must be one of ${DEVICE_CLASSES.join(', ')}`);
  }
  if (filters.source !== undefined && !(TRAFFIC_SOURCES as readonly string[]).includes(filters.source)) {
    throw new PeakHoursInputError('source', `source must be one of ${TRAFFIC_SOURCES.join(', ')}`);
  }
  if (filters.top !== undefined && (!Number.isInteger(filters.top) || filters.top < 1 || filters.top > 24)) throw new PeakHoursInputError('top', 'top must be 1-24');
  return filters;
}

/**
 * Computes the peak-hour analysis over the `clickstream_hourly` view of the insights lake; with no
 * rollup files at all every figure is zero (an empty state, not an error).
 *
 * @example
 * const lake = await InsightsLake.open(config.dataDir);
 * const result = await peakHours(lake, { from: '2026-01-01', to: '2026-03-31', timeZone: config.shopTimeZone, region: 'europe' });
 */
export async function peakHours(lake: InsightQuery, input: PeakHourFilters): Promise<PeakHoursInsight> {
  const filters = checkPeakHourFilters(input);
  const top = filters.top ?? 3;
  const empty = emptyResult(filters);
  // One scan of the rollup, aggregated to (shop-time hour, visitor-local hour): a few thousand rows
  // for 90 days. Every breakdown below is derived from them in memory. dt (the UTC day) prunes
  // files before any zone math: a local day lies within UTC day ±1.
  const rows = await lake.query(
    `SELECT timezone($1::VARCHAR, hour_utc) AS shop_time, local_hour,
            sum(page_views) AS visits, sum(sessions) AS sessions, sum(visitors) AS visitors, sum(conversions) AS conversions
       FROM clickstream_hourly
      WHERE dt BETWEEN $2::DATE - 1 AND $3::DATE + 1
        AND ($4::BOOLEAN OR NOT is_bot)
        AND ($5::VARCHAR IS NULL OR region = $5::VARCHAR)
        AND ($6::VARCHAR IS NULL OR device = $6::VARCHAR)
        AND ($7::VARCHAR IS NULL OR coalesce(source, 'live') = $7::VARCHAR)
      GROUP BY 1, 2`,
    [filters.timeZone, filters.from, filters.to, filters.includeBots ?? false, filters.region ?? null, filters.device ?? null, filters.source ?? null],
  );
  if (rows.length === 0) return empty;
  const start = Date.parse(`${filters.from}T00:00:00Z`);
  const end = Date.parse(`${filters.to}T00:00:00Z`) + 86_400_000;
  // wall-clock times arrive as Dates whose UTC fields are the local fields (zone-less TIMESTAMP)
  const cells = rows.map((row) => ({ shop: wallClock(row.shop_time), local: wallClock(row.local_hour), visits: toNumber(row.visits), sessions: toNumber(row.sessions), visitors: toNumber(row.visitors), conversions: toNumber(row.conversions) }));
  const inShopWindow = cells.filter((c) => c.shop >= start && c.shop < end);
  const inLocalWindow = cells.filter((c) => c.local >= start && c.local < end);

  const byHour = hourFigures(inShopWindow, 'shop');
  const byHourLocal = hourFigures(inLocalWindow, 'local');
  const totals = byHour.reduce((t, h) => ({ visits: t.visits + h.visits, sessions: t.sessions + h.sessions, visitors: t.visitors + h.visitors, conversions: t.conversions + h.conversions }), empty.totals);

  const weeks = new Map<string, { visits: number; sessions: number; visitors: number; conversions: number; byHour: number[] }>();
  for (const c of inShopWindow) {
    const date = new Date(c.shop);
    const monday = mondayOf(date.toISOString().slice(0, 10));
    const week = weeks.get(monday) ?? { visits: 0, sessions: 0, visitors: 0, conversions: 0, byHour: Array<number>(24).fill(0) };
    week.visits += c.visits;
    week.sessions += c.sessions;
    week.visitors += c.visitors;
    week.conversions += c.conversions;
    week.byHour[date.getUTCHours()] = (week.byHour[date.getUTCHours()] ?? 0) + c.visits;
    weeks.set(monday, week);
  }
  // The window's edges cut its first and last week short: the change compares visits per day, so a
  // week with 2 of its 7 days in the window does not read as a 70 % drop. A window that runs to
  // today counts today by the hours of it begun (shop time, the rollup's grain): 10 hours of today
  // are not a day, and an answer computed again within the hour is the same.
  const now = filters.now ?? new Date();
  const shopNow = Math.ceil((now.getTime() + zoneOffsetMs(now, filters.timeZone)) / 3_600_000) * 3_600_000;
  let previousPerDay: number | undefined;
  const weekly: WeekFigures[] = [...weeks.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([weekStart, w]) => {
      const first = weekStart < filters.from ? filters.from : weekStart;
      const sunday = addDays(weekStart, 6);
      const last = sunday > filters.to ? filters.to : sunday;
      const days = daysBetween(first, last) + 1;
      const yetToCome = Math.max(0, Date.parse(`${last}T00:00:00Z`) + 86_400_000 - shopNow) / 86_400_000;
      // a week wholly in the future has no visits and is never listed; clock skew falls back to whole days
      const elapsedDays = yetToCome > 0 && yetToCome < days ? days - yetToCome : days;
      const visitsPerDay = w.visits / elapsedDays;
      const change = previousPerDay === undefined ? null : ratio(visitsPerDay - previousPerDay, previousPerDay);
      previousPerDay = visitsPerDay;
      const peak = w.visits === 0 ? null : w.byHour.indexOf(Math.max(...w.byHour));
      return { weekStart, days, elapsedDays, visits: w.visits, visitsPerDay, sessions: w.sessions, visitors: w.visitors, conversions: w.conversions, visitsChange: change, peakHour: peak };
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
  const byHour = new Map(rows.map((row) => [toNumber(row.hour), row]));
  const hours = Array.from({ length: 24 }, (_, hour) => {
    const row = byHour.get(hour);
    const sessions = toNumber(row?.sessions);
    const conversions = toNumber(row?.conversions);
    return { hour, visits: toNumber(row?.visits), sessions, visitors: toNumber(row?.visitors), conversions, share: null as number | null, conversionRate: ratio(conversions, sessions) };
  });
  const total = hours.reduce((sum, h) => sum + h.visits, 0);
  for (const h of hours) h.share = ratio(h.visits, total);
  return hours;
}

/** Busiest hours first; ties go to the earlier hour so the answer is stable. Hours with no visits are not peaks. */
function topHours(hours: HourFigures[], top: number): HourFigures[] {
  return [...hours].filter((h) => h.visits > 0).sort((a, b) => b.visits - a.visits || a.hour - b.hour).slice(0, top);
}

function emptyResult(filters: PeakHourFilters): PeakHoursInsight {
  const zeroHours = fillHours([]);
  const zeroHeat: HeatCell[] = [];
  for (let weekday = 1; weekday <= 7; weekday += 1) for (let hour = 0; hour < 24; hour += 1) zeroHeat.push({ weekday, hour, visits: 0, sessions: 0, conversions: 0 });
  return {
    window: { from: filters.from, to: filters.to },
    timeZone: filters.timeZone,
    filters: { region: filters.region ?? null, device: filters.device ?? null, includeBots: filters.includeBots ?? false, source: filters.source ?? null },
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
