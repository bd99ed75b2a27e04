import path from 'node:path';

import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';

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
/** Memory of the process's DuckDB databases, per label (`readDuckDbMemory` of @threadline/lake). */
export type DuckDbMemoryReader = () => Promise<Array<{ label: string; memoryBytes: number; temporaryBytes: number }>>;

/**
 * `threadline_duckdb_memory_bytes{database}` and `threadline_duckdb_temporary_bytes{database}`:
 * what DuckDB's buffer manager holds (and has spilled) in each long-lived database of this process.
 * Set against `process_resident_memory_bytes`, the rest of the native growth is the allocator's.
 */
export function registerDuckDbMemoryMetrics(registry: Registry, read: DuckDbMemoryReader): void {
  const labelNames = ['database'] as const;
  // one read per scrape fills both gauges (collected in registration order): the memory gauge
  // reads, the temporary-bytes gauge takes that read and clears it for the next scrape
  let reading: ReturnType<DuckDbMemoryReader> | undefined;
  new Gauge({
    name: 'threadline_duckdb_memory_bytes',
    help: 'Bytes held by DuckDB in an open database of this process (duckdb_memory())',
    labelNames,
    registers: [registry],
    async collect() {
      reading = read();
      this.reset();
      for (const row of await reading) this.set({ database: row.label }, row.memoryBytes);
    },
  });
  new Gauge({
    name: 'threadline_duckdb_temporary_bytes',
    help: 'Bytes an open DuckDB database of this process has spilled to disk',
    labelNames,
    registers: [registry],
    async collect() {
      const rows = await (reading ?? read());
      reading = undefined;
      this.reset();
      for (const row of rows) this.set({ database: row.label }, row.temporaryBytes);
    },
  });
}

export function registerWorkerMetrics(
  registry: Registry,
  options: {
    pool: pg.Pool;
    dataDir: string;
    backup: BackupConfig | undefined;
    backupCache?: ReturnType<typeof createBackupInfoCache>;
    isStandbyExpected?: boolean;
    /** the worker's DuckDB databases (flush, compaction, dashboards): see registerDuckDbMemoryMetrics */
    readDuckDbMemory?: DuckDbMemoryReader;
  },
): void {
  if (options.readDuckDbMemory) registerDuckDbMemoryMetrics(registry, options.readDuckDbMemory);
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
