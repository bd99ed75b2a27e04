import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { OpsError, isOpsError } from '../errors.js';
import { writePgBackRestConfig, type BackupConfig } from './backup-config.js';
import { latestBackup, readStanzaInfo, type BackupSet, type BackupType } from './info.js';
import { runChecked, runPgBackRest, type RunOptions } from './pgbackrest.js';

export const REPOS = [1, 2] as const;
export type RepoKey = (typeof REPOS)[number];

/**
 * Creates the stanza when it does not exist yet (idempotent: an existing, matching stanza is left
 * alone). The server must be running with WAL archiving on.
 */
export async function ensureStanza(backup: BackupConfig, options: RunOptions = {}): Promise<void> {
  writePgBackRestConfig(backup);
  await runChecked(backup, ['stanza-create'], options);
}

export interface VerifyResult {
  repo: RepoKey;
  isOk: boolean;
  /** pgbackrest's own summary lines (missing or corrupt WAL and backup files are named here). */
  report: string;
}

/**
 * `pgbackrest verify` on one repository: checksums every backup file and WAL segment and reports
 * gaps in the WAL archive. A non-zero exit or any reported problem makes `isOk` false.
 */
export async function verifyRepo(backup: BackupConfig, repo: RepoKey, options: RunOptions = {}): Promise<VerifyResult> {
  const result = await runPgBackRest(backup, ['verify', `--repo=${repo}`, '--log-level-console=info'], options);
  const report = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => /INFO: (stanza|archiveId|  |backup)|WARN|ERROR|missing|invalid|gap/i.test(line))
    .join('\n')
    .trim();
  const hasProblem = /missing: [1-9]|checksum invalid: [1-9]|size invalid: [1-9]|other: [1-9]|ERROR|WARN/i.test(report);
  return { repo, isOk: result.code === 0 && !hasProblem, report };
}

export interface BackupRunResult {
  status: 'ok' | 'failed';
  startedAt: Date;
  finishedAt: Date;
  /** The backup taken per repository (missing when that repository failed). */
  sets: BackupSet[];
  verify: VerifyResult[];
  errors: string[];
}

/** Full when the repository has no full backup younger than the retention window minus one day, else differential. */
export function chooseBackupType(fullBackupsStoppedAt: Date[], retentionDays: number, now: Date): 'full' | 'diff' {
  const newest = Math.max(0, ...fullBackupsStoppedAt.map((date) => date.getTime()));
  const ageDays = (now.getTime() - newest) / 86_400_000;
  return ageDays >= Math.max(1, retentionDays - 1) ? 'full' : 'diff';
}

const STATUS_FILE = 'last-run.json';

export interface LastBackupStatus {
  status: 'ok' | 'failed';
  finishedAt: string;
  errors: string[];
  labels: string[];
}

/** Result of the last backup run on this machine, written by `runBackup` (metrics and `ops status` read it). */
export function readLastBackupStatus(backup: Pick<BackupConfig, 'backupDir'>): LastBackupStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(backup.backupDir, STATUS_FILE), 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'status' in parsed && 'finishedAt' in parsed) {
      // written only by writeLastBackupStatus below with exactly this shape
      return parsed as LastBackupStatus;
    }
  } catch {
    // no backup has run here yet
  }
  return undefined;
}

function writeLastBackupStatus(backup: BackupConfig, result: BackupRunResult): void {
  const file = path.join(backup.backupDir, STATUS_FILE);
  const status: LastBackupStatus = {
    status: result.status,
    finishedAt: result.finishedAt.toISOString(),
    errors: result.errors,
    labels: result.sets.map((set) => `repo${set.repo}:${set.label}`),
  };
  writeFileSync(file, JSON.stringify(status, null, 2));
  if (backup.osIds) chownSync(file, backup.osIds.uid, backup.osIds.gid);
}

export interface RunBackupOptions extends RunOptions {
  /** `auto` (default): full when due, otherwise differential. */
  type?: 'full' | 'diff' | 'incr' | 'auto';
  repos?: readonly RepoKey[];
  /** Skip `pgbackrest verify` (tests of expiry only). Default: verify. */
  isVerifySkipped?: boolean;
  now?: Date;
}

/**
 * One backup run: stanza check, a backup into each repository (repo1 local, repo2 the off-site
 * copy), retention-based expiry (pgbackrest expires after each backup), then `pgbackrest verify`.
 * Never throws for tool failures: the result lists what failed so the caller can alert.
 */
export async function runBackup(backup: BackupConfig, options: RunBackupOptions = {}): Promise<BackupRunResult> {
  const startedAt = new Date();
  const errors: string[] = [];
  const sets: BackupSet[] = [];
  const verify: VerifyResult[] = [];
  const repos = options.repos ?? REPOS;
  try {
    await ensureStanza(backup, options);
    for (const repo of repos) {
      const info = await readStanzaInfo(backup);
      const fulls = (info?.backups ?? []).filter((set) => set.repo === repo && set.type === 'full' && !set.isError);
      const type: BackupType =
        options.type && options.type !== 'auto'
          ? options.type
          : chooseBackupType(fulls.map((set) => set.stoppedAt), backup.retentionDays, options.now ?? new Date());
      options.onLine?.(`repo${repo}: ${type} backup…`);
      try {
        await runChecked(backup, ['backup', `--repo=${repo}`, `--type=${type}`], options);
        const taken = latestBackup(await readStanzaInfo(backup), repo);
        if (taken) sets.push(taken);
      } catch (error) {
        errors.push(`repo${repo}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (!options.isVerifySkipped) {
      for (const repo of repos) {
        options.onLine?.(`repo${repo}: verify…`);
        const result = await verifyRepo(backup, repo, options);
        verify.push(result);
        if (!result.isOk) errors.push(`repo${repo}: verify found problems:\n${result.report}`);
      }
    }
  } catch (error) {
    errors.push(isOpsError(error) || error instanceof Error ? error.message : String(error));
  }
  const result: BackupRunResult = { status: errors.length === 0 ? 'ok' : 'failed', startedAt, finishedAt: new Date(), sets, verify, errors };
  try {
    writeLastBackupStatus(backup, result);
  } catch (error) {
    result.errors.push(`could not record the run: ${String(error)}`);
  }
  return result;
}

/** Throws NO_BACKUP when the stanza has no usable backup. */
export async function requireLatestBackup(backup: BackupConfig): Promise<BackupSet> {
  const found = latestBackup(await readStanzaInfo(backup));
  if (!found) throw new OpsError('NO_BACKUP', 'no backup exists yet: run `threadline backup now` first');
  return found;
}
