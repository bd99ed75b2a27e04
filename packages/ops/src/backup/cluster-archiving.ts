import { existsSync } from 'node:fs';
import path from 'node:path';

import type { Config } from '@threadline/config';
import { loadOrCreateSecrets } from '@threadline/config';

import { isOpsError } from '../errors.js';
import { resolveBackupConfig, walArchivingSettings, writePgBackRestConfig, type BackupConfig } from './backup-config.js';
import { findPgBackRest, runCheckedWaitingForLock } from './pgbackrest.js';

/**
 * Server settings for the embedded cluster: continuous WAL archiving into the pgBackRest stanza
 * (archive_timeout 60 s) when pgbackrest is installed; otherwise only wal_level=replica, so that
 * installing pgbackrest later needs nothing but a restart. Writes the pgBackRest config first, so
 * the very first archive_command finds it. The stanza itself is created by
 * `prepareEmbeddedArchiving`, which callers that start the server use instead.
 */
export function embeddedArchivingSettings(config: Config): Record<string, string> {
  return archivingPlan(config).settings;
}

function archivingPlan(config: Config): { settings: Record<string, string>; backup?: BackupConfig } {
  const binary = findPgBackRest();
  if (!binary || config.databaseUrl) return { settings: { wal_level: 'replica' } };
  try {
    const backup = resolveBackupConfig(config, loadOrCreateSecrets(config.dataDir));
    writePgBackRestConfig(backup);
    return { settings: walArchivingSettings(backup, { binary }), backup };
  } catch (error) {
    if (isOpsError(error)) return { settings: { wal_level: 'replica' } };
    throw error;
  }
}

/** True when both repositories already hold the stanza's archive (repo2 on S3 counts as unknown: false). */
export function isStanzaCreated(backup: Pick<BackupConfig, 'repo1Path' | 'repo2Path' | 'stanza'>): boolean {
  return [backup.repo1Path, backup.repo2Path].every((repo) => existsSync(path.join(repo, 'archive', backup.stanza, 'archive.info')));
}

/**
 * Like `embeddedArchivingSettings`, and creates the pgBackRest stanza from the stopped cluster's
 * files (`stanza-create --no-online`) when it does not exist yet — so archiving is never switched
 * on before the stanza exists: on a fresh install the first archive_command used to fail (and log
 * pgBackRest's archive.info warnings) until the worker created the stanza seconds later. Call it
 * after initdb and before the server starts. A failure (a repository left over from another
 * cluster…) is logged with pgBackRest's words and the server starts anyway: the archiver keeps
 * every segment until it is archived, so no WAL is lost.
 */
export async function prepareEmbeddedArchiving(
  config: Config,
  options: { onWarning?: (line: string) => void } = {},
): Promise<Record<string, string>> {
  const plan = archivingPlan(config);
  if (!plan.backup || isStanzaCreated(plan.backup)) return plan.settings;
  try {
    await runCheckedWaitingForLock(plan.backup, ['stanza-create', '--no-online'], { lockWaitMs: 60_000 });
  } catch (error) {
    if (!isOpsError(error)) throw error;
    options.onWarning?.(`could not create the pgBackRest stanza before WAL archiving starts: ${error.message}`);
  }
  return plan.settings;
}
