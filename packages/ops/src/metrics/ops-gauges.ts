import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';

import { replicationLag } from '@threadline/db';

import type { BackupSet } from '../backup/info.js';
import type { LastBackupStatus } from '../backup/run-backup.js';
import { readDatabaseStatus, readPipelineStatus, type DatabaseStatus } from './ops.repo.js';

/** Bytes and files waiting in the clickstream spool (not yet flushed to the lake). */
export function measureSpool(spoolDir: string): { bytes: number; files: number; oldestMs: number | undefined } {
  let bytes = 0;
  let files = 0;
  let oldest: number | undefined;
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        try {
          const stats = statSync(full);
          bytes += stats.size;
          files += 1;
          oldest = oldest === undefined ? stats.mtimeMs : Math.min(oldest, stats.mtimeMs);
        } catch {
          // flushed and removed while we walked: no longer backlog
        }
      }
    }
  };
  walk(spoolDir);
  return { bytes, files, oldestMs: oldest };
}

export interface OpsGaugeSources {
  pool: pg.Pool;
  /** `<dataDir>/spool`. */
  spoolDir: string;
  /** Newest successful backup per repository (cached by the caller: `pgbackrest info` is not free). */
  readBackups?: () => Promise<BackupSet[]>;
  readLastBackupRun?: () => LastBackupStatus | undefined;
  /** The installation keeps a hot standby (THREADLINE_DB_STANDBY=on): its absence is alert-worthy. */
  isStandbyExpected?: boolean;
}

/**
 * Shop-wide operations gauges, served by the worker (one per installation): ingest backlog,
 * pipeline last success/failure, backup age, WAL archiving, server-side DB connections.
 * Each value is read when Prometheus scrapes, so it is never staler than the scrape interval.
 */
export function registerOpsGauges(registry: Registry, sources: OpsGaugeSources): void {
  new Gauge({
    name: 'threadline_ingest_backlog_bytes',
    help: 'Clickstream bytes in the spool waiting to be flushed to the lake',
    registers: [registry],
    collect() {
      this.set(measureSpool(sources.spoolDir).bytes);
    },
  });
  new Gauge({
    name: 'threadline_ingest_backlog_files',
    help: 'Spool segment files waiting to be flushed to the lake',
    registers: [registry],
    collect() {
      this.set(measureSpool(sources.spoolDir).files);
    },
  });

  // prom-client collects all metrics of a scrape concurrently: gauges fed by one query share one
  // read per scrape instead of each querying (or reading a neighbour's stale value)
  const pipeline = shareRead(() => readPipelineStatus(sources.pool).catch(() => undefined));
  const database = shareRead(() => readDatabaseStatus(sources.pool).catch(() => undefined));

  new Gauge({
    name: 'threadline_pipeline_history_available',
    help: '1 when the pipeline run history table exists',
    registers: [registry],
    async collect() {
      this.set((await pipeline()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'threadline_pipeline_last_success_timestamp_seconds',
    help: 'End time of the last successful data pipeline run (0 = never)',
    registers: [registry],
    async collect() {
      const at = (await pipeline())?.lastSuccessAt;
      this.set(at ? at.getTime() / 1000 : 0);
    },
  });
  new Gauge({
    name: 'threadline_pipeline_last_run_failed',
    help: '1 when the most recent finished pipeline run failed',
    registers: [registry],
    async collect() {
      this.set((await pipeline())?.isLastFailed ? 1 : 0);
    },
  });

  new Gauge({
    name: 'threadline_backup_last_success_timestamp_seconds',
    help: 'Stop time of the newest successful backup, by repository (0 = none)',
    labelNames: ['repo'] as const,
    registers: [registry],
    async collect() {
      const sets = (await sources.readBackups?.().catch(() => [])) ?? [];
      for (const repo of ['1', '2']) this.set({ repo }, 0);
      for (const set of sets) this.set({ repo: String(set.repo) }, set.stoppedAt.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'threadline_backup_last_run_failed',
    help: '1 when the last backup run on this machine failed (backup or verify)',
    registers: [registry],
    collect() {
      this.set(sources.readLastBackupRun?.()?.status === 'failed' ? 1 : 0);
    },
  });

  const fromDatabase = (name: string, help: string, read: (status: DatabaseStatus) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const status = await database();
        if (status) this.set(read(status));
      },
    });
  };
  const seconds = (date: Date | null): number => (date ? date.getTime() / 1000 : 0);
  fromDatabase('threadline_db_max_connections', 'max_connections of the PostgreSQL server', (status) => status.maxConnections);
  fromDatabase('threadline_wal_archiving_enabled', '1 when archive_mode is on', (status) => (status.isArchiving ? 1 : 0));
  fromDatabase('threadline_wal_archived_total', 'WAL segments archived since the statistics were reset', (status) => status.archivedCount);
  fromDatabase('threadline_wal_archive_failed_total', 'Failed WAL archive attempts since the statistics were reset', (status) => status.failedCount);
  fromDatabase('threadline_wal_last_archived_timestamp_seconds', 'When the last WAL segment was archived (0 = never)', (status) => seconds(status.lastArchivedAt));
  fromDatabase('threadline_wal_last_failed_timestamp_seconds', 'When WAL archiving last failed (0 = never)', (status) => seconds(status.lastFailedAt));
  // replication, as the primary sees it (pg_stat_replication): one series per standby
  const replicas = shareRead(() => replicationLag(sources.pool).catch(() => undefined));
  const perStandby = (name: string, help: string, read: (row: { lagBytes: number; lagSeconds: number }) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['standby'] as const,
      registers: [registry],
      async collect() {
        const rows = await replicas();
        if (!rows) return;
        this.reset();
        for (const row of rows) this.set({ standby: row.name }, read(row));
      },
    });
  };
  perStandby('threadline_db_replica_lag_bytes', 'WAL the standby has not replayed yet (pg_current_wal_lsn - replay_lsn), by standby', (row) => row.lagBytes);
  perStandby('threadline_db_replica_lag_seconds', 'How far replay on the standby trails the primary (pg_stat_replication.replay_lag), by standby', (row) => row.lagSeconds);
  new Gauge({
    name: 'threadline_db_standbys_streaming',
    help: 'Standbys streaming from the primary whose confirmation commits wait for (sync_state = sync)',
    registers: [registry],
    async collect() {
      const rows = await replicas();
      if (rows) this.set(rows.filter((row) => row.state === 'streaming' && row.syncState === 'sync').length);
    },
  });
  new Gauge({
    name: 'threadline_db_standby_expected',
    help: '1 when this installation keeps a hot standby (THREADLINE_DB_STANDBY=on)',
    registers: [registry],
    collect() {
      this.set(sources.isStandbyExpected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'threadline_db_connections',
    help: 'Client connections to PostgreSQL by state (all clients, all databases)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const status = await database();
      if (!status) return;
      this.reset();
      for (const [state, count] of Object.entries(status.connections)) this.set({ state }, count);
    },
  });
}

/**
 * Shares one in-flight read between callers: a scrape starts every gauge's collect in the same
 * tick, so they all get the same snapshot; the next scrape reads afresh.
 */
function shareRead<T>(read: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | undefined;
  return () => {
    inFlight ??= read().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
}
