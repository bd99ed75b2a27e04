import type { Queryable } from '../pool.js';

export interface CachedInsight {
  dashboard: string;
  paramsKey: string;
  params: unknown;
  /** the dashboard's figures as JSON text, exactly as stored (and as sent to the browser) */
  resultJson: string;
  dataVersion: string;
  source: 'materialised' | 'live';
  asOf: Date | null;
  computedAt: Date;
  computationMs: number;
}

export async function getCachedInsight(db: Queryable, dashboard: string, paramsKey: string): Promise<CachedInsight | undefined> {
  const { rows } = await db.query<CachedInsight>(
    `SELECT dashboard, params_key AS "paramsKey", params, result::text AS "resultJson", data_version AS "dataVersion", source,
            as_of AS "asOf", computed_at AS "computedAt", computation_ms AS "computationMs"
       FROM insight_cache WHERE dashboard = $1 AND params_key = $2`,
    [dashboard, paramsKey],
  );
  return rows[0];
}

export async function putCachedInsight(db: Queryable, entry: Omit<CachedInsight, 'computedAt'>): Promise<void> {
  await db.query(
    `INSERT INTO insight_cache (dashboard, params_key, params, result, data_version, source, as_of, computation_ms)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (dashboard, params_key) DO UPDATE
       SET params = EXCLUDED.params, result = EXCLUDED.result, data_version = EXCLUDED.data_version,
           -- a materialised entry stays materialised when a request recomputes it
           source = CASE WHEN insight_cache.source = 'materialised' THEN 'materialised' ELSE EXCLUDED.source END,
           as_of = EXCLUDED.as_of, computed_at = now(), computation_ms = EXCLUDED.computation_ms`,
    [
      entry.dashboard,
      entry.paramsKey,
      JSON.stringify(entry.params),
      entry.resultJson,
      entry.dataVersion,
      entry.source,
      entry.asOf,
      Math.round(entry.computationMs),
    ],
  );
}

/** Forgets remembered live results; materialised ones are replaced by the next refresh. */
export async function deleteLiveInsights(db: Queryable): Promise<number> {
  const { rowCount } = await db.query(`DELETE FROM insight_cache WHERE source = 'live'`);
  return rowCount ?? 0;
}

export interface InsightCacheSummary {
  dashboard: string;
  entries: number;
  materialised: number;
  lastComputedAt: Date | null;
}

export async function summariseInsightCache(db: Queryable): Promise<InsightCacheSummary[]> {
  const { rows } = await db.query<InsightCacheSummary>(
    `SELECT dashboard, count(*)::int AS entries, count(*) FILTER (WHERE source = 'materialised')::int AS materialised,
            max(computed_at) AS "lastComputedAt"
       FROM insight_cache GROUP BY dashboard ORDER BY dashboard`,
  );
  return rows;
}

export interface AdChannelCostRow {
  month: string;
  channel: string;
  costCents: number;
  note: string | null;
  updatedAt: Date;
}

export async function listAdChannelCosts(db: Queryable): Promise<AdChannelCostRow[]> {
  const { rows } = await db.query<AdChannelCostRow>(
    `SELECT to_char(month, 'YYYY-MM-DD') AS month, channel, cost_cents AS "costCents", note, updated_at AS "updatedAt"
       FROM ad_channel_costs ORDER BY month DESC, channel`,
  );
  return rows;
}

export async function upsertAdChannelCost(
  db: Queryable,
  cost: { month: string; channel: string; costCents: number; note: string | null; updatedBy: number | null },
): Promise<void> {
  await db.query(
    `INSERT INTO ad_channel_costs (month, channel, cost_cents, note, updated_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (month, channel) DO UPDATE
       SET cost_cents = EXCLUDED.cost_cents, note = EXCLUDED.note, updated_by = EXCLUDED.updated_by, updated_at = now()`,
    [cost.month, cost.channel, cost.costCents, cost.note, cost.updatedBy],
  );
}

export async function deleteAdChannelCost(db: Queryable, month: string, channel: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM ad_channel_costs WHERE month = $1 AND channel = $2', [month, channel]);
  return (rowCount ?? 0) > 0;
}

/** Changes whenever a cost is entered, changed or removed: part of the ad-channel cache fingerprint. */
export async function adChannelCostsVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ version: string }>(
    `SELECT count(*) || ':' || coalesce(extract(epoch FROM max(updated_at))::text, '0') || ':' || coalesce(sum(cost_cents), 0) AS version
       FROM ad_channel_costs`,
  );
  return rows[0]?.version ?? '0';
}
