import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { startCluster, withClient, type RunningCluster } from '@threadline/db';

import { OpsError } from '../errors.js';
import { writePgBackRestConfig, type BackupConfig } from './backup-config.js';
import { ensureOwnedDir } from './os-user.js';
import { runPgBackRest, type RunOptions } from './pgbackrest.js';

/** Where to stop replaying WAL: a moment, a transaction id (inclusive), or the end of the archive. */
export type RestoreTarget = { kind: 'time'; at: Date } | { kind: 'xid'; xid: string } | { kind: 'latest' };

/**
 * Parses the `--to` value: an ISO 8601 / PostgreSQL timestamp with an explicit zone, or `latest`.
 * A timestamp without a zone is refused: "02:00" means different moments in the shop's zone and UTC.
 */
export function parseRestoreTarget(value: string, now = new Date()): RestoreTarget {
  const trimmed = value.trim();
  if (trimmed === 'latest') return { kind: 'latest' };
  if (!/(Z|[+-]\d\d(:?\d\d)?)$/i.test(trimmed)) {
    throw new OpsError('RESTORE_TARGET_INVALID', `--to "${value}": add a time zone (e.g. 2026-11-25T02:15:00Z or 2026-11-25 02:15:00-05:00)`);
  }
  // PostgreSQL prints offsets as +00 or +0530; JavaScript's parser wants +00:00 / +05:30
  const iso = trimmed.replace(' ', 'T').replace(/([+-]\d\d)(\d\d)?$/, (_match, hours: string, minutes: string | undefined) => `${hours}:${minutes ?? '00'}`);
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new OpsError('RESTORE_TARGET_INVALID', `--to "${value}" is not a timestamp`);
  if (at.getTime() > now.getTime()) throw new OpsError('RESTORE_TARGET_INVALID', `--to "${value}" is in the future`);
  return { kind: 'time', at };
}

/** PostgreSQL's recovery_target_time format with microseconds, in UTC. */
export function formatRecoveryTime(at: Date): string {
  return `${at.toISOString().replace('T', ' ').replace('Z', '')}+00`;
}

function targetArgs(target: RestoreTarget): string[] {
  if (target.kind === 'latest') return ['--type=default'];
  if (target.kind === 'xid') return ['--type=xid', `--target=${target.xid}`, '--target-action=promote'];
  return ['--type=time', `--target=${formatRecoveryTime(target.at)}`, '--target-action=promote'];
}

export interface RestoreOptions extends RunOptions {
  target: RestoreTarget;
  /** Directory that will hold the new cluster (`<dir>/pg`, sockets in `<dir>/run`). Must be new or empty. */
  targetDir: string;
  /** Restore over `backup.pgDataDir` itself (the server must be stopped). */
  isInPlace?: boolean;
}

export interface RestoreResult {
  pgDir: string;
  durationMs: number;
  target: RestoreTarget;
}

function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/**
 * Copies the files of the right backup set into a new data directory and writes the recovery
 * settings (restore_command from the repository, the target, promote at the target). Starting the
 * server then replays WAL up to the target: see `startRestoredCluster`.
 */
export async function restoreFiles(backup: BackupConfig, options: RestoreOptions): Promise<RestoreResult> {
  writePgBackRestConfig(backup);
  const startedAt = Date.now();
  let pgDir: string;
  const args = ['restore', ...targetArgs(options.target), '--archive-mode=off'];
  if (options.isInPlace) {
    pgDir = backup.pgDataDir;
    if (existsSync(path.join(pgDir, 'postmaster.pid'))) {
      throw new OpsError('CLUSTER_RUNNING', `the database in ${pgDir} is running: stop it (Ctrl-C on npm start) before an in-place restore`);
    }
    // --delta rewrites only the files that differ; archive_mode stays as the live settings want it
    args.splice(args.indexOf('--archive-mode=off'), 1, '--delta');
  } else {
    const root = path.resolve(options.targetDir);
    pgDir = path.join(root, 'pg');
    if (path.resolve(pgDir) === path.resolve(backup.pgDataDir)) {
      throw new OpsError('RESTORE_TARGET_INVALID', '--target is the live data directory: use --in-place --yes to restore over it');
    }
    if (!isEmptyDir(pgDir)) throw new OpsError('RESTORE_TARGET_INVALID', `--target ${root}: ${pgDir} already holds files; pick a new directory`);
    ensureOwnedDir(root, backup.osIds, 0o755);
    ensureOwnedDir(pgDir, backup.osIds, 0o700);
    args.push(`--pg1-path=${pgDir}`);
  }
  const result = await runPgBackRest(backup, args, options);
  if (result.code !== 0) {
    const words = (result.stderr || result.stdout).trim().split('\n').slice(-6).join('\n');
    throw new OpsError('RESTORE_FAILED', `pgbackrest restore failed (exit ${result.code}): ${words}`, words);
  }
  return { pgDir, durationMs: Date.now() - startedAt, target: options.target };
}

/**
 * Starts a restored cluster on `port`, waits until WAL replay has reached the target and the
 * server is promoted. A replay that stops short (a WAL segment missing from the archive, a target
 * after the end of the archive) fails with RESTORE_FAILED and the server's own FATAL lines.
 */
export async function startRestoredCluster(
  pgDir: string,
  options: { port: number; password: string; timeoutMs?: number; onLog?: (line: string) => void },
): Promise<RunningCluster> {
  const lines: string[] = [];
  let cluster: RunningCluster;
  try {
    cluster = await startCluster({
      dir: pgDir,
      port: options.port,
      password: options.password,
      // a restored copy must never push WAL into the live stanza's archive
      settings: { archive_mode: 'off', shared_buffers: '128MB' },
      onLog: (line) => {
        lines.push(line);
        options.onLog?.(line);
      },
    });
  } catch (error) {
    throw new OpsError('RESTORE_FAILED', `the restored server did not start: ${explainRecoveryFailure(lines)}`, lines.slice(-20).join('\n'), { cause: error });
  }
  await waitForPromotion(cluster, lines, options.timeoutMs ?? 600_000);
  return cluster;
}

/**
 * Waits until `cluster` has left recovery (replay reached the target and it was promoted). A
 * server that stops meanwhile — with an exit code, or killed by a signal (the OOM killer, an
 * operator's kill -9), which leaves no exit code — fails at once with RESTORE_FAILED and what its
 * log said; one still replaying after `timeoutMs` is stopped and fails too.
 */
export async function waitForPromotion(cluster: RunningCluster, lines: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const adminUrl = cluster.url.replace(/\/[^/]*$/, '/postgres');
  while (Date.now() < deadline) {
    if (cluster.process.exitCode !== null || cluster.process.signalCode !== null) {
      throw new OpsError('RESTORE_FAILED', `the restored server stopped during WAL replay: ${explainRecoveryFailure(lines)}`, lines.slice(-20).join('\n'));
    }
    try {
      const { rows } = await withClient({ connectionString: adminUrl }, (client) => client.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering'));
      if (rows[0]?.recovering === false) return;
    } catch {
      // still starting up or replaying
    }
    await sleep(200);
  }
  await cluster.stop();
  throw new OpsError('RESTORE_FAILED', 'WAL replay did not finish in time', lines.slice(-20).join('\n'));
}

/** The lines of the server log that say why recovery failed, in an operator's words. */
export function explainRecoveryFailure(lines: readonly string[]): string {
  const fatal = lines.filter((line) => /FATAL|PANIC|could not|missing|not found|recovery ended before/i.test(line));
  const text = fatal.slice(-4).join(' | ') || lines.slice(-3).join(' | ') || 'no server output';
  if (/recovery ended before configured recovery target was reached/i.test(text)) {
    return `${text} — the WAL archive ends before the target (a segment is missing or not yet archived)`;
  }
  return text;
}
