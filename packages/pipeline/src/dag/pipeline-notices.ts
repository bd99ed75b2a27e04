import type { RuleResult } from '../quality/index.js';

/** Slack texts: what happened, where, and what to do next. Pure, so they are tested as strings. */

const count = (value: number): string => value.toLocaleString('en-US');

function dateSpan(dates: readonly string[]): string {
  if (dates.length === 0) return 'no dates';
  const sorted = [...dates].sort();
  return sorted.length === 1 ? (sorted[0] ?? '') : `${sorted[0]} … ${sorted.at(-1)} (${sorted.length} days)`;
}

export function successNotice(input: {
  runId: number;
  dates: readonly string[];
  seconds: number;
  rowsIn: number;
  rowsOut: number;
  datasets: ReadonlyArray<{ dataset: string; rows: number }>;
  warnings: readonly RuleResult[];
}): string {
  const sets = input.datasets.map((item) => `${item.dataset} ${count(item.rows)}`).join(', ');
  const warnings =
    input.warnings.length > 0
      ? `\n:warning: ${input.warnings.length} warning(s): ${input.warnings.map((warning) => `${warning.dataset} ${warning.name} (observed ${warning.observed ?? 'null'})`).join('; ')}`
      : '';
  return (
    `:white_check_mark: Threadline pipeline run #${input.runId} succeeded in ${Math.round(input.seconds)} s — ${dateSpan(input.dates)}.\n` +
    `Rows read ${count(input.rowsIn)}, written ${count(input.rowsOut)} (${sets}).${warnings}`
  );
}

export function failureNotice(input: { runId: number; dates: readonly string[]; step: string; reason: string; failedRules: readonly RuleResult[] }): string {
  const rules = input.failedRules
    .slice(0, 5)
    .map((rule) => `• ${rule.dataset} ${rule.name}: observed ${rule.observed ?? 'null'}, expected ${rule.expected}`)
    .join('\n');
  const kept = ['quality', 'publish', 'verify'].includes(input.step) || input.step === 'extract' ? ' The previously published data is unchanged.' : '';
  return (
    `:x: Threadline pipeline run #${input.runId} failed at step *${input.step}* — ${dateSpan(input.dates)}.${kept}\n` +
    `Reason: ${input.reason}${rules ? `\n${rules}` : ''}\n` +
    `Next: \`threadline pipeline status --run ${input.runId}\` for details, fix the cause, then \`threadline pipeline run${input.dates.length === 1 ? ` --date ${input.dates[0]}` : ''}\`.`
  );
}
