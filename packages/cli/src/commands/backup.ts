import path from 'node:path';

import type { Command } from 'commander';

import { freeLoopbackPort } from '@threadline/config';
import { AUDIT_ACTIONS, recordAudit } from '@threadline/db';
import {
  describeBackupRun,
  describeDrill,
  ensureArchivedThrough,
  formatRecoveryTime,
  parseRestoreTarget,
  readStanzaInfo,
  resolveBackupConfig,
  restoreFiles,
  runBackup,
  runRestoreDrill,
  startRestoredCluster,
  verifyRepo,
  notifySlack,
  REPOS,
  type BackupConfig,
} from '@threadline/ops';

import { parseFormat, printRows, withFormat } from '../output.js';
import { loadRuntime, withPool, type Runtime } from '../runtime.js';

function backupConfig(runtime: Runtime): BackupConfig {
  const backup = resolveBackupConfig(runtime.config, runtime.secrets);
  if (backup.isGeneratedCipherPass) {
    console.error(
      `note: the repository passphrase was generated in ${path.join(runtime.config.dataDir, 'backup-passphrase')}; keep a copy in your password manager — without it the off-site copy cannot be read`,
    );
  }
  return backup;
}

function parseRepo(value: string | undefined): 1 | 2 | undefined {
  if (value === undefined) return undefined;
  const found = REPOS.find((repo) => String(repo) === value);
  if (!found) throw new Error(`--repo must be 1 (local) or 2 (off-site), got "${value}"`);
  return found;
}

export function registerBackup(program: Command): void {
  const backup = program
    .command('backup')
    .description('database backups with pgBackRest: WAL archiving, daily backups kept 7 days, point-in-time restore, drills');

  backup
    .command('now')
    .description('take a backup now into both repositories (full when due, else differential), expire by retention, verify; exits 1 on failure')
    .option('--type <type>', 'full|diff|incr|auto', 'auto')
    .option('--repo <n>', 'only this repository: 1 (local) or 2 (off-site)')
    .option('--no-notify', 'do not post the result to Slack')
    .action(async (options: { type: string; repo?: string; notify: boolean }) => {
      const type = ['full', 'diff', 'incr', 'auto'].find((value) => value === options.type);
      if (!type || (type !== 'full' && type !== 'diff' && type !== 'incr' && type !== 'auto')) {
        throw new Error(`--type must be full, diff, incr or auto (got "${options.type}")`);
      }
      const runtime = loadRuntime('backup');
      const config = backupConfig(runtime);
      const repo = parseRepo(options.repo);
      const result = await runBackup(config, { type, ...(repo ? { repos: [repo] } : {}), onLine: (line) => console.error(line) });
      const text = describeBackupRun(result);
      console.log(text);
      await withPool(runtime, (pool) =>
        recordAudit(pool, {
          action: result.status === 'ok' ? AUDIT_ACTIONS.BACKUP_CREATED : AUDIT_ACTIONS.BACKUP_FAILED,
          actorType: 'system',
          target: `backup:${result.startedAt.toISOString().slice(0, 10)}`,
          details: { trigger: 'cli', type, repos: result.sets.length, errors: result.errors.length },
        }),
      ).catch((error: unknown) => console.error(`note: the audit log entry could not be written (${error instanceof Error ? error.message : String(error)})`));
      if (options.notify) await notifySlack({ text }, { webhookUrl: runtime.config.slackWebhookUrl });
      if (result.status !== 'ok') process.exit(1); // process.exitCode is not kept through the tsx launcher: exit explicitly
    });

  withFormat(
    backup
      .command('list')
      .description('list the backups in both repositories (newest last) and the archived WAL range'),
  ).action(async (options: { format: string }) => {
    const format = parseFormat(options.format);
    const runtime = loadRuntime('backup');
    const info = await readStanzaInfo(backupConfig(runtime));
    if (!info) throw new Error('no backup stanza yet (or pgbackrest is not installed): run `threadline backup now`');
    printRows(
      info.backups.map((set) => ({
        repo: set.repo,
        label: set.label,
        type: set.type,
        started: set.startedAt.toISOString(),
        stopped: set.stoppedAt.toISOString(),
        database_mb: Math.round(set.databaseBytes / 1048576),
        stored_mb: Math.round((set.repositoryBytes / 1048576) * 10) / 10,
        wal_start: set.walStart,
        wal_stop: set.walStop,
        error: set.isError,
      })),
      format,
    );
    if (format === 'table') {
      for (const range of info.archive) console.log(`repo${range.repo} WAL archive: ${range.min ?? '-'} … ${range.max ?? '-'}`);
      console.log(`status: ${info.statusMessage}`);
    }
  });

  withFormat(
    backup
      .command('verify')
      .description('check every backup file and WAL segment in the repositories, and holes in the WAL archive; exits 1 on any problem')
      .option('--repo <n>', 'only this repository: 1 (local) or 2 (off-site)'),
  ).action(async (options: { format: string; repo?: string }) => {
    const format = parseFormat(options.format);
    const runtime = loadRuntime('backup');
    const config = backupConfig(runtime);
    const repo = parseRepo(options.repo);
    const results = [];
    for (const key of repo ? [repo] : REPOS) {
      console.error(`verifying repo${key}…`);
      results.push(await verifyRepo(config, key));
    }
    printRows(
      results.map((result) => ({
        repo: result.repo,
        ok: result.isOk,
        wal_gaps: result.gaps.map((gap) => `${gap.from}…${gap.to}`).join(' '),
        report: format === 'table' ? result.report.split('\n').filter((line) => /missing|MISSING|status/.test(line)).join('; ') : result.report,
      })),
      format,
    );
    if (results.some((result) => !result.isOk)) process.exit(1); // process.exitCode is not kept through the tsx launcher: exit explicitly
  });

  backup
    .command('restore')
    .description('point-in-time restore into a NEW cluster (default) or over the live one (--in-place --yes, database stopped)')
    .requiredOption('--to <timestamp>', 'restore point with a time zone, e.g. "2026-11-25 14:03:00-05:00", or "latest"')
    .option('--target <dir>', 'directory for the new cluster (default: <data dir>/restores/<timestamp>)')
    .option('--in-place', 'restore over the live data directory (stop `npm start` first)')
    .option('--yes', 'confirm --in-place')
    .option('--start', 'start the restored cluster on a free port and keep it running until Ctrl-C')
    .action(async (options: { to: string; target?: string; inPlace?: boolean; yes?: boolean; start?: boolean }) => {
      const target = parseRestoreTarget(options.to);
      if (options.inPlace && !options.yes) {
        throw new Error('--in-place replaces the live database with the restored one: add --yes to confirm (stop `npm start` first)');
      }
      if (options.inPlace && options.target) throw new Error('use either --target or --in-place');
      const runtime = loadRuntime('backup');
      const config = backupConfig(runtime);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const targetDir = path.resolve(options.target ?? path.join(runtime.config.dataDir, 'restores', stamp));
      const label = target.kind === 'time' ? formatRecoveryTime(target.at) : 'the end of the WAL archive';
      if (target.kind === 'time' && !options.inPlace) {
        // a target seconds old can lie in the WAL segment still being written: push it first
        await withPool(runtime, (pool) => ensureArchivedThrough(pool, target.at)).then(
          (last) => {
            if (!last || last.getTime() < target.at.getTime()) {
              throw new Error(`the WAL archive ends at ${last ? formatRecoveryTime(last) : 'no archived segment'}: that is the latest moment that can be restored`);
            }
          },
          (error: unknown) =>
            console.error(`note: the live database is not reachable (${error instanceof Error ? error.message : String(error)}); restoring from what the archive holds — run \`threadline backup list\` for its end`),
        );
      }
      console.error(`restoring to ${label}${options.inPlace ? ' over the live data directory' : ` into ${targetDir}`}…`);
      const restored = await restoreFiles(config, { target, targetDir, isInPlace: options.inPlace ?? false, onLine: (line) => console.error(line) });
      console.error(`files restored in ${(restored.durationMs / 1000).toFixed(1)} s; replaying WAL…`);
      if (options.inPlace) {
        console.log(`restored ${restored.pgDir}; start the shop (npm start) and WAL replay to ${label} happens on start-up`);
        return;
      }
      const port = await freeLoopbackPort();
      const startedAt = Date.now();
      const cluster = await startRestoredCluster(restored.pgDir, { port, password: runtime.secrets.pgPassword });
      console.log(`restored cluster ready in ${((Date.now() - startedAt + restored.durationMs) / 1000).toFixed(1)} s: ${cluster.url.replace(/:[^:@/]*@/, ':***@')}`);
      console.log(`  data: ${restored.pgDir}`);
      if (options.start) {
        console.log('  running until Ctrl-C; inspect it with psql, copy rows back with pg_dump -t …');
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      }
      await cluster.stop();
      if (!options.start) console.log(`  stopped; start it later with: threadline backup restore … --start, or postgres -D ${restored.pgDir} -p <port>`);
    });

  withFormat(
    backup
      .command('drill')
      .description('restore drill: canary row → restore latest backup into a scratch cluster → check canary and row counts → report RPO and restore time to Slack; exits 1 on failure')
      .option('--fast', 'force a WAL switch instead of waiting up to archive_timeout for the canary to be archived')
      .option('--keep', 'keep the scratch cluster files'),
    ['table', 'json'],
  ).action(async (options: { fast?: boolean; keep?: boolean; format: string }) => {
      const format = parseFormat(options.format, ['table', 'json']);
      const runtime = loadRuntime('backup');
      const config = backupConfig(runtime);
      const result = await runRestoreDrill(config, {
        liveUrl: runtime.databaseUrl,
        password: runtime.secrets.pgPassword,
        slackWebhookUrl: runtime.config.slackWebhookUrl,
        isFast: options.fast ?? false,
        isKept: options.keep ?? false,
        onProgress: (line) => console.error(line),
      });
      console.log(format === 'json' ? JSON.stringify(result, null, 2) : describeDrill(result));
      if (result.notice?.status === 'failed') console.error(`Slack: ${result.notice.reason}`);
      if (result.status !== 'passed') process.exit(1); // process.exitCode is not kept through the tsx launcher: exit explicitly
    });
}
