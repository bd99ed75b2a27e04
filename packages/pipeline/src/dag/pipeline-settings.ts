import { Cron } from 'croner';

import { ConfigError } from '@threadline/config';

/** How the nightly run is scheduled and guarded; from the environment, checked on entry. */
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

type Env = Record<string, string | undefined>;

function readNumber(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new ConfigError(name, `expected a number >= ${min}, got "${raw}"`);
  return value;
}

/**
 * @example
 * const settings = loadPipelineSettings(process.env); // THREADLINE_PIPELINE_CRON='30 3 * * *' → 03:30
 */
export function loadPipelineSettings(env: Env = process.env): PipelineSettings {
  const rawCron = env.THREADLINE_PIPELINE_CRON?.trim() || '0 2 * * *';
  const isScheduled = rawCron !== 'off';
  if (isScheduled) {
    try {
      new Cron(rawCron, { paused: true }).stop();
    } catch (error) {
      throw new ConfigError('THREADLINE_PIPELINE_CRON', `not a cron expression: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    cron: rawCron,
    isScheduled,
    retries: readNumber(env, 'THREADLINE_PIPELINE_RETRIES', 2, 0),
    backoffMs: readNumber(env, 'THREADLINE_PIPELINE_BACKOFF_SECONDS', 30, 0) * 1000,
    stepTimeoutMs: readNumber(env, 'THREADLINE_PIPELINE_STEP_TIMEOUT_MINUTES', 30, 0.01) * 60_000,
    pollMs: readNumber(env, 'THREADLINE_PIPELINE_POLL_SECONDS', 5, 0.1) * 1000,
  };
}
