/**
 * Why the dashboards' data is missing or stale, in words a marketer can act on. Pure: takes the
 * latest runs and returns a state and a sentence; the route does the reading.
 */

/** The fields of a pipeline run this needs (a subset of the worker's PipelineRun). */
export interface RunFacts {
  id: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'abandoned';
  currentStep: string | null;
  failedStep: string | null;
  error: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface FailedRuleFacts {
  dataset: string;
  name: string;
  observed: string | number | null;
}

export type DataHealthState = 'ok' | 'never_run' | 'running' | 'failed' | 'stale';

export interface DataHealth {
  state: DataHealthState;
  /** One sentence for the dashboards; null when all is well. */
  message: string | null;
  lastRunId: number | null;
  lastSuccessAt: string | null;
}

/** A nightly run plus a working day's slack: older published data counts as stale. */
export const STALE_AFTER_HOURS = 36;

function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * @example
 * describeDataHealth({ latest: failedRun, lastSuccess: null, failedRules: [{ dataset: 'product_day', name: 'uniqueness(dt,product_id)', observed: 3 }], now: new Date() })
 * // → { state: 'failed', message: 'The last pipeline run (#4, …) failed at quality: product_day.uniqueness(dt,product_id) observed 3. No run has published data yet.', … }
 */
export function describeDataHealth(input: { latest: RunFacts | null; lastSuccess: RunFacts | null; failedRules: readonly FailedRuleFacts[]; now: Date }): DataHealth {
  const { latest, lastSuccess, now } = input;
  const successAt = lastSuccess?.finishedAt ?? null;
  const base = { lastRunId: latest?.id ?? null, lastSuccessAt: successAt?.toISOString() ?? null };
  const since = successAt ? `The figures are from the run that finished ${when(successAt)}.` : 'No run has published data yet.';
  if (!latest) return { ...base, state: 'never_run', message: 'The data pipeline has not run yet: figures appear after its first run.' };
  if (latest.status === 'queued' || latest.status === 'running') {
    const step = latest.currentStep ? ` (step ${latest.currentStep})` : '';
    return { ...base, state: 'running', message: `Pipeline run #${latest.id} is ${latest.status}${step}; the figures update when it ends. ${since}` };
  }
  if (latest.status === 'failed' || latest.status === 'abandoned') {
    const rules = input.failedRules.slice(0, 2).map((rule) => `${rule.dataset}.${rule.name} observed ${rule.observed ?? 'nothing'}`);
    const cause = rules.length > 0 ? rules.join('; ') : (latest.error ?? 'no reason recorded');
    const at = latest.finishedAt ? `, ${when(latest.finishedAt)}` : '';
    const where = latest.status === 'abandoned' ? 'was abandoned' : `failed at ${latest.failedStep ?? 'an unknown step'}`;
    return { ...base, state: 'failed', message: `The last pipeline run (#${latest.id}${at}) ${where}: ${cause}. ${since}` };
  }
  if (successAt && now.getTime() - successAt.getTime() > STALE_AFTER_HOURS * 3_600_000) {
    return { ...base, state: 'stale', message: `The newest published data is from ${when(successAt)}, more than ${STALE_AFTER_HOURS} hours ago: is the nightly run scheduled?` };
  }
  return { ...base, state: 'ok', message: null };
}
