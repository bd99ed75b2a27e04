import { rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { freeLoopbackPort, type Logger } from '@threadline/config';
import { withClient } from '@threadline/db';

import { OpsError } from '../errors.js';
import { notifySlack, type NotifySlackResult } from '../notify/slack.js';
import type { BackupConfig } from './backup-config.js';
import { currentSegment, readArchiverState, readRestoredState, writeCanary } from './drill.repo.js';
import { requireLatestBackup } from './run-backup.js';
import { restoreFiles, startRestoredCluster } from './restore.js';

export interface DrillOptions {
  /** URL of the live database (the canary is written there). */
  liveUrl: string;
  /** Password of the cluster's superuser (the restored copy has the same roles). */
  password: string;
  logger?: Logger | undefined;
  slackWebhookUrl?: string | undefined;
  /** Force a WAL switch instead of waiting for archive_timeout (RPO then measures the forced path). */
  isFast?: boolean;
  /** Keep the scratch cluster's files for inspection. */
  isKept?: boolean;
  onProgress?: (line: string) => void;
}

export interface DrillResult {
  status: 'passed' | 'failed';
  backupLabel: string;
  backupAgeSeconds: number;
  /** Seconds from the canary's commit until its WAL segment was in the repository. */
  rpoSeconds: number;
  archiveTimeoutSeconds: number;
  /** Seconds to restore the files, replay WAL and open the scratch cluster. */
  restoreSeconds: number;
  restoredBytes: number;
  hasCanary: boolean;
  mismatches: Array<{ table: string; live: number; restored: number | null }>;
  tablesChecked: number;
  scratchDir: string;
  error?: string;
  notice?: NotifySlackResult;
}

async function databaseSize(url: string): Promise<number> {
  const { rows } = await withClient({ connectionString: url }, (client) =>
    client.query<{ bytes: string }>('SELECT pg_database_size(current_database())::text AS bytes'),
  );
  return Number(rows[0]?.bytes ?? 0);
}

async function waitForSegment(url: string, segment: string, isFast: boolean, timeoutMs: number): Promise<void> {
  if (isFast) {
    await withClient({ connectionString: url }, (client) => client.query('SELECT pg_switch_wal()'));
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { lastArchivedWal } = await readArchiverState(url);
    // segment names sort in WAL order within a timeline
    if (lastArchivedWal && lastArchivedWal.slice(8) >= segment.slice(8)) return;
    await sleep(200);
  }
  throw new OpsError('DRILL_CHECK_FAILED', `WAL segment ${segment} holding the canary was not archived within ${timeoutMs / 1000} s: WAL archiving is not working`);
}

/** The Slack text of a drill: result, RPO, restore time, and what to do on failure. */
export function describeDrill(result: DrillResult, where = hostname()): string {
  const head =
    result.status === 'passed'
      ? `:white_check_mark: Restore drill on ${where} PASSED`
      : `:rotating_light: Restore drill on ${where} FAILED${result.error ? `: ${result.error}` : ''}`;
  const lines = [
    head,
    `• backup ${result.backupLabel || '(none)'} (${(result.backupAgeSeconds / 3600).toFixed(1)} h old) restored and replayed in ${result.restoreSeconds.toFixed(1)} s (${(result.restoredBytes / 1048576).toFixed(0)} MB)`,
    `• RPO: canary archived ${result.rpoSeconds.toFixed(1)} s after commit (archive_timeout ${result.archiveTimeoutSeconds} s)`,
    `• canary row ${result.hasCanary ? 'present' : 'MISSING'}; ${result.tablesChecked} tables counted, ${result.mismatches.length} mismatched`,
  ];
  for (const mismatch of result.mismatches.slice(0, 5)) lines.push(`  – ${mismatch.table}: live ${mismatch.live}, restored ${mismatch.restored ?? 'missing'}`);
  if (result.status === 'failed') lines.push('Next: see docs/operations.md → "Restore drill failed".');
  return lines.join('\n');
}

/**
 * The restore drill: writes a canary row (and counts every table in the same snapshot), waits for
 * its WAL to reach the repository (that delay is the measured RPO), restores the latest backup into
 * a scratch cluster up to the canary's transaction, checks canary and counts, reports the restore
 * time and posts the result to Slack. The live database is only read, apart from the canary row.
 */
export async function runRestoreDrill(backup: BackupConfig, options: DrillOptions): Promise<DrillResult> {
  const progress = options.onProgress ?? (() => undefined);
  const scratchDir = path.join(backup.backupDir, `drill-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const result: DrillResult = {
    status: 'failed',
    backupLabel: '',
    backupAgeSeconds: 0,
    rpoSeconds: 0,
    archiveTimeoutSeconds: 0,
    restoreSeconds: 0,
    restoredBytes: 0,
    hasCanary: false,
    mismatches: [],
    tablesChecked: 0,
    scratchDir,
  };
  try {
    const latest = await requireLatestBackup(backup);
    result.backupLabel = latest.label;
    result.backupAgeSeconds = (Date.now() - latest.stoppedAt.getTime()) / 1000;
    const { archiveTimeoutSeconds } = await readArchiverState(options.liveUrl);
    result.archiveTimeoutSeconds = archiveTimeoutSeconds;

    progress('writing the canary row and counting every table…');
    const canary = await writeCanary(options.liveUrl);
    const segment = await currentSegment(options.liveUrl);
    progress(options.isFast ? 'switching WAL and waiting for the archive…' : `waiting for WAL ${segment} to be archived (up to archive_timeout ${archiveTimeoutSeconds} s)…`);
    await waitForSegment(options.liveUrl, segment, options.isFast ?? false, (Math.max(archiveTimeoutSeconds, 10) + 30) * 1000);
    result.rpoSeconds = (Date.now() - canary.committedAt.getTime()) / 1000;

    progress(`restoring backup ${latest.label} into ${scratchDir} up to transaction ${canary.xid}…`);
    const startedAt = Date.now();
    const restored = await restoreFiles(backup, { target: { kind: 'xid', xid: canary.xid }, targetDir: scratchDir });
    const port = await freeLoopbackPort();
    const cluster = await startRestoredCluster(restored.pgDir, { port, password: options.password });
    result.restoreSeconds = (Date.now() - startedAt) / 1000;
    try {
      const database = new URL(options.liveUrl).pathname;
      const url = cluster.url.replace(/\/[^/]*$/, database);
      progress('checking the canary row and table counts…');
      result.restoredBytes = await databaseSize(url);
      const state = await readRestoredState(url, canary.id);
      result.hasCanary = state.hasCanary;
      result.tablesChecked = Object.keys(canary.counts).length;
      for (const [table, live] of Object.entries(canary.counts)) {
        const restoredCount = state.counts[table];
        if (restoredCount !== live) result.mismatches.push({ table, live, restored: restoredCount ?? null });
      }
    } finally {
      await cluster.stop();
    }
    result.status = result.hasCanary && result.mismatches.length === 0 ? 'passed' : 'failed';
    if (result.status === 'failed' && !result.error) {
      result.error = result.hasCanary ? 'row counts differ from the live database' : 'the canary row is missing from the restored copy';
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    if (!options.isKept) rmSync(scratchDir, { recursive: true, force: true });
  }
  const text = describeDrill(result);
  if (result.status === 'passed') options.logger?.info(text);
  else options.logger?.error(text);
  result.notice = await notifySlack({ text }, { webhookUrl: options.slackWebhookUrl, logger: options.logger });
  return result;
}
