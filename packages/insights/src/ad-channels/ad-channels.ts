import { CHANNELS } from '@threadline/survey';
import type { DateWindow } from '@threadline/domain';
import { toDateText, toNumber } from '@threadline/lake';

import type { InsightsLake } from '../lake/insights-lake.js';
import { ratio } from '../window.js';
import type { ChannelBreakdown, AdChannelInsight, FreeTextAnswer } from '../types.js';

export type { ChannelShare, ChannelBreakdown, AdChannelInsight, FreeTextAnswer } from '../types.js';

/** The channels the survey import maps answers to (analysis 5.2). */
export const AD_CHANNELS = CHANNELS;

/** Print, broadcast and street channels: what the survey exists to measure. */
export const OFFLINE_CHANNELS = ['tv', 'radio', 'newspaper_magazine', 'outdoor_billboard', 'transit', 'flyer', 'event'];

export interface AdChannelFilters extends DateWindow {
  region?: string;
  ageBand?: string;
  gender?: string;
}

export interface ChannelCost {
  /** first day of the month, YYYY-MM-01 */
  month: string;
  channel: string;
  costCents: number;
}

function filterSql(filters: AdChannelFilters): { where: string; params: Array<string | number> } {
  const params: Array<string | number> = [filters.from, filters.to];
  let where = 'response_date BETWEEN $1::DATE AND $2::DATE';
  if (filters.region) where += ` AND region = $${params.push(filters.region)}`;
  if (filters.ageBand) where += ` AND age_band = $${params.push(filters.ageBand)}`;
  if (filters.gender) where += ` AND gender = $${params.push(filters.gender)}`;
  return { where, params };
}

function monthsOf(window: DateWindow): Set<string> {
  const months = new Set<string>();
  for (let time = Date.parse(`${window.from.slice(0, 7)}-01T00:00:00Z`); time <= Date.parse(`${window.to}T00:00:00Z`); ) {
    const date = new Date(time);
    months.add(date.toISOString().slice(0, 10));
    time = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  return months;
}

/**
 * Which offline ad channel brings customers (5.2): share of survey respondents per channel,
 * by age band, gender and region, per month and per upload; with the costs the marketing team
 * entered, cost per respondent (costs of every month the window touches).
 */
export async function adChannelInsight(lake: InsightsLake, filters: AdChannelFilters, costs: readonly ChannelCost[] = []): Promise<AdChannelInsight> {
  const { where, params } = filterSql(filters);
  const counts = await lake.query(`SELECT channel, count(*) AS n FROM survey_responses WHERE ${where} GROUP BY 1`, params);
  const [totals] = await lake.query(`SELECT count(*) AS n, count(DISTINCT upload_date) AS uploads FROM survey_responses WHERE ${where}`, params);
  const respondents = toNumber(totals?.n);
  const months = monthsOf(filters);
  const costByChannel = new Map<string, number>();
  for (const cost of costs) {
    if (months.has(cost.month)) costByChannel.set(cost.channel, (costByChannel.get(cost.channel) ?? 0) + cost.costCents);
  }
  const countOf = new Map(counts.map((row) => [String(row.channel), toNumber(row.n)]));
  const known = new Set<string>([...AD_CHANNELS, ...countOf.keys()]);
  const channels = [...known]
    .map((channel) => {
      const n = countOf.get(channel) ?? 0;
      const cost = costByChannel.get(channel);
      return {
        channel,
        isOffline: OFFLINE_CHANNELS.includes(channel),
        respondents: n,
        share: ratio(n, respondents),
        costCents: cost ?? null,
        costPerRespondentCents: cost === undefined || n === 0 ? null : Math.round(cost / n),
      };
    })
    .sort((a, b) => b.respondents - a.respondents || a.channel.localeCompare(b.channel));

  const breakdown = async (column: 'age_band' | 'gender' | 'region'): Promise<ChannelBreakdown[]> => {
    const rows = await lake.query(
      `SELECT coalesce(${column}, 'unknown') AS segment, channel, count(*) AS n FROM survey_responses WHERE ${where} GROUP BY 1, 2`,
      params,
    );
    const segments = new Map<string, ChannelBreakdown>();
    for (const row of rows) {
      const key = String(row.segment);
      const segment = segments.get(key) ?? { segment: key, respondents: 0, channels: [] };
      segment.respondents += toNumber(row.n);
      segment.channels.push({ channel: String(row.channel), respondents: toNumber(row.n), share: null });
      segments.set(key, segment);
    }
    return [...segments.values()]
      .map((segment) => ({
        ...segment,
        channels: segment.channels
          .map((item) => ({ ...item, share: ratio(item.respondents, segment.respondents) }))
          .sort((a, b) => b.respondents - a.respondents || a.channel.localeCompare(b.channel)),
      }))
      .sort((a, b) => a.segment.localeCompare(b.segment));
  };

  const byMonth = await lake.query(
    `SELECT strftime(date_trunc('month', response_date), '%Y-%m') AS month, channel, count(*) AS n
       FROM survey_responses WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  const byUpload = await lake.query(
    `SELECT upload_date, channel, count(*) AS n FROM survey_responses WHERE ${where} GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  return {
    totals: {
      respondents,
      offlineRespondents: channels.filter((item) => item.isOffline).reduce((sum, item) => sum + item.respondents, 0),
      uploads: toNumber(totals?.uploads),
    },
    channels,
    byAgeBand: await breakdown('age_band'),
    byGender: await breakdown('gender'),
    byRegion: await breakdown('region'),
    byMonth: byMonth.map((row) => ({ month: String(row.month), channel: String(row.channel), respondents: toNumber(row.n) })),
    byUpload: byUpload.map((row) => ({ uploadDate: toDateText(row.upload_date), channel: String(row.channel), respondents: toNumber(row.n) })),
  };
}

export interface FreeTextQuery extends AdChannelFilters {
  channel?: string;
  search?: string;
  offset?: number;
  limit?: number;
}

/** The respondents' own words, newest first, searchable: the context behind the numbers. */
export async function adChannelAnswers(lake: InsightsLake, query: FreeTextQuery): Promise<{ answers: FreeTextAnswer[]; total: number }> {
  const { where, params } = filterSql(query);
  let clause = `${where} AND coalesce(trim(free_text), '') <> ''`;
  if (query.channel) clause += ` AND channel = $${params.push(query.channel)}`;
  if (query.search) clause += ` AND free_text ILIKE '%' || $${params.push(query.search.replace(/[%_\\]/g, '\\$&'))} || '%' ESCAPE '\\'`;
  const limit = Math.max(1, Math.min(200, Math.trunc(query.limit ?? 50)));
  const offset = Math.max(0, Math.trunc(query.offset ?? 0));
  const [count] = await lake.query(`SELECT count(*) AS n FROM survey_responses WHERE ${clause}`, params);
  const rows = await lake.query(
    `SELECT response_date, channel, age_band, region, free_text FROM survey_responses WHERE ${clause}
      ORDER BY response_date DESC, channel, free_text LIMIT ${limit} OFFSET ${offset}`,
    params,
  );
  return {
    total: toNumber(count?.n),
    answers: rows.map((row) => ({
      responseDate: toDateText(row.response_date),
      channel: String(row.channel),
      ageBand: row.age_band === null ? null : String(row.age_band),
      region: row.region === null ? null : String(row.region),
      text: String(row.free_text),
    })),
  };
}
