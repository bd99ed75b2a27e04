import path from 'node:path';

import type pg from 'pg';
import type { Registry } from 'prom-client';

import type { BackupConfig } from '../backup/backup-config.js';
import { latestBackup, readStanzaInfo, type BackupSet } from '../backup/info.js';
import { readLastBackupStatus } from '../backup/run-backup.js';
import { registerHostMetrics } from './host.js';
import { registerOpsGauges } from './ops-gauges.js';
import { registerPoolMetrics } from './pool-metrics.js';

/** `pgbackrest info` decrypts the repository manifest: read it at most this often. */
const BACKUP_INFO_TTL_MS = 5 * 60_000;

const caches = new Set<{ invalidate(): void }>();

/** Drops every cached `pgbackrest info` in this process (call after a backup so gauges move at once). */
export function invalidateBackupInfoCaches(): void {
  for (const cache of caches) cache.invalidate();
}

/** Latest backup per repository, cached for a few minutes. */
export function createBackupInfoCache(backup: BackupConfig | undefined): { read(): Promise<BackupSet[]>; invalidate(): void } {
  let cached: { at: number; value: BackupSet[] } | undefined;
  const cache = {
    async read() {
      if (!backup) return [];
      if (cached && Date.now() - cached.at < BACKUP_INFO_TTL_MS) return cached.value;
      const info = await readStanzaInfo(backup);
      const value = [1, 2].map((repo) => latestBackup(info, repo)).filter((set): set is BackupSet => set !== undefined);
      cached = { at: Date.now(), value };
      return value;
    },
    invalidate() {
      cached = undefined;
    },
  };
  caches.add(cache);
  return cache;
}

/**
 * Everything the worker adds to its /metrics: host CPU/memory/disk/network, its pool, and the
 * installation-wide gauges (ingest backlog, pipeline, backups, WAL archiving, DB connections).
 */
export function registerWorkerMetrics(
  registry: Registry,
  options: { pool: pg.Pool; dataDir: string; backup: BackupConfig | undefined; backupCache?: ReturnType<typeof createBackupInfoCache>; isStandbyExpected?: boolean },
): void {
  registerHostMetrics(registry, { diskPaths: [options.dataDir] });
  registerPoolMetrics(registry, options.pool);
  const cache = options.backupCache ?? createBackupInfoCache(options.backup);
  const backup = options.backup;
  registerOpsGauges(registry, {
    pool: options.pool,
    spoolDir: path.join(options.dataDir, 'spool'),
    readBackups: () => cache.read(),
    isStandbyExpected: options.isStandbyExpected ?? false,
    ...(backup ? { readLastBackupRun: () => readLastBackupStatus(backup) } : {}),
  });
}
