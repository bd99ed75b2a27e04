import type { FastifyReply } from 'fastify';

import { deleteAdChannelCost, deleteLiveInsights, listAdChannelCosts, summariseInsightCache, upsertAdChannelCost } from '@threadline/db/insights';
import { todayIn, windowEndingOn, type DateWindow } from '@threadline/domain';
import {
  adChannelAnswers,
  AnswerMemo,
  checkWindow,
  DEFAULT_LIMITS,
  insightAnswerJson,
  InsightsLake,
  materialiseInsights,
  serveInsight,
  type DashboardName,
  type InsightServices,
} from '@threadline/insights';
import { lakeFromConfig } from '@threadline/lake';

import type { ApiApp } from '../api-app.js';
import { currentUser, requireRole } from '../auth/session.js';
import type { ApiContext } from '../context.js';
import { notFound } from '../errors.js';
import { errors, OkResponse } from '../http/common.schemas.js';
import {
  AdChannelsQuery,
  AnswersQuery,
  AnswersResponse,
  CostBody,
  PeakHoursQuery,
  CostParams,
  CostsResponse,
  InsightResponse,
  RefreshResponse,
  ReviewsQuery,
  SalesQuery,
  SegmentsQuery,
  StatusResponse,
} from './insights.schemas.js';

/** Dashboards open on the last 30 days. */
export const DEFAULT_WINDOW_DAYS = 30;

const INSIGHT_ROLES = ['admin', 'marketing'] as const;

/**
 * The marketing dashboards' JSON API (issues 4 and 6): sales, segments, reviews, ad channels and peak hours, each
 * with `from`, `to` and filters, answering with the figures, the window and `asOf`. Served from
 * the materialised cache when it holds these exact parameters for the current data, else live.
 */
export async function insightsRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  let services: Promise<InsightServices> | undefined;
  // a repeated view of a cached dashboard is answered without a database read while its data version holds
  const memo = new AnswerMemo();
  const getServices = (): Promise<InsightServices> => {
    services ??= InsightsLake.open(context.config.dataDir, { ...context.config.duckdb, lake: lakeFromConfig(context.config) }).then((lake) => ({ lake, pool: context.pool, timeZone: context.config.shopTimeZone, memo }));
    return services;
  };
  app.addHook('onClose', async () => {
    if (services) (await services).lake.close();
  });
  const guard = { preValidation: requireRole(...INSIGHT_ROLES) };

  const windowOf = (query: { from?: string | undefined; to?: string | undefined }): DateWindow => {
    const to = query.to ?? todayIn(context.config.shopTimeZone);
    const window = query.from ? { from: query.from, to } : windowEndingOn(to, DEFAULT_WINDOW_DAYS);
    // an InsightInputError (kind `invalid`) becomes a 400 naming the field in the error handler
    return checkWindow(window);
  };

  /**
   * Sends the answer as JSON text: a cached answer's figures go out as stored, without being parsed
   * or re-serialised (a string with a JSON content type bypasses the response serialiser).
   */
  const answer = async <D extends DashboardName>(reply: FastifyReply, name: D, window: DateWindow, filters: Record<string, unknown>) => {
    // each dashboard's own filter type; the query schemas above produced exactly these fields
    const served = await serveInsight(await getServices(), name, { ...window, ...filters } as Parameters<typeof serveInsight<D>>[2]);
    return reply.type('application/json; charset=utf-8').send(insightAnswerJson(name, served, { window, filters }));
  };

  const tags = ['insights'];
  app.get(
    '/api/insights/sales',
    { ...guard, schema: { tags, summary: 'Revenue and orders over time; sell-through and view → cart → order per category and product', querystring: SalesQuery, response: { 200: InsightResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const { category, region, limit } = request.query;
      return answer(reply, 'sales', windowOf(request.query), { category, region, limit });
    },
  );
  app.get(
    '/api/insights/segments',
    { ...guard, schema: { tags, summary: 'Popular products per customer segment (age band, gender, region, new vs returning, ship-to country or region/state)', querystring: SegmentsQuery, response: { 200: InsightResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const { dimension, category, limit } = request.query;
      return answer(reply, 'segments', windowOf(request.query), { dimension, category, limit });
    },
  );
  app.get(
    '/api/insights/reviews',
    { ...guard, schema: { tags, summary: 'Rating distribution, ratings per category, lowest-rated products with texts and frequent words', querystring: ReviewsQuery, response: { 200: InsightResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const { category, minReviews, limit } = request.query;
      return answer(reply, 'reviews', windowOf(request.query), { category, minReviews, limit });
    },
  );
  app.get(
    '/api/insights/ad-channels',
    { ...guard, schema: { tags, summary: 'Survey respondents per offline ad channel, by segment, month and upload, with cost per respondent', querystring: AdChannelsQuery, response: { 200: InsightResponse, ...errors(400, 401, 403) } } },
    async (request, reply) => {
      const { region, ageBand, gender } = request.query;
      return answer(reply, 'ad-channels', windowOf(request.query), { region, ageBand, gender });
    },
  );
  app.get(
    '/api/insights/peak-hours',
    {
      ...guard,
      schema: {
        tags,
        summary: 'Peak hours (5.1): visits, sessions, visitors and conversions by hour and weekday × hour, in shop and visitor-local time',
        querystring: PeakHoursQuery,
        response: { 200: InsightResponse, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { tz, region, device, bots, source, top } = request.query;
      // defaults filled before keying, so the materialised preset answers the page's first view
      return answer(reply, 'peak-hours', windowOf(request.query), {
        timeZone: tz ?? context.config.shopTimeZone,
        region,
        device,
        includeBots: bots ?? false,
        source,
        top: top ?? DEFAULT_LIMITS.peakTop,
      });
    },
  );
  app.get(
    '/api/insights/ad-channels/answers',
    { ...guard, schema: { tags, summary: "Survey respondents' free-text answers, newest first, searchable", querystring: AnswersQuery, response: { 200: AnswersResponse, ...errors(400, 401, 403) } } },
    async (request) => {
      const { region, ageBand, gender, channel, q, offset, limit } = request.query;
      const window = windowOf(request.query);
      const { lake } = await getServices();
      const found = await adChannelAnswers(lake, { ...window, region, ageBand, gender, channel, search: q, offset, limit });
      return { window, asOf: lake.asOf(['survey_responses'])?.toISOString() ?? null, ...found };
    },
  );

  app.get(
    '/api/insights/ad-channels/costs',
    { ...guard, schema: { tags, summary: 'What each channel cost per month, as entered by the marketing team', response: { 200: CostsResponse, ...errors(401, 403) } } },
    async () => ({ items: (await listAdChannelCosts(context.pool)).map((row) => ({ ...row, updatedAt: row.updatedAt.toISOString() })) }),
  );
  app.put(
    '/api/insights/ad-channels/costs',
    { config: { leavesCatalog: true }, ...guard, schema: { tags, summary: 'Enter or change what a channel cost in a month', body: CostBody, response: { 200: OkResponse, ...errors(400, 401, 403) } } },
    async (request) => {
      const { month, channel, costCents, note } = request.body;
      await upsertAdChannelCost(context.pool, { month: `${month}-01`, channel, costCents, note: note ?? null, updatedBy: currentUser(request).id });
      return { ok: true };
    },
  );
  app.delete(
    '/api/insights/ad-channels/costs/:month/:channel',
    { config: { leavesCatalog: true }, ...guard, schema: { tags, summary: 'Remove a cost entry', params: CostParams, response: { 200: OkResponse, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      if (!(await deleteAdChannelCost(context.pool, `${request.params.month}-01`, request.params.channel))) throw notFound('cost entry', 'month');
      return { ok: true };
    },
  );

  app.post(
    '/api/insights/refresh',
    { config: { leavesCatalog: true }, ...guard, schema: { tags, summary: '"Refresh now": forget remembered results and re-materialise the preset windows', response: { 200: RefreshResponse, ...errors(401, 403) } } },
    async () => {
      await deleteLiveInsights(context.pool);
      memo.clear();
      return materialiseInsights(await getServices());
    },
  );
  app.get(
    '/api/insights/status',
    { ...guard, schema: { tags, summary: 'Cache entries per dashboard and the freshness of the data behind them', response: { 200: StatusResponse, ...errors(401, 403) } } },
    async () => {
      const { lake } = await getServices();
      await lake.ensureCurrent();
      return {
        dashboards: (await summariseInsightCache(context.pool)).map((row) => ({ ...row, lastComputedAt: row.lastComputedAt?.toISOString() ?? null })),
        asOf: {
          sales: lake.asOf(['sales'])?.toISOString() ?? null,
          reviews: lake.asOf(['reviews'])?.toISOString() ?? null,
          productDay: lake.asOf(['product_day'])?.toISOString() ?? null,
          surveyResponses: lake.asOf(['survey_responses'])?.toISOString() ?? null,
          clickstreamHourly: lake.asOf(['clickstream_hourly'])?.toISOString() ?? null,
        },
      };
    },
  );
}
