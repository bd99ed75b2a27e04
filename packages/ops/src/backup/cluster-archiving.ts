import type { Config } from '@threadline/config';
import { loadOrCreateSecrets } from '@threadline/config';

import { isOpsError } from '../errors.js';
import { resolveBackupConfig, walArchivingSettings, writePgBackRestConfig } from './backup-config.js';
import { findPgBackRest } from './pgbackrest.js';

/**
 * Server settings for the embedded cluster: continuous WAL archiving into the pgBackRest stanza
 * (archive_timeout 60 s) when pgbackrest is installed; otherwise only wal_level=replica, so that
 * installing pgbackrest later needs nothing but a restart. Writes the pgBackRest config first, so
 * the very first archive_command finds it.
 */
export function embeddedArchivingSettings(config: Config): Record<string, string> {
  const binary = findPgBackRest();
  if (!binary || config.databaseUrl) return { wal_level: 'replica' };
  try {
    const backup = resolveBackupConfig(config, loadOrCreateSecrets(config.dataDir));
    writePgBackRestConfig(backup);
    return walArchivingSettings(backup, { binary });
  } catch (error) {
    if (isOpsError(error)) return { wal_level: 'replica' };
    throw error;
  }
}
