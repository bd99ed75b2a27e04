import { Cron } from 'croner';
import type { Command } from 'commander';

import { dateRange, isIsoDate } from '@threadline/domain';
import { lakeFromConfig } from '@threadline/lake';

import { parseFormat, printRows, withFormat } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';
import type { PostSeedStep } from './seed-step.js';

function parseDate(value: string, option: string): string {
  if (!isIsoDate(value)) throw new Error(`${option} must be a date YYYY-MM-DD (got "${value}")`);
  return value;
}

function parsePositiveInt(value: string, option: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${option} must be a positive integer (got "${value}")`);
  return number;
}

const seconds = (from: Date | null, to: Date | null): string =>
  from && to ? `${Math.round((to.getTime() - from.getTime()) / 100) / 10}` : '';

export function registerPipeline(program: Command): void {
  const pipeline = program.command('pipeline').description('the nightly data pipeline: extract → quality gate → publish → catalog → refresh insights');

  pipeline
    .command('run')
    .description('run the pipeline now in this process (incremental by default) and print progress; exits 1 if the run fails')
    .option('--date <date>', 'rebuild one partition date (shop time zone), YYYY-MM-DD')
    .option('--from <date>', 'backfill: first date of a range (with --to)')
    .option('--to <date>', 'backfill: last date of a range (with --from)')
    .option('--queue', 'only queue the run for the worker instead of running it here')
    .action(async (options: { date?: string; from?: string; to?: string; queue?: boolean }) => {
      let dates: string[] = [];
      let trigger: 'manual' | 'backfill' = 'manual';
      if (options.date) dates = [parseDate(options.date, '--date')];
      if (options.from || options.to) {
        if (!options.from || !options.to) throw new Error('--from and --to go together');
        if (options.date) throw new Error('use either --date or --from/--to');
        const from = parseDate(options.from, '--from');
        const to = parseDate(options.to, '--to');
        if (from > to) throw new Error('--from must not be after --to');
        dates = dateRange(from, to);
        if (dates.length > 3660) throw new Error('a backfill covers at most 10 years; split it');
        trigger = 'backfill';
      }
      const runtime = loadRuntime('pipeline');
      const { runPipeline, pipelineSettings, queueRun } = await import('@threadline/pipeline');
      const summary = await withPool(runtime, async (pool) => {
        if (options.queue) {
          const run = await queueRun(pool, { trigger, dates });
          console.log(`queued run #${run.id}; the worker starts it within seconds (threadline pipeline status --run ${run.id})`);
          return null;
        }
        return runPipeline(
          {
            pool,
            dataDir: runtime.config.dataDir,
            lake: lakeFromConfig(runtime.config),
            timeZone: runtime.config.shopTimeZone,
            pseudonymKey: runtime.secrets.pseudonymKey,
            slackWebhookUrl: runtime.config.slackWebhookUrl,
            logger: runtime.logger.child({}, { level: 'warn' }),
            settings: pipelineSettings(runtime.config),
            onProgress: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
          },
          { trigger, dates },
        );
      });
      if (summary && summary.status === 'failed') {
        console.error(`run #${summary.runId} failed at ${summary.failedStep}: ${summary.error}`);
        process.exitCode = 1;
      }
    });

  withFormat(
    pipeline
      .command('status')
      .description('the latest run (or --run N): steps, rows, quality results with sample bad rows, next scheduled run')
      .option('--run <id>', 'a specific run id'),
  ).action(async (options: { run?: string; format?: string }) => {
    const format = parseFormat(options.format);
    const runtime = loadRuntime('pipeline');
    const { listRuns, findRun, listSteps, listRuleResults, pipelineSettings } = await import('@threadline/pipeline');
    await withPool(runtime, async (pool) => {
      const run = options.run ? await findRun(pool, parsePositiveInt(options.run, '--run')) : ((await listRuns(pool, { limit: 1 }))[0] ?? null);
      const settings = pipelineSettings(runtime.config);
      const next = settings.isScheduled ? new Cron(settings.cron, { timezone: runtime.config.shopTimeZone, paused: true }).nextRun() : null;
      if (!run) {
        console.log(`no pipeline run yet; next scheduled run: ${next ? next.toISOString() : 'not scheduled'}`);
        return;
      }
      const steps = await listSteps(pool, run.id);
      const rules = await listRuleResults(pool, run.id);
      if (format === 'json') {
        console.log(JSON.stringify({ run, steps, quality: rules, nextScheduledRun: next?.toISOString() ?? null }, null, 2));
        return;
      }
      if (format === 'csv') {
        printRows(rules.map((rule) => ({ run: run.id, ...rule, badRows: JSON.stringify(rule.badRows) })), 'csv');
        return;
      }
      console.log(`run #${run.id}  ${run.status.toUpperCase()}  trigger=${run.trigger}  dates=${run.dates.length > 3 ? `${run.dates[0]}…${run.dates.at(-1)} (${run.dates.length})` : run.dates.join(',')}`);
      console.log(`started ${run.startedAt?.toISOString() ?? '-'}  finished ${run.finishedAt?.toISOString() ?? '-'}  rows in ${run.rowsIn}  out ${run.rowsOut}`);
      if (run.error) console.log(`failed at ${run.failedStep}: ${run.error}`);
      console.log(`next scheduled run: ${next ? `${next.toISOString()} (${settings.cron}, ${runtime.config.shopTimeZone})` : 'not scheduled'}\n`);
      printRows(
        steps.map((step) => ({ step: step.step, status: step.status, attempts: step.attempts, rowsIn: step.rowsIn, rowsOut: step.rowsOut, seconds: seconds(step.startedAt, step.finishedAt), error: step.error ?? '' })),
        'table',
      );
      console.log('');
      const ordered = [...rules].sort((a, b) => Number(a.passed) - Number(b.passed));
      printRows(
        ordered.map((rule) => ({ phase: rule.phase, dataset: rule.dataset, rule: rule.name, severity: rule.severity, result: rule.passed ? 'pass' : 'FAIL', observed: rule.observed ?? '', expected: rule.expected })),
        'table',
      );
      for (const rule of ordered.filter((item) => !item.passed && item.badRows.length > 0)) {
        console.log(`\nsample bad rows for ${rule.dataset} ${rule.name}:`);
        for (const row of rule.badRows) console.log(`  ${JSON.stringify(row)}`);
      }
    });
  });

  withFormat(
    pipeline
      .command('history')
      .description('past runs, newest first')
      .option('--limit <n>', 'how many runs', '20'),
  ).action(async (options: { limit: string; format?: string }) => {
    const format = parseFormat(options.format);
    const runtime = loadRuntime('pipeline');
    const { listRuns } = await import('@threadline/pipeline');
    await withPool(runtime, async (pool) => {
      const runs = await listRuns(pool, { limit: parsePositiveInt(options.limit, '--limit') });
      printRows(
        runs.map((run) => ({
          id: run.id,
          trigger: run.trigger,
          status: run.status,
          dates: run.dates.length > 2 ? `${run.dates[0]}…${run.dates.at(-1)} (${run.dates.length})` : run.dates.join(','),
          started: run.startedAt,
          seconds: seconds(run.startedAt, run.finishedAt),
          rowsIn: run.rowsIn,
          rowsOut: run.rowsOut,
          failedStep: run.failedStep ?? '',
          error: run.error ?? '',
        })),
        format,
      );
    });
  });
}

/**
 * `threadline seed` step (so also the first `npm start`): one pipeline run over the demo shop, so
 * the lake is published and every dashboard has figures at the first sign-in. A failed run does
 * not stop the start: it is recorded like any run and the Data pipeline page says why.
 */
export const pipelineSeedStep: PostSeedStep = {
  name: 'pipeline',
  async run(context) {
    const { runPipeline, pipelineSettings, PipelineBusyError } = await import('@threadline/pipeline');
    const { createLogger } = await import('@threadline/config');
    // a first start should not wait minutes on retries: one quick retry for a flaky moment
    const settings = { ...pipelineSettings(context.config), retries: 1, backoffMs: 1000 };
    try {
      const summary = await runPipeline(
        {
          pool: context.pool,
          dataDir: context.config.dataDir,
          lake: lakeFromConfig(context.config),
          timeZone: context.config.shopTimeZone,
          pseudonymKey: context.secrets.pseudonymKey,
          slackWebhookUrl: context.config.slackWebhookUrl,
          logger: createLogger({ name: 'pipeline', level: 'warn' }),
          settings,
          onProgress: context.log,
        },
        { trigger: 'first_start' },
      );
      if (summary.status === 'failed') {
        context.log(`run #${summary.runId} failed at ${summary.failedStep}: ${summary.error} — the back office's Data pipeline page shows why; the shop starts anyway`);
      }
    } catch (error) {
      if (error instanceof PipelineBusyError) context.log('a pipeline run is already in progress; the dashboards fill when it ends');
      else context.log(`the first pipeline run could not start: ${error instanceof Error ? error.message : String(error)}; run \`threadline pipeline run\` once the shop is up`);
    }
  },
};
