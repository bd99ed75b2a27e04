import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { OpsError, isOpsError } from '../errors.js';
import { writePgBackRestConfig, type BackupConfig } from './backup-config.js';
import { latestBackup, readStanzaInfo, type BackupSet, type BackupType } from './info.js';
import { runCheckedWaitingForLock, runPgBackRest, type RunOptions } from './pgbackrest.js';

export const REPOS = [1, 2] as const;
export type RepoKey = (typeof REPOS)[number];

/**
 * Creates the stanza when it does not exist yet (idempotent: an existing, matching stanza is left
 * alone). The server must be running with WAL archiving on.
 */
export async function ensureStanza(backup: BackupConfig, options: RunOptions = {}): Promise<void> {
  writePgBackRestConfig(backup);
  // right after a start the worker creates the stanza and takes the first backup: wait for it
  await runCheckedWaitingForLock(backup, ['stanza-create'], options);
}

export interface VerifyResult {
  repo: RepoKey;
  isOk: boolean;
  /** Segments absent from the archive between two archived ranges of one timeline. */
  gaps: WalGap[];
  /** pgbackrest's own summary plus our gap findings (what an operator reads). */
  report: string;
}

export interface WalGap {
  archiveId: string;
  /** First and last missing segment names. */
  from: string;
  to: string;
}

/** Segment name arithmetic (16 MB segments: 256 per log id). */
function shiftSegment(name: string, by: 1 | -1): string {
  const timeline = name.slice(0, 8);
  let log = parseInt(name.slice(8, 16), 16);
  let seg = parseInt(name.slice(16, 24), 16) + by;
  if (seg > 0xff) {
    log += 1;
    seg = 0;
  } else if (seg < 0) {
    log -= 1;
    seg = 0xff;
  }
  return `${timeline}${log.toString(16).toUpperCase().padStart(8, '0')}${seg.toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * Finds holes in the WAL archive from verify's DETAIL lines ("archiveId: 15-1, wal start: A, wal
 * stop: B", one per contiguous range). pgBackRest 2.45 still says "status: ok" when there are two
 * ranges on one timeline, yet a replay across the hole is impossible, so we report it ourselves.
 */
export function findWalGaps(output: string): WalGap[] {
  const ranges: Array<{ archiveId: string; start: string; stop: string }> = [];
  for (const match of output.matchAll(/archiveId: (\S+), wal start: ([0-9A-F]{24}), wal stop: ([0-9A-F]{24})/g)) {
    ranges.push({ archiveId: match[1] ?? '', start: match[2] ?? '', stop: match[3] ?? '' });
  }
  ranges.sort((a, b) => a.archiveId.localeCompare(b.archiveId) || a.start.localeCompare(b.start));
  const gaps: WalGap[] = [];
  for (let i = 1; i < ranges.length; i++) {
    const previous = ranges[i - 1];
    const current = ranges[i];
    if (!previous || !current || previous.archiveId !== current.archiveId) continue;
    // a new timeline (after a restore) starts its own range: not a hole
    if (previous.stop.slice(0, 8) !== current.start.slice(0, 8)) continue;
    const expected = shiftSegment(previous.stop, 1);
    if (expected < current.start) gaps.push({ archiveId: current.archiveId, from: expected, to: shiftSegment(current.start, -1) });
  }
  return gaps;
}

/**
 * `pgbackrest verify` on one repository: checksums every backup file and WAL segment; we add the
 * check for holes in the WAL archive. A non-zero exit, any invalid file or any hole makes `isOk` false.
 */
export async function verifyRepo(backup: BackupConfig, repo: RepoKey, options: RunOptions = {}): Promise<VerifyResult> {
  const result = await runPgBackRest(backup, ['verify', `--repo=${repo}`, '--output=text', '--log-level-console=detail'], options);
  const output = `${result.stdout}\n${result.stderr}`;
  const gaps = findWalGaps(output);
  const summary = output
    .split('\n')
    .filter((line) => /^\s*(stanza:|status:|archiveId:|backup:|missing:)|WARN|ERROR/.test(line))
    .map((line) => line.trimEnd());
  for (const gap of gaps) {
    summary.push(`  WAL MISSING in ${gap.archiveId}: ${gap.from}${gap.to !== gap.from ? ` … ${gap.to}` : ''} (restores cannot replay past it)`);
  }
  const hasProblem = /missing: [1-9]|checksum invalid: [1-9]|size invalid: [1-9]|other: [1-9]|status: error|ERROR/i.test(summary.join('\n'));
  return { repo, isOk: result.code === 0 && !hasProblem && gaps.length === 0, gaps, report: summary.join('\n').trim() };
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
        await runCheckedWaitingForLock(backup, ['backup', `--repo=${repo}`, `--type=${type}`], options);
        const taken = latestBackup(await readStanzaInfo(backup), repo);
        if (taken) sets.push(taken);
      } catch (error) {
        errors.push(`repo${repo}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (!options.isVerifySkipped) {
      for (const repo of repos) {
        options.onLine?.(`repo${repo}: verify…`);
        // verify's DETAIL log is parsed, not shown: the summary lands in the result
        const result = await verifyRepo(backup, repo, { ...options, onLine: undefined });
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
