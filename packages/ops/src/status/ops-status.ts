import { cpus, loadavg, totalmem } from 'node:os';
import { statfsSync } from 'node:fs';

import type pg from 'pg';

import type { Config } from '@threadline/config';

import { monitoringPorts } from '../alerting/companions.js';
import type { BackupConfig } from '../backup/backup-config.js';
import { latestBackup, readStanzaInfo } from '../backup/info.js';
import { readLastBackupStatus } from '../backup/run-backup.js';
import { readAvailableMemory } from '../metrics/host.js';
import { readDatabaseStatus } from '../metrics/ops.repo.js';

export interface TierState {
  tier: string;
  url: string;
  state: 'ready' | 'not ready' | 'down';
  detail: string;
}

export interface AlertState {
  name: string;
  state: 'firing' | 'pending';
  severity: string;
  summary: string;
  since: string;
}

export interface OpsStatus {
  at: string;
  tiers: TierState[];
  monitoring: { prometheusUrl: string; isUp: boolean; alerts: AlertState[] };
  backup: {
    isConfigured: boolean;
    lastBackupAt: string | null;
    lastBackupLabel: string | null;
    lastBackupAgeHours: number | null;
    offsiteLastBackupAt: string | null;
    lastRun: { status: string; finishedAt: string; errors: string[] } | null;
    detail: string;
  };
  wal: { isArchiving: boolean; lastArchivedAt: string | null; lastFailedAt: string | null; failedCount: number } | null;
  database: { connections: number; maxConnections: number } | null;
  host: { cpuCores: number; load1: number; memoryUsedRatio: number; diskUsedRatio: number | null };
}

async function probeTier(tier: string, port: number): Promise<TierState> {
  const url = `http://127.0.0.1:${port}/readyz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const text = await response.text();
    return { tier, url, state: response.ok ? 'ready' : 'not ready', detail: response.ok ? '' : text.slice(0, 200) };
  } catch (error) {
    return { tier, url, state: 'down', detail: error instanceof Error ? error.message : String(error) };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Active alerts from Prometheus's API; undefined when Prometheus is not reachable. */
export async function fetchAlerts(prometheusUrl: string): Promise<AlertState[] | undefined> {
  try {
    const response = await fetch(new URL('/api/v1/alerts', prometheusUrl), { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return undefined;
    const body: unknown = await response.json();
    const alerts = isRecord(body) && isRecord(body.data) && Array.isArray(body.data.alerts) ? body.data.alerts : [];
    return alerts.filter(isRecord).map((alert) => {
      const labels = isRecord(alert.labels) ? alert.labels : {};
      const annotations = isRecord(alert.annotations) ? alert.annotations : {};
      return {
        name: text(labels.alertname),
        state: alert.state === 'firing' ? 'firing' : 'pending',
        severity: text(labels.severity),
        summary: text(annotations.summary),
        since: text(alert.activeAt),
      };
    });
  } catch {
    return undefined;
  }
}

export interface SeriesPoint {
  t: number;
  v: number;
}

/** A range query over the last `minutes`, one series per label set; empty when Prometheus is down. */
export async function fetchSeries(
  prometheusUrl: string,
  query: string,
  options: { minutes: number; stepSeconds: number },
): Promise<Array<{ labels: Record<string, string>; points: SeriesPoint[] }>> {
  const end = Date.now() / 1000;
  const url = new URL('/api/v1/query_range', prometheusUrl);
  url.searchParams.set('query', query);
  url.searchParams.set('start', String(end - options.minutes * 60));
  url.searchParams.set('end', String(end));
  url.searchParams.set('step', String(options.stepSeconds));
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return [];
    const body: unknown = await response.json();
    const result = isRecord(body) && isRecord(body.data) && Array.isArray(body.data.result) ? body.data.result : [];
    return result.filter(isRecord).map((series) => ({
      labels: isRecord(series.metric) ? Object.fromEntries(Object.entries(series.metric).map(([k, v]) => [k, text(v)])) : {},
      points: (Array.isArray(series.values) ? series.values : [])
        .filter((pair): pair is [number, string] => Array.isArray(pair) && typeof pair[0] === 'number')
        .map(([t, v]) => ({ t, v: Number(v) }))
        .filter((point) => Number.isFinite(point.v)),
    }));
  } catch {
    return [];
  }
}

/** The Prometheus the System page asks: THREADLINE_PROMETHEUS_URL, else the local one. */
export function prometheusUrl(config: Pick<Config, 'prometheusPort' | 'alertmanagerPort' | 'monitoring'>): string {
  return config.monitoring.prometheusUrl ?? `http://127.0.0.1:${monitoringPorts(config).prometheus}`;
}

/**
 * One picture of the installation for `threadline ops status` and the admin System page: tiers,
 * alerts, backups, WAL archiving, connections, host. Every part degrades to "unknown" on its own.
 */
export async function collectOpsStatus(options: { config: Config; pool: pg.Pool | undefined; backup: BackupConfig | undefined }): Promise<OpsStatus> {
  const { config, pool, backup } = options;
  const promUrl = prometheusUrl(config);
  const [tiers, alerts, info, database] = await Promise.all([
    Promise.all([probeTier('web', config.webPort), probeTier('api', config.apiPort), probeTier('worker', config.workerPort)]),
    fetchAlerts(promUrl),
    backup ? readStanzaInfo(backup).catch(() => undefined) : Promise.resolve(undefined),
    pool ? readDatabaseStatus(pool).catch(() => undefined) : Promise.resolve(undefined),
  ]);
  const latest = latestBackup(info, 1) ?? latestBackup(info);
  const offsite = latestBackup(info, 2);
  const lastRun = backup ? readLastBackupStatus(backup) : undefined;
  let diskUsedRatio: number | null = null;
  try {
    const disk = statfsSync(config.dataDir);
    diskUsedRatio = 1 - disk.bavail / disk.blocks;
  } catch {
    // data dir not created yet
  }
  return {
    at: new Date().toISOString(),
    tiers,
    monitoring: { prometheusUrl: promUrl, isUp: alerts !== undefined, alerts: alerts ?? [] },
    backup: {
      isConfigured: backup !== undefined,
      lastBackupAt: latest?.stoppedAt.toISOString() ?? null,
      lastBackupLabel: latest?.label ?? null,
      lastBackupAgeHours: latest ? Math.round(((Date.now() - latest.stoppedAt.getTime()) / 3_600_000) * 10) / 10 : null,
      offsiteLastBackupAt: offsite?.stoppedAt.toISOString() ?? null,
      lastRun: lastRun ?? null,
      detail: !backup ? 'backups not configured' : !info ? 'no stanza yet or pgbackrest missing' : info.statusMessage,
    },
    wal: database
      ? {
          isArchiving: database.isArchiving,
          lastArchivedAt: database.lastArchivedAt?.toISOString() ?? null,
          lastFailedAt: database.lastFailedAt?.toISOString() ?? null,
          failedCount: database.failedCount,
        }
      : null,
    database: database
      ? { connections: Object.values(database.connections).reduce((sum, n) => sum + n, 0), maxConnections: database.maxConnections }
      : null,
    host: {
      cpuCores: cpus().length,
      load1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      memoryUsedRatio: Math.round((1 - readAvailableMemory() / totalmem()) * 1000) / 1000,
      diskUsedRatio: diskUsedRatio === null ? null : Math.round(diskUsedRatio * 1000) / 1000,
    },
  };
}

/** Flattens a status into rows (component, state, detail) for table/CSV output. */
export function statusRows(status: OpsStatus): Array<{ component: string; state: string; detail: string }> {
  const rows: Array<{ component: string; state: string; detail: string }> = status.tiers.map((tier) => ({
    component: `tier ${tier.tier}`,
    state: tier.state,
    detail: tier.detail || tier.url,
  }));
  rows.push({
    component: 'prometheus',
    state: status.monitoring.isUp ? 'up' : 'not running',
    detail: status.monitoring.isUp ? `${status.monitoring.alerts.length} alerts active` : status.monitoring.prometheusUrl,
  });
  for (const alert of status.monitoring.alerts) {
    rows.push({ component: `alert ${alert.name}`, state: alert.state, detail: `${alert.severity}: ${alert.summary} (since ${alert.since})` });
  }
  rows.push({
    component: 'backup',
    state: status.backup.lastBackupAt ? (status.backup.lastBackupAgeHours !== null && status.backup.lastBackupAgeHours > 26 ? 'TOO OLD' : 'ok') : 'none',
    detail: status.backup.lastBackupAt
      ? `${status.backup.lastBackupLabel} at ${status.backup.lastBackupAt} (${status.backup.lastBackupAgeHours} h ago); off-site ${status.backup.offsiteLastBackupAt ?? 'none'}`
      : status.backup.detail,
  });
  if (status.backup.lastRun) {
    rows.push({ component: 'last backup run', state: status.backup.lastRun.status, detail: status.backup.lastRun.errors[0] ?? status.backup.lastRun.finishedAt });
  }
  rows.push({
    component: 'wal archiving',
    state: !status.wal ? 'unknown' : !status.wal.isArchiving ? 'off' : status.wal.lastFailedAt && (!status.wal.lastArchivedAt || status.wal.lastFailedAt > status.wal.lastArchivedAt) ? 'FAILING' : 'ok',
    detail: status.wal ? `last archived ${status.wal.lastArchivedAt ?? 'never'}; ${status.wal.failedCount} failures` : 'database not reachable',
  });
  rows.push({
    component: 'host',
    state: '',
    detail: `${status.host.cpuCores} cores, load ${status.host.load1}, memory ${(status.host.memoryUsedRatio * 100).toFixed(0)} %, disk ${status.host.diskUsedRatio === null ? '?' : (status.host.diskUsedRatio * 100).toFixed(0)} %`,
  });
  return rows;
}
