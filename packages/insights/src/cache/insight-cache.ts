import type { Pool } from '@threadline/db';
import { adChannelCostsVersion, getCachedInsight, listAdChannelCosts, putCachedInsight } from '@threadline/db/insights';
import { todayIn, windowEndingOn, type DateWindow } from '@threadline/domain';

import { adChannelInsight, type AdChannelFilters } from '../ad-channels/ad-channels.js';
import type { InsightDataset } from '../lake/curated-schemas.js';
import type { InsightsLake } from '../lake/insights-lake.js';
import { reviewInsight, type ReviewFilters } from '../reviews/reviews.js';
import { salesInsight, type SalesFilters } from '../sales/sales.js';
import { peakHours, type PeakHourFilters } from '../peak-hours/peak-hours.js';
import { SEGMENT_DIMENSIONS, segmentInsight, type SegmentFilters } from '../segments/segments.js';
import type { CacheInfo } from '../types.js';
import type { AnswerMemo, Served } from './answer-memo.js';

export type { Served };

export interface InsightServices {
  lake: InsightsLake;
  pool: Pool;
  /** the shop's time zone: windows and presets are in it */
  timeZone: string;
  /** answers this process served lately: a repeated view then costs no database read */
  memo?: AnswerMemo;
}

export type { CacheInfo };


/** Fields every dashboard answer carries around its figures. */
export type EnvelopeField = 'window' | 'filters' | 'asOf' | 'cache';

/** Defaults are filled in before keying, so `?from&to` and `?from&to&limit=20` share an entry. */
export const DEFAULT_LIMITS = { salesProducts: 20, segmentProducts: 10, reviewProducts: 10, minReviews: 3, peakTop: 3 } as const;

/** Canonical JSON: sorted keys, no undefined values. */
export function paramsKey(params: object): string {
  const entries = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== '')
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(Object.fromEntries(entries));
}

interface DashboardSpec<P> {
  datasets: readonly InsightDataset[];
  compute(services: InsightServices, params: P): Promise<unknown>;
  /** part of the fingerprint beyond the lake files */
  extraVersion?(services: InsightServices): Promise<string>;
  /** envelope fields the figures carry themselves: theirs are sent, the envelope's are left out */
  carries?: readonly EnvelopeField[];
  /**
   * The answer's shape, part of the fingerprint: raise it when the figures gain or change fields,
   * so answers stored by an older release are computed anew instead of served without them.
   */
  shape?: number;
}

/**
 * Every dashboard, one entry each: the datasets its figures come from (their files make the
 * cache fingerprint) and how to compute it. Add a line to plug one in; the cache, the refresh
 * after each pipeline run and the API's envelope come with it.
 */
export const DASHBOARDS = {
  sales: {
    datasets: ['sales', 'product_day', 'products'],
    compute: (services, params) => salesInsight(services.lake, params),
  } satisfies DashboardSpec<SalesFilters>,
  segments: {
    // sales_orders: the per-order rollup the counts come from when it covers the window
    datasets: ['sales', 'sales_orders'],
    compute: (services, params) => segmentInsight(services.lake, params),
  } satisfies DashboardSpec<SegmentFilters>,
  reviews: {
    datasets: ['reviews'],
    compute: (services, params) => reviewInsight(services.lake, params),
  } satisfies DashboardSpec<ReviewFilters>,
  'ad-channels': {
    datasets: ['survey_responses'],
    compute: async (services, params) => adChannelInsight(services.lake, params, await listAdChannelCosts(services.pool)),
    extraVersion: (services) => adChannelCostsVersion(services.pool),
  } satisfies DashboardSpec<AdChannelFilters>,
  'peak-hours': {
    datasets: ['clickstream_hourly'],
    compute: (services, params) => peakHours(services.lake, params),
    carries: ['window', 'filters'],
    // 2: weeks carry days and visitsPerDay; 3: and elapsedDays (today counts by the part past)
    shape: 3,
  } satisfies DashboardSpec<PeakHourFilters>,
} as const;

export type DashboardName = keyof typeof DASHBOARDS;
type ParamsOf<D extends DashboardName> = Parameters<(typeof DASHBOARDS)[D]['compute']>[1];

async function fingerprint(services: InsightServices, name: DashboardName): Promise<string> {
  const spec: DashboardSpec<never> = DASHBOARDS[name];
  const extra = spec.extraVersion ? await spec.extraVersion(services) : '';
  return `${services.lake.version(spec.datasets)}|${extra}|${spec.shape ?? 1}`;
}

/**
 * Serves a dashboard's figures: from the cache when an entry for exactly these parameters was
 * computed from the current files, else live (and remembered for the next request).
 */
export async function serveInsight<D extends DashboardName>(
  services: InsightServices,
  name: D,
  params: ParamsOf<D>,
  options: { source?: 'materialised' | 'live' } = {},
): Promise<Served> {
  // the fingerprint reads the file listing (refreshed at most once a second); a cached answer
  // needs no DuckDB connection at all
  await services.lake.ensureCurrent();
  const spec: DashboardSpec<ParamsOf<D>> = DASHBOARDS[name];
  const key = paramsKey(params);
  const version = await fingerprint(services, name);
  const asOf = services.lake.asOf(spec.datasets);
  if (options.source !== 'materialised') {
    const remembered = services.memo?.get(name, key, version);
    if (remembered) return remembered;
    const cached = await getCachedInsight(services.pool, name, key);
    if (cached && cached.dataVersion === version) {
      const served: Served = {
        json: cached.resultJson,
        asOf: cached.asOf ? cached.asOf.toISOString() : null,
        cache: { status: 'hit', computedAt: cached.computedAt.toISOString(), computationMs: cached.computationMs },
      };
      services.memo?.set(name, key, version, served);
      return served;
    }
  }
  const started = performance.now();
  const result = await spec.compute(services, params);
  const computationMs = Math.round(performance.now() - started);
  // serialised once: the same text is stored and sent
  const json = JSON.stringify(result);
  await putCachedInsight(services.pool, {
    dashboard: name,
    paramsKey: key,
    params,
    resultJson: json,
    dataVersion: version,
    source: options.source ?? 'live',
    asOf,
    computationMs,
  });
  // not remembered here: the memo holds only what was read back from the store
  return { json, asOf: asOf?.toISOString() ?? null, cache: { status: 'live', computedAt: new Date().toISOString(), computationMs } };
}

/**
 * The API's answer as JSON text: `{window, filters, asOf, cache, ...figures}`, with the figures'
 * text spliced in as it is (a cached answer is sent without being parsed or re-serialised). Only
 * the small envelope is serialised; fields the dashboard's figures carry themselves are theirs.
 */
export function insightAnswerJson(name: DashboardName, served: Served, envelope: { window: DateWindow; filters: Record<string, unknown> }): string {
  const spec: DashboardSpec<never> = DASHBOARDS[name];
  const carried = spec.carries ?? [];
  const head: Record<EnvelopeField, unknown> = { window: { from: envelope.window.from, to: envelope.window.to }, filters: envelope.filters, asOf: served.asOf, cache: served.cache };
  const parts = (Object.keys(head) as EnvelopeField[]).filter((field) => !carried.includes(field)).map((field) => `${JSON.stringify(field)}:${JSON.stringify(head[field])}`);
  // the figures are an object (no dashboard returns anything else): its members go in as they are
  const figures = served.json.trim();
  const members = figures.startsWith('{') && figures.endsWith('}') ? figures.slice(1, -1).trim() : '';
  if (members !== '') parts.push(members);
  return `{${parts.join(',')}}`;
}

/** The windows the dashboards open with: the last 7, 30 and 90 days, ending today. */
export const PRESET_DAYS = [7, 30, 90] as const;

/**
 * Materialises every dashboard for the preset windows with default filters (what people open
 * first), after the nightly pipeline published new data or when someone presses "refresh now".
 */
export async function materialiseInsights(
  services: InsightServices,
  options: { today?: string; onProgress?: (line: string) => void } = {},
): Promise<{ entries: number; ms: number }> {
  const started = performance.now();
  await services.lake.refresh();
  const today = options.today ?? todayIn(services.timeZone);
  let entries = 0;
  for (const days of PRESET_DAYS) {
    const window = windowEndingOn(today, days);
    const run = async (label: string, work: () => Promise<unknown>): Promise<void> => {
      await work();
      entries += 1;
      options.onProgress?.(`${label} ${window.from}…${window.to}`);
    };
    // one at a time: the API keeps serving while this runs, and DuckDB already uses both cores
    await run('sales', () => serveInsight(services, 'sales', { ...window, limit: DEFAULT_LIMITS.salesProducts }, { source: 'materialised' }));
    for (const dimension of SEGMENT_DIMENSIONS) {
      await run(`segments/${dimension}`, () =>
        serveInsight(services, 'segments', { ...window, dimension, limit: DEFAULT_LIMITS.segmentProducts }, { source: 'materialised' }),
      );
    }
    await run('reviews', () =>
      serveInsight(services, 'reviews', { ...window, minReviews: DEFAULT_LIMITS.minReviews, limit: DEFAULT_LIMITS.reviewProducts }, { source: 'materialised' }),
    );
    await run('ad-channels', () => serveInsight(services, 'ad-channels', { ...window }, { source: 'materialised' }));
    await run('peak-hours', () =>
      serveInsight(services, 'peak-hours', { ...window, timeZone: services.timeZone, includeBots: false, top: DEFAULT_LIMITS.peakTop }, { source: 'materialised' }),
    );
  }
  return { entries, ms: Math.round(performance.now() - started) };
}
