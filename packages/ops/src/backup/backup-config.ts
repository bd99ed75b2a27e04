import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Config, Secrets } from '@threadline/config';

import { OpsError } from '../errors.js';
import { ensureOwnedDir, postgresOsIds, type OsIds } from './os-user.js';

/** pgBackRest stanza name: one stanza per data directory (each data dir has its own config file). */
export const STANZA = 'threadline';
/** Days of point-in-time recovery kept (AWS Backup's 7-day retention). */
export const DEFAULT_RETENTION_DAYS = 7;

export interface BackupConfig {
  stanza: string;
  /** `<dataDir>/backups`: config, logs, locks, and the local repository. */
  backupDir: string;
  configPath: string;
  repo1Path: string;
  /** The off-site copy (second repository); a mounted remote disk, or S3 via PGBACKREST_REPO2_* variables. */
  repo2Path: string;
  pgDataDir: string;
  pgPort: number;
  pgSocketDir: string;
  pgUser: string;
  pgPassword: string;
  retentionDays: number;
  /** Repository encryption key (aes-256-cbc). Lose it and the backups are unreadable. */
  cipherPass: string;
  /** True when the passphrase was generated on this machine rather than given in the environment. */
  isGeneratedCipherPass: boolean;
  /** As root: the `postgres` OS user every pgbackrest call runs as. */
  osIds: OsIds | undefined;
  isEmbedded: boolean;
}

type Env = Record<string, string | undefined>;

function readCipherPass(dataDir: string, env: Env): { pass: string; isGenerated: boolean } {
  const fromEnv = env.THREADLINE_BACKUP_PASSPHRASE;
  if (fromEnv) {
    if (fromEnv.length < 20) throw new OpsError('BACKUP_NOT_CONFIGURED', 'THREADLINE_BACKUP_PASSPHRASE: use at least 20 characters');
    return { pass: fromEnv, isGenerated: false };
  }
  const file = path.join(dataDir, 'backup-passphrase');
  if (existsSync(file)) return { pass: readFileSync(file, 'utf8').trim(), isGenerated: true };
  const pass = randomBytes(32).toString('base64url');
  writeFileSync(file, `${pass}\n`, { mode: 0o600 });
  return { pass, isGenerated: true };
}

/**
 * Where and how this installation backs up its database. The embedded cluster needs nothing set;
 * an external server needs pgbackrest on the database host and THREADLINE_BACKUP_PG_PATH (its data
 * directory) plus, if not the default, THREADLINE_BACKUP_PG_SOCKET.
 */
export function resolveBackupConfig(config: Config, secrets: Secrets, env: Env = process.env): BackupConfig {
  const backupDir = path.join(config.dataDir, 'backups');
  const isEmbedded = config.databaseUrl === undefined;
  let pgDataDir = path.join(config.dataDir, 'pg');
  let pgPort = config.pgPort;
  let pgSocketDir = path.join(config.dataDir, 'run');
  let pgUser = 'threadline';
  let pgPassword = secrets.pgPassword;
  if (!isEmbedded && config.databaseUrl) {
    const external = env.THREADLINE_BACKUP_PG_PATH;
    if (!external) {
      throw new OpsError(
        'BACKUP_NOT_CONFIGURED',
        'DATABASE_URL points at an external server: run threadline on the database host with THREADLINE_BACKUP_PG_PATH set to its data directory (see docs/operations.md)',
      );
    }
    const url = new URL(config.databaseUrl);
    pgDataDir = path.resolve(external);
    pgPort = Number(url.port || 5432);
    pgSocketDir = env.THREADLINE_BACKUP_PG_SOCKET || '/var/run/postgresql';
    pgUser = decodeURIComponent(url.username) || 'postgres';
    pgPassword = decodeURIComponent(url.password);
  }
  const retentionRaw = env.THREADLINE_BACKUP_RETENTION_DAYS;
  const retentionDays = retentionRaw ? Number(retentionRaw) : DEFAULT_RETENTION_DAYS;
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new OpsError('BACKUP_NOT_CONFIGURED', `THREADLINE_BACKUP_RETENTION_DAYS: expected a whole number of days >= 1, got "${retentionRaw}"`);
  }
  const cipher = readCipherPass(config.dataDir, env);
  return {
    stanza: STANZA,
    backupDir,
    configPath: path.join(backupDir, 'pgbackrest.conf'),
    repo1Path: path.join(backupDir, 'repo1'),
    repo2Path: path.resolve(env.THREADLINE_BACKUP_OFFSITE_PATH || path.join(backupDir, 'offsite')),
    pgDataDir,
    pgPort,
    pgSocketDir,
    pgUser,
    pgPassword,
    retentionDays,
    cipherPass: cipher.pass,
    isGeneratedCipherPass: cipher.isGenerated,
    osIds: postgresOsIds(),
    isEmbedded,
  };
}

/**
 * pgbackrest.conf for the stanza. Both repositories are encrypted and keep `retentionDays` of
 * point-in-time recovery (time-based retention: the newest full backup older than the window is
 * kept too, because the window's first days need it). WAL is compressed with zstd.
 */
export function renderPgBackRestConfig(backup: BackupConfig): string {
  const repo = (index: 1 | 2, repoPath: string): string[] => [
    `repo${index}-path=${repoPath}`,
    `repo${index}-retention-full-type=time`,
    `repo${index}-retention-full=${backup.retentionDays}`,
    `repo${index}-cipher-type=aes-256-cbc`,
    `repo${index}-cipher-pass=${backup.cipherPass}`,
    `repo${index}-bundle=y`,
  ];
  return [
    '# Generated by threadline from the data directory settings; edits are overwritten.',
    '[global]',
    ...repo(1, backup.repo1Path),
    ...repo(2, backup.repo2Path),
    'compress-type=zst',
    'start-fast=y',
    'archive-check=y',
    'process-max=2',
    `log-path=${path.join(backup.backupDir, 'log')}`,
    `lock-path=${path.join(backup.backupDir, 'lock')}`,
    'log-level-console=warn',
    'log-level-file=info',
    '',
    `[${backup.stanza}]`,
    `pg1-path=${backup.pgDataDir}`,
    `pg1-port=${backup.pgPort}`,
    `pg1-socket-path=${backup.pgSocketDir}`,
    `pg1-user=${backup.pgUser}`,
    '',
  ].join('\n');
}

/**
 * Writes the config and creates the repository, log and lock directories, owned by the database
 * OS user (it runs archive-push). The file holds the cipher passphrase: mode 0600.
 */
export function writePgBackRestConfig(backup: BackupConfig): void {
  ensureOwnedDir(backup.backupDir, backup.osIds);
  for (const dir of [backup.repo1Path, backup.repo2Path, path.join(backup.backupDir, 'log'), path.join(backup.backupDir, 'lock')]) {
    ensureOwnedDir(dir, backup.osIds);
  }
  writeFileSync(backup.configPath, renderPgBackRestConfig(backup), { mode: 0o600 });
  chmodSync(backup.configPath, 0o600);
  if (backup.osIds) chownSync(backup.configPath, backup.osIds.uid, backup.osIds.gid);
}

/** The archive_command the server runs for every finished WAL segment. */
export function archiveCommand(backup: Pick<BackupConfig, 'configPath' | 'stanza'>, binary = 'pgbackrest'): string {
  // the server runs this through /bin/sh: quote the path so a data dir with spaces still works
  return `${binary} --config='${backup.configPath.replaceAll("'", `'\\''`)}' --stanza=${backup.stanza} archive-push %p`;
}

/**
 * Server settings for continuous WAL archiving: at most `archiveTimeoutSeconds` of commits can be
 * lost (a segment is switched and archived at least that often even when traffic is low).
 */
export function walArchivingSettings(
  backup: Pick<BackupConfig, 'configPath' | 'stanza'>,
  options: { archiveTimeoutSeconds?: number; binary?: string } = {},
): Record<string, string> {
  return {
    wal_level: 'replica',
    archive_mode: 'on',
    archive_command: archiveCommand(backup, options.binary),
    archive_timeout: `${options.archiveTimeoutSeconds ?? 60}s`,
    max_wal_senders: '3',
  };
}
