import type { DuckDBConnection } from '@duckdb/node-api';

import { readRows, sqlIdent } from '@threadline/lake';

import { compileRule, type CompiledRule, type QualityRule, type RuleSeverity, type RuleType } from './rules.js';

/** The outcome of one rule on one dataset: what was seen, what was expected, examples of bad rows. */
export interface RuleResult {
  dataset: string;
  name: string;
  type: RuleType;
  severity: RuleSeverity;
  passed: boolean;
  observed: string | null;
  expected: string;
  badRows: Array<Record<string, unknown>>;
}

function jsonSafe(row: Record<string, unknown>): Record<string, unknown> {
  // results go to a jsonb column and Slack: dates as ISO text, nothing exotic
  return JSON.parse(JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)));
}

function observedText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/**
 * The rules of a dataset that fit one scan — the aggregate rules (completeness, allowed values,
 * range, row count, freshness, row-filter custom SQL) and the screens of uniqueness and
 * referential rules — as one query: `o<i>`/`p<i>` are aggregate rule i's observed value and
 * verdict, `s<i>` rule i's screen. Reading a dataset's hundreds of partition files once instead
 * of once per rule is most of the gate's time. Undefined when the fused query fails (e.g. one
 * rule names a missing column or a reference has no files yet): the rules then run one by one,
 * so each failure is reported on its own rule.
 */
async function runFused(connection: DuckDBConnection, dataset: string, rules: readonly CompiledRule[]): Promise<Record<string, unknown> | undefined> {
  const list = rules
    .map((rule, index) => (rule.aggregate ? `${rule.aggregate.observed} AS o${index}, ${rule.aggregate.passed} AS p${index}` : `${rule.screen} AS s${index}`))
    .join(',\n       ');
  try {
    const [row] = await readRows(connection, `SELECT ${list} FROM ${sqlIdent(dataset)}`);
    return row;
  } catch {
    return undefined;
  }
}

/**
 * Runs a dataset's rules over the view named `dataset` on `connection`. The aggregate rules and
 * the screens of uniqueness and referential rules share one scan; a rule whose screen fails, and
 * a custom SQL rule that is not a plain row filter, run one query each. A rule whose SQL fails
 * (e.g. a column that no longer exists) counts as failed with the error as the observed value,
 * so a broken rule can never let bad data through.
 */
export async function checkDataset(
  connection: DuckDBConnection,
  dataset: string,
  rules: readonly QualityRule[],
  asOf: Date,
): Promise<RuleResult[]> {
  const compiledRules = rules.map((rule): { rule: QualityRule; compiled: CompiledRule | Error } => {
    try {
      return { rule, compiled: compileRule(rule, dataset, asOf) };
    } catch (error) {
      return { rule, compiled: error instanceof Error ? error : new Error(String(error)) };
    }
  });
  const fusable = compiledRules.flatMap(({ compiled }) => (compiled instanceof Error || (compiled.aggregate === null && compiled.screen === null) ? [] : [compiled]));
  const fused = fusable.length > 1 ? await runFused(connection, dataset, fusable) : undefined;
  const results: RuleResult[] = [];
  for (const { rule, compiled } of compiledRules) {
    if (compiled instanceof Error) {
      results.push({
        dataset,
        name: rule.name ?? rule.type,
        type: rule.type,
        severity: rule.severity ?? 'error',
        passed: false,
        observed: `invalid rule: ${compiled.message}`,
        expected: 'a valid rule',
        badRows: [],
      });
      continue;
    }
    const result: RuleResult = { dataset, name: compiled.name, type: compiled.type, severity: compiled.severity, passed: false, observed: null, expected: compiled.expected, badRows: [] };
    try {
      const slot = fused ? fusable.indexOf(compiled) : -1;
      if (fused && slot >= 0 && compiled.aggregate) {
        result.passed = fused[`p${slot}`] === true;
        result.observed = observedText(fused[`o${slot}`]);
      } else if (fused && slot >= 0 && fused[`s${slot}`] === true) {
        // the screen passed: no duplicate key / no orphan, which is what checkSql would count
        result.passed = true;
        result.observed = '0';
      } else {
        const [row] = await readRows(connection, compiled.checkSql);
        result.passed = row?.passed === true;
        result.observed = observedText(row?.observed);
      }
      if (!result.passed && compiled.badRowsSql) {
        result.badRows = (await readRows(connection, compiled.badRowsSql)).map(jsonSafe);
      }
    } catch (error) {
      result.observed = `rule failed to run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
    results.push(result);
  }
  return results;
}

/** True when no error-severity rule failed. */
export function isGatePassed(results: readonly RuleResult[]): boolean {
  return results.every((result) => result.passed || result.severity === 'warn');
}
