import { hostname } from 'node:os';

import type { Logger } from '@threadline/config';

import { notifySlack, type NotifySlackResult } from '../notify/slack.js';
import type { BackupConfig } from './backup-config.js';
import { runBackup, type BackupRunResult, type RunBackupOptions } from './run-backup.js';

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** The Slack text of a backup run: what happened, where, and what to do when it failed. */
export function describeBackupRun(result: BackupRunResult, where = hostname()): string {
  const seconds = ((result.finishedAt.getTime() - result.startedAt.getTime()) / 1000).toFixed(1);
  if (result.status === 'ok') {
    const sets = result.sets.map((set) => `repo${set.repo} ${set.type} ${set.label} (${formatBytes(set.repositoryBytes)} stored)`).join(', ');
    const verified = result.verify.length > 0 ? `verified ${result.verify.map((entry) => `repo${entry.repo}`).join(' + ')}` : 'not verified';
    return `:white_check_mark: Database backup on ${where} finished in ${seconds} s: ${sets}; ${verified}.`;
  }
  return [
    `:rotating_light: Database backup on ${where} FAILED after ${seconds} s.`,
    ...result.errors.map((error) => `• ${error}`),
    'Next: run `threadline backup list` and `threadline backup verify` on that host; see docs/operations.md → "BackupFailed".',
  ].join('\n');
}

/**
 * The 02:00 job: backup to both repositories, expire by retention, verify, and tell Slack either
 * way (no webhook configured: the notice is logged).
 */
export async function runNightlyBackup(
  backup: BackupConfig,
  options: { logger: Logger; slackWebhookUrl: string | undefined } & RunBackupOptions,
): Promise<{ result: BackupRunResult; notice: NotifySlackResult }> {
  const { logger, slackWebhookUrl, ...runOptions } = options;
  const result = await runBackup(backup, { ...runOptions, onLine: (line) => logger.info(`backup: ${line}`) });
  const text = describeBackupRun(result);
  if (result.status === 'ok') logger.info(text);
  else logger.error(text);
  const notice = await notifySlack({ text }, { webhookUrl: slackWebhookUrl, logger });
  return { result, notice };
}
