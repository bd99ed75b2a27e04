import { setTimeout as sleep } from 'node:timers/promises';

import {
  findPgBackRest,
  isOpsError,
  nextDailyRun,
  parseTimeOfDay,
  readStanzaInfo,
  resolveBackupConfig,
  runNightlyBackup,
  ensureStanza,
  invalidateBackupInfoCaches,
  type BackupConfig,
} from '@threadline/ops';

import { AUDIT_ACTIONS, recordAudit } from '@threadline/db';

import type { WorkerContext, WorkerService } from '../context.js';

/**
 * Daily database backup (AWS Backup's 02:00 plan): at THREADLINE_BACKUP_AT (default 02:00) in the
 * shop's time zone, a full or differential pgBackRest backup to both repositories, expiry by the
 * 7-day retention, verify, Slack notice. On start it makes sure the stanza exists (so WAL archiving
 * succeeds) and takes a first full backup when there is none yet, so restores work from day one.
 */
export const backupScheduleService: WorkerService = {
  name: 'backup-schedule',
  async start(context: WorkerContext) {
    const { config, secrets, logger } = context;
    const noop = { async stop() {} };
    // off by default under NODE_ENV=test (see config.backup)
    const setting = config.backup.schedule;
    if (setting === 'off') {
      logger.info('backup schedule off (THREADLINE_BACKUP_SCHEDULE=off)');
      return noop;
    }
    if (!findPgBackRest()) {
      logger.warn('pgbackrest is not installed: no scheduled backups and no point-in-time restore (apt-get install pgbackrest)');
      return noop;
    }
    let backup: BackupConfig;
    try {
      backup = resolveBackupConfig(config, secrets);
    } catch (error) {
      if (!isOpsError(error)) throw error;
      logger.warn(`no scheduled backups: ${error.message}`);
      return noop;
    }
    const at = parseTimeOfDay(config.backup.at, 'THREADLINE_BACKUP_AT');
    const abort = new AbortController();
    let running: Promise<unknown> = Promise.resolve();
    const backUp = async (): Promise<void> => {
      const { result } = await runNightlyBackup(backup, { logger, slackWebhookUrl: config.slackWebhookUrl });
      invalidateBackupInfoCaches();
      // the scheduled backup is a staff-visible action too: the audit log says it ran and how it ended
      await recordAudit(context.pool, {
        action: result.status === 'ok' ? AUDIT_ACTIONS.BACKUP_CREATED : AUDIT_ACTIONS.BACKUP_FAILED,
        actorType: 'system',
        target: `backup:${result.startedAt.toISOString().slice(0, 10)}`,
        details: { trigger: 'schedule', repos: result.sets.length, errors: result.errors.length },
      }).catch((error: unknown) => logger.error({ err: error }, 'audit entry for the backup could not be written'));
    };

    const firstBackup = (async () => {
      try {
        await ensureStanza(backup);
        const info = await readStanzaInfo(backup);
        if (!info || info.backups.length === 0) {
          logger.info('no backup exists yet: taking the first full backup now');
          await backUp();
        }
      } catch (error) {
        logger.error(`backup setup failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    })();
    running = firstBackup;

    const loop = (async () => {
      await firstBackup;
      while (!abort.signal.aborted) {
        const next = nextDailyRun({ ...at, timeZone: config.shopTimeZone }, new Date());
        logger.info(`next database backup at ${next.toISOString()} (${String(at.hour).padStart(2, '0')}:${String(at.minute).padStart(2, '0')} ${config.shopTimeZone})`);
        try {
          await sleep(next.getTime() - Date.now(), undefined, { signal: abort.signal });
        } catch {
          return; // stopped
        }
        running = backUp().catch((error: unknown) => logger.error({ err: error }, 'scheduled backup crashed'));
        await running;
      }
    })();

    return {
      async stop() {
        abort.abort();
        // a backup in flight finishes (pgbackrest would leave a partial set otherwise)
        await running;
        await loop;
      },
    };
  },
};
