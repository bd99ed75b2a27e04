import type { DuckDBConnection } from '@duckdb/node-api';

import { readRows } from '@threadline/lake';

import { compileRule, type QualityRule, type RuleSeverity, type RuleType } from './rules.js';

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

/**
 * Runs a dataset's rules over the view named `dataset` on `connection`. A rule whose SQL fails
 * (e.g. a column that no longer exists) counts as failed with the error as the observed value,
 * so a broken rule can never let bad data through.
 */
export async function checkDataset(
  connection: DuckDBConnection,
  dataset: string,
  rules: readonly QualityRule[],
  asOf: Date,
): Promise<RuleResult[]> {
  const results: RuleResult[] = [];
  for (const rule of rules) {
    let compiled;
    try {
      compiled = compileRule(rule, dataset, asOf);
    } catch (error) {
      results.push({
        dataset,
        name: rule.name ?? rule.type,
        type: rule.type,
        severity: rule.severity ?? 'error',
        passed: false,
        observed: `invalid rule: ${error instanceof Error ? error.message : String(error)}`,
        expected: 'a valid rule',
        badRows: [],
      });
      continue;
    }
    const result: RuleResult = { dataset, name: compiled.name, type: compiled.type, severity: compiled.severity, passed: false, observed: null, expected: compiled.expected, badRows: [] };
    try {
      const [row] = await readRows(connection, compiled.checkSql);
      result.passed = row?.passed === true;
      result.observed = row?.observed === null || row?.observed === undefined ? null : String(row.observed);
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
