import { Cron } from 'croner';

import { ConfigError, loadConfig, type Config } from '@threadline/config';

/** How the nightly run is scheduled and guarded (`config.pipeline`, checked on entry). */
export interface PipelineSettings {
  /** Cron expression in the shop's time zone (default `0 2 * * *`: 02:00, when the shop is quietest). */
  cron: string;
  /** false: no schedule, only manual/queued runs (THREADLINE_PIPELINE_CRON=off). */
  isScheduled: boolean;
  /** Retries of a failed step (not counting the first attempt). */
  retries: number;
  /** First retry delay; doubles on each further retry. */
  backoffMs: number;
  /** Longest a single step may run. */
  stepTimeoutMs: number;
  /** Per-step limits that override stepTimeoutMs, e.g. `{ refresh: 120_000 }`. */
  stepTimeoutsMs?: Partial<Record<string, number>>;
  /** How often the worker looks for runs queued through the API. */
  pollMs: number;
}

/**
 * The pipeline's settings from the configuration tree; the cron expression is checked here.
 *
 * @example
 * const settings = pipelineSettings(config); // THREADLINE_PIPELINE_CRON='30 3 * * *' → 03:30
 */
export function pipelineSettings(config: Pick<Config, 'pipeline'>): PipelineSettings {
  if (config.pipeline.isScheduled) {
    try {
      new Cron(config.pipeline.cron, { paused: true }).stop();
    } catch (error) {
      throw new ConfigError('THREADLINE_PIPELINE_CRON', `not a cron expression: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { ...config.pipeline };
}

/** Settings for an environment (tests and tools that have no process config). */
export function loadPipelineSettings(env: Record<string, string | undefined>): PipelineSettings {
  return pipelineSettings(loadConfig(env));
}
