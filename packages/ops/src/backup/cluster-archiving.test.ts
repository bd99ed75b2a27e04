import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import { loadConfig, loadOrCreateSecrets } from '@threadline/config';
import { initialiseCluster, startCluster, type RunningCluster } from '@threadline/db';
import { freePort } from '@threadline/db/testing';

import { isStanzaCreated, prepareEmbeddedArchiving } from './cluster-archiving.js';
import { resolveBackupConfig } from './backup-config.js';
import { switchWalAndWait } from './wal-archive.js';

describe('WAL archiving of the embedded cluster on a fresh install', () => {
  let dataDir = '';
  let cluster: RunningCluster | undefined;
  let pool: pg.Pool | undefined;
  const serverLog: string[] = [];
  after(async () => {
    await pool?.end().catch(() => undefined);
    await cluster?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  let config: ReturnType<typeof loadConfig>;
  let secrets: ReturnType<typeof loadOrCreateSecrets>;
  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-archiving-'));
    // as root the server and pgbackrest run as `postgres`, which must be able to enter the directory
    chmodSync(dataDir, 0o755);
    const port = await freePort();
    config = loadConfig({ THREADLINE_DATA_DIR: dataDir, THREADLINE_PG_PORT: String(port) });
    secrets = loadOrCreateSecrets(dataDir, { THREADLINE_PG_PASSWORD: 'archiving-test' });
    await initialiseCluster({ dir: path.join(dataDir, 'pg'), port, password: secrets.pgPassword });
  });

  it('creates the stanza before the server starts, so the first segment is archived without a failed archive_command', async () => {
    const backup = resolveBackupConfig(config, secrets);
    assert.equal(isStanzaCreated(backup), false);
    const warnings: string[] = [];
    const settings = await prepareEmbeddedArchiving(config, { onWarning: (line) => warnings.push(line) });
    assert.deepEqual(warnings, []);
    assert.equal(settings.archive_mode, 'on');
    assert.equal(isStanzaCreated(backup), true, 'archive.info exists in both repositories before the server runs');

    cluster = await startCluster({
      dir: backup.pgDataDir,
      port: config.pgPort,
      password: backup.pgPassword,
      settings: { ...settings, shared_buffers: '64MB', max_connections: '20' },
      onLog: (line) => serverLog.push(line),
    });
    pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
    pool.on('error', () => undefined);
    await pool.query('CREATE TABLE t (id int PRIMARY KEY, body text)');
    await pool.query(`INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g`);
    // the first segment of the new cluster, and the one after it, reach the repository
    await switchWalAndWait(pool, 30_000);
    await switchWalAndWait(pool, 30_000);
    const { rows } = await pool.query<{ failed_count: number; archived_count: number }>(
      'SELECT failed_count::int AS failed_count, archived_count::int AS archived_count FROM pg_stat_archiver',
    );
    assert.equal(rows[0]?.failed_count, 0, serverLog.filter((line) => /archive|ERROR/.test(line)).join('\n'));
    assert.ok((rows[0]?.archived_count ?? 0) >= 2);
    assert.deepEqual(serverLog.filter((line) => /archive command failed|archive\.info|WARNING/.test(line)), []);
  });

  it('leaves an existing stanza alone on a later start (no pgbackrest call)', async () => {
    const backup = resolveBackupConfig(config, secrets);
    const warnings: string[] = [];
    const startedAt = Date.now();
    const settings = await prepareEmbeddedArchiving(config, { onWarning: (line) => warnings.push(line) });
    assert.equal(settings.archive_mode, 'on');
    assert.deepEqual(warnings, []);
    assert.equal(isStanzaCreated(backup), true);
    assert.ok(Date.now() - startedAt < 1_000);
  });
});
