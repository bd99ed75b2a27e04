import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { loadConfig, loadOrCreateSecrets } from '@threadline/config';
import { initialiseCluster, startCluster, type RunningCluster } from '@threadline/db';
import { freePort } from '@threadline/db/testing';

import { resolveBackupConfig, walArchivingSettings, writePgBackRestConfig, type BackupConfig } from './backup-config.js';

export interface ArchivingCluster {
  dataDir: string;
  backup: BackupConfig;
  cluster: RunningCluster;
  url: string;
  password: string;
  pool: pg.Pool;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  destroy(): Promise<void>;
}

/**
 * A throwaway embedded cluster laid out like a real data directory (pg/, run/, backups/) with WAL
 * archiving into its own pgBackRest stanza. Only for tests: every file is removed by destroy().
 */
export async function startArchivingCluster(env: Record<string, string> = {}): Promise<ArchivingCluster> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-ops-'));
  // as root the server and pgbackrest run as `postgres`, which must be able to enter the directory
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const password = 'ops-test';
  const config = loadConfig({ ...env, THREADLINE_DATA_DIR: dataDir, THREADLINE_PG_PORT: String(port) });
  const secrets = loadOrCreateSecrets(dataDir, { THREADLINE_PG_PASSWORD: password });
  const backup = resolveBackupConfig(config, secrets);
  writePgBackRestConfig(backup);
  await initialiseCluster({ dir: backup.pgDataDir, port, password });
  const cluster = await startCluster({
    dir: backup.pgDataDir,
    port,
    password,
    settings: { ...walArchivingSettings(backup), shared_buffers: '64MB', max_connections: '40' },
  });
  const pool = new pg.Pool({ connectionString: cluster.url, max: 3 });
  // an idle connection the server ends (a restore's shutdown, WAL switch…) is dropped by the pool;
  // without a listener its 'error' is an uncaught exception after the test (seen in CI). Queries
  // still fail loudly through their own promises.
  pool.on('error', () => undefined);
  return {
    dataDir,
    backup,
    cluster,
    url: cluster.url,
    password,
    pool,
    async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
      return (await pool.query<T>(sql, params)).rows;
    },
    async destroy() {
      await pool.end().catch(() => undefined);
      await cluster.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
