import { existsSync } from 'node:fs';

import { openDuckDb, sqlIdent, sqlLiteral } from '@threadline/lake';

import { checkDataset, type RuleResult } from './check.js';
import type { QualityRule } from './rules.js';

/** A dataset under check: the Parquet globs that make it up and its rules. */
export interface GateDataset {
  dataset: string;
  globs: string[];
  rules: readonly QualityRule[];
}

export interface GateInput {
  datasets: readonly GateDataset[];
  /** Other datasets that referential rules may look up (usually the published ones), by name. */
  references?: Record<string, string[]>;
  /** Reference time for freshness rules. */
  asOf: Date;
}

function relation(globs: readonly string[]): string {
  return `read_parquet([${globs.map(sqlLiteral).join(', ')}], hive_partitioning = true, union_by_name = true)`;
}

/**
 * Runs every dataset's rules in one DuckDB session, each dataset visible as a view of its name
 * (so custom SQL and referential rules can name them). Datasets under check shadow references
 * of the same name: staged products are checked against staged sales, not yesterday's.
 *
 * @example
 * const results = await runQualityGate({ datasets: [{ dataset: 'sales', globs: ['/lake/staging/run-7/sales/*\/*.parquet'], rules }], asOf: new Date() });
 * if (!isGatePassed(results)) keepOldData();
 */
export async function runQualityGate(input: GateInput): Promise<RuleResult[]> {
  const session = await openDuckDb({ memoryLimit: '6GB' });
  try {
    const checked = new Set(input.datasets.map((item) => item.dataset));
    // datasets under check are views over their Parquet files, not copies in memory: each rule
    // reads only the columns it names (copying a year of sales, free-text reviews included, into
    // DuckDB tables took longer than every rule together), and the aggregate rules of a dataset
    // share one scan (checkDataset)
    for (const item of input.datasets) {
      await session.connection.run(`CREATE VIEW ${sqlIdent(item.dataset)} AS SELECT * FROM ${relation(item.globs)}`);
    }
    for (const [name, globs] of Object.entries(input.references ?? {})) {
      if (checked.has(name)) continue;
      const existing = globs.filter((glob) => glob.includes('*') || existsSync(glob));
      if (existing.length === 0) continue;
      try {
        await session.connection.run(`CREATE VIEW ${sqlIdent(name)} AS SELECT * FROM ${relation(existing)}`);
      } catch {
        // a reference with no files yet: rules that need it fail with "table does not exist"
      }
    }
    const results: RuleResult[] = [];
    for (const item of input.datasets) results.push(...(await checkDataset(session.connection, item.dataset, item.rules, input.asOf)));
    return results;
  } finally {
    session.close();
  }
}
