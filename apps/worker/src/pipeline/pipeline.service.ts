import { Cron } from 'croner';

import { lakeFromConfig } from '@threadline/lake';
import { nextQueuedRun, pipelineSettings, PipelineBusyError, recoverPublishes, runPipeline, type PipelineDeps, type RunRequest } from '@threadline/pipeline';

import type { WorkerService } from '../context.js';

/**
 * The scheduler (the Glue trigger): runs the pipeline on the cron schedule in the shop's time
 * zone and picks up runs queued through the API ("run now", backfills). A tick that finds a run
 * in progress (this or another process holds the lock) leaves the work for the next tick.
 */
export const pipelineService: WorkerService = {
  name: 'pipeline',
  async start(context) {
    const settings = pipelineSettings(context.config);
    const deps: PipelineDeps = {
      pool: context.pool,
      dataDir: context.config.dataDir,
      lake: lakeFromConfig(context.config),
      timeZone: context.config.shopTimeZone,
      pseudonymKey: context.secrets.pseudonymKey,
      slackWebhookUrl: context.config.slackWebhookUrl,
      logger: context.logger.child({ service: 'pipeline' }),
      settings,
    };
    // a publish cut short by a crash is completed before anything reads the lake again
    const recovered = await recoverPublishes(deps.lake ?? context.config.paths.lake);
    if (recovered.length > 0) deps.logger.warn({ runs: recovered }, 'completed interrupted lake publishes');
    let current: Promise<unknown> | null = null;
    let isStopping = false;

    const launch = (request: RunRequest): void => {
      if (current || isStopping) return;
      current = runPipeline(deps, request)
        .catch((error: unknown) => {
          if (error instanceof PipelineBusyError) deps.logger.info('pipeline run skipped: another run holds the lock');
          else deps.logger.error({ err: error }, 'pipeline run crashed');
        })
        .finally(() => {
          current = null;
        });
    };

    const cron = settings.isScheduled
      ? new Cron(settings.cron, { timezone: context.config.shopTimeZone, protect: true }, () => launch({ trigger: 'schedule' }))
      : null;
    if (cron) deps.logger.info({ cron: settings.cron, timeZone: context.config.shopTimeZone, next: cron.nextRun()?.toISOString() }, 'nightly pipeline scheduled');

    const poll = setInterval(() => {
      if (current || isStopping) return;
      nextQueuedRun(context.pool).then(
        (queued) => {
          if (queued) launch({ trigger: queued.trigger, dates: queued.dates, runId: queued.id, requestedBy: queued.requestedBy });
        },
        (error: unknown) => deps.logger.warn({ err: error }, 'cannot read queued pipeline runs'),
      );
    }, settings.pollMs);
    poll.unref();

    return {
      async stop() {
        isStopping = true;
        cron?.stop();
        clearInterval(poll);
        // a run stopped halfway is safe (staging only, or a journaled publish), but let it finish if it can
        if (current) await current;
      },
    };
  },
};
