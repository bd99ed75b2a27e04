import { Type, type Static } from '@sinclair/typebox';

import { collectOpsStatus, fetchSeries, prometheusUrl, resolveBackupConfig, type BackupConfig, type OpsStatus } from '@threadline/ops';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { requireRole } from '../auth/session.js';
import { errors } from '../http/common.schemas.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const SystemResponse = Type.Object({
  status: Type.Object({
    at: Type.String(),
    tiers: Type.Array(Type.Object({ tier: Type.String(), url: Type.String(), state: Type.String(), detail: Type.String() })),
    monitoring: Type.Object({
      prometheusUrl: Type.String(),
      isUp: Type.Boolean(),
      alerts: Type.Array(Type.Object({ name: Type.String(), state: Type.String(), severity: Type.String(), summary: Type.String(), since: Type.String() })),
    }),
    backup: Type.Object({
      isConfigured: Type.Boolean(),
      lastBackupAt: Nullable(Type.String()),
      lastBackupLabel: Nullable(Type.String()),
      lastBackupAgeHours: Nullable(Type.Number()),
      offsiteLastBackupAt: Nullable(Type.String()),
      lastRun: Nullable(Type.Object({ status: Type.String(), finishedAt: Type.String(), errors: Type.Array(Type.String()) })),
      detail: Type.String(),
    }),
    wal: Nullable(Type.Object({ isArchiving: Type.Boolean(), lastArchivedAt: Nullable(Type.String()), lastFailedAt: Nullable(Type.String()), failedCount: Type.Number() })),
    database: Nullable(Type.Object({ connections: Type.Number(), maxConnections: Type.Number() })),
    host: Type.Object({ cpuCores: Type.Number(), load1: Type.Number(), memoryUsedRatio: Type.Number(), diskUsedRatio: Nullable(Type.Number()) }),
  }),
  /** Time series from Prometheus for the charts; empty when Prometheus is not running. */
  charts: Type.Array(
    Type.Object({
      key: Type.String(),
      title: Type.String(),
      unit: Type.String(),
      series: Type.Array(Type.Object({ name: Type.String(), points: Type.Array(Type.Tuple([Type.Number(), Type.Number()])) })),
    }),
  ),
});
type SystemResponse = Static<typeof SystemResponse>;

/** The charts of the System page: PromQL over the metrics every tier serves. */
const CHARTS = [
  { key: 'requests', title: 'Requests per second', unit: 'req/s', query: 'sum by (service) (rate(http_requests_total[1m]))', label: 'service' },
  {
    key: 'errors',
    title: '5xx share of requests',
    unit: 'ratio',
    query: 'sum by (service) (rate(http_request_errors_total[1m])) / sum by (service) (rate(http_requests_total[1m]))',
    label: 'service',
  },
  {
    key: 'p99',
    title: 'p99 latency',
    unit: 's',
    query: 'histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[1m])))',
    label: 'service',
  },
  {
    key: 'cpu',
    title: 'Host CPU',
    unit: 'ratio',
    query: '1 - sum(rate(host_cpu_seconds_total{mode="idle"}[1m])) / sum(rate(host_cpu_seconds_total[1m]))',
    label: '',
  },
  { key: 'memory', title: 'Host memory used', unit: 'ratio', query: '1 - host_memory_available_bytes / host_memory_total_bytes', label: '' },
  { key: 'backlog', title: 'Ingest backlog', unit: 'bytes', query: 'threadline_ingest_backlog_bytes', label: '' },
] as const;

/** Admin-only figures for the back office System page: tiers, alerts, backups, host, and charts. */
export async function opsRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const adminOnly = requireRole('admin');
  let backup: BackupConfig | undefined;
  try {
    backup = resolveBackupConfig(context.config, context.secrets);
  } catch {
    backup = undefined; // external database without backup settings: the page says so
  }
  // `pgbackrest info` and the tier probes are not free: one refresh per 10 s for all admins
  let cached: { at: number; status: Promise<OpsStatus> } | undefined;

  app.get(
    '/api/admin/system',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['admin'],
        summary: 'Operations overview: tiers, active alerts, backups, WAL archiving, host, and metric charts',
        querystring: Type.Object({ minutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 1440, default: 60 })) }, { additionalProperties: false }),
        response: { 200: SystemResponse, ...errors(400, 401, 403) },
      },
    },
    async (request): Promise<SystemResponse> => {
      const minutes = request.query.minutes ?? 60;
      if (!cached || Date.now() - cached.at > 10_000) {
        cached = { at: Date.now(), status: collectOpsStatus({ config: context.config, pool: context.pool, backup }) };
      }
      const status = await cached.status;
      const stepSeconds = Math.max(15, Math.round((minutes * 60) / 240));
      const url = prometheusUrl(context.config);
      const charts = status.monitoring.isUp
        ? await Promise.all(
            CHARTS.map(async (chart) => ({
              key: chart.key,
              title: chart.title,
              unit: chart.unit,
              series: (await fetchSeries(url, chart.query, { minutes, stepSeconds })).map((series) => ({
                name: chart.label ? (series.labels[chart.label] ?? '') : chart.title,
                points: series.points.map((point): [number, number] => [point.t * 1000, point.v]),
              })),
            })),
          )
        : [];
      return { status, charts };
    },
  );
}
