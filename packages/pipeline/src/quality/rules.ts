import { sqlIdent, sqlLiteral } from '@threadline/lake';

/** error: a failure blocks publish. warn: recorded and reported, publish goes on. */
export type RuleSeverity = 'error' | 'warn';

interface RuleBase {
  /** Stable name shown in results; defaults to a name derived from the rule. */
  name?: string;
  severity?: RuleSeverity;
}

/**
 * The rule language: typed objects, one per check, declared per dataset. Each compiles to DuckDB
 * SQL over a view named after the dataset.
 */
export type QualityRule =
  /** Share of non-null values in `column` is at least `minRatio` (default 1: no nulls). */
  | (RuleBase & { type: 'completeness'; column: string; minRatio?: number })
  /** No two rows share the values of `columns`. */
  | (RuleBase & { type: 'uniqueness'; columns: string[] })
  /** Every non-null value of `column` is one of `values`. */
  | (RuleBase & { type: 'allowedValues'; column: string; values: Array<string | number | boolean> })
  /** Every non-null value of `column` lies in [min, max]. */
  | (RuleBase & { type: 'range'; column: string; min?: number; max?: number })
  /** The dataset (the partitions being checked) has between `min` and `max` rows. */
  | (RuleBase & { type: 'rowCount'; min?: number; max?: number })
  /** Every non-null `column` value exists in `references.column` of another dataset. */
  | (RuleBase & { type: 'referentialIntegrity'; column: string; references: { dataset: string; column: string } })
  /** The newest `column` value is at most `maxAgeHours` older than the run's reference time. */
  | (RuleBase & { type: 'freshness'; column: string; maxAgeHours: number })
  /** `badRowsSql` selects the rows that break a business rule; any row is a failure. */
  | (RuleBase & { type: 'customSql'; name: string; description: string; badRowsSql: string });

export type RuleType = QualityRule['type'];

/** One compiled rule: a query for the observed value and, on failure, a query for sample bad rows. */
export interface CompiledRule {
  name: string;
  type: RuleType;
  severity: RuleSeverity;
  expected: string;
  /** Returns one row `{ observed, passed }`. */
  checkSql: string;
  /** Returns up to `limit` offending rows; null when the rule has no row-level meaning. */
  badRowsSql: string | null;
  /**
   * For rules that are one aggregate over the dataset (completeness, allowed values, range, row
   * count, freshness): the two select-list expressions of `checkSql`, so a dataset's aggregate
   * rules can run as one fused scan instead of one scan each.
   */
  aggregate: { observed: string; passed: string } | null;
  /**
   * For rules that are not one aggregate (uniqueness, referential integrity): a boolean aggregate
   * expression over the dataset that is true exactly when the rule passes, so it joins the
   * dataset's fused scan. A passing screen stands for `observed` 0 (no duplicate key, no orphan);
   * a failing one sends the rule to its own `checkSql` for the exact count and the sample rows.
   */
  screen: string | null;
}

/** A rule that is one aggregate over its table, as a CompiledRule with its `checkSql` built from it. */
function aggregateRule(base: Omit<CompiledRule, 'checkSql' | 'aggregate' | 'screen'>, from: string, observed: string, passed: string): CompiledRule {
  return { ...base, checkSql: `SELECT ${observed} AS observed, ${passed} AS passed FROM ${from}`, aggregate: { observed, passed }, screen: null };
}

/** Names a rule the same way every time, so results of successive runs line up. */
export function ruleName(rule: QualityRule): string {
  if (rule.name) return rule.name;
  switch (rule.type) {
    case 'completeness':
      return `completeness(${rule.column})`;
    case 'uniqueness':
      return `uniqueness(${rule.columns.join(',')})`;
    case 'allowedValues':
      return `allowedValues(${rule.column})`;
    case 'range':
      return `range(${rule.column})`;
    case 'rowCount':
      return 'rowCount';
    case 'referentialIntegrity':
      return `referentialIntegrity(${rule.column}->${rule.references.dataset}.${rule.references.column})`;
    case 'freshness':
      return `freshness(${rule.column})`;
    case 'customSql':
      return rule.name;
  }
}

function literal(value: string | number | boolean): string {
  if (typeof value === 'string') return sqlLiteral(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

/** Words after which a custom query is more than one row filter: such a query runs on its own. */
const NOT_A_ROW_FILTER = /;|--|\/\*|\b(?:union|except|intersect|limit|offset|order|group|having|window|qualify|from)\b/i;

function isBalanced(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    if (char === '(') depth += 1;
    else if (char === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * The condition of a custom rule written as `SELECT * FROM <table> WHERE <condition>` (the usual
 * shape), or null for any other query. Only a condition with no clause words of its own and no
 * subquery source qualifies, so counting it as `count(*) FILTER (WHERE <condition>)` over the
 * same table selects exactly the rows the query would return.
 */
export function rowFilterOf(badRowsSql: string, table: string): string | null {
  const match = /^\s*select\s+\*\s+from\s+("?)([A-Za-z_][A-Za-z0-9_]*)\1\s+where\s+([\s\S]+?)\s*$/i.exec(badRowsSql);
  if (!match || match[2] !== table) return null;
  const condition = match[3] ?? '';
  // quoted text may hold any word; checking the condition without its literals keeps them harmless
  const unquoted = condition.replace(/'(?:[^']|'')*'/g, '0');
  if (unquoted.includes("'") || NOT_A_ROW_FILTER.test(unquoted) || !isBalanced(unquoted)) return null;
  return `(${condition})`;
}

const SAMPLE_LIMIT = 5;

/**
 * Compiles a rule to SQL over the view `table` (the dataset under check). `asOf` is the reference
 * time for freshness. Pure: no I/O, so rules are tested as data.
 */
export function compileRule(rule: QualityRule, table: string, asOf: Date): CompiledRule {
  const from = sqlIdent(table);
  const base = { name: ruleName(rule), type: rule.type, severity: rule.severity ?? 'error' } as const;
  switch (rule.type) {
    case 'completeness': {
      const column = sqlIdent(rule.column);
      const minRatio = rule.minRatio ?? 1;
      const ratio = `coalesce(count(${column})::DOUBLE / nullif(count(*), 0), 1)`;
      return aggregateRule(
        { ...base, expected: `non-null ratio >= ${minRatio}`, badRowsSql: `SELECT * FROM ${from} WHERE ${column} IS NULL LIMIT ${SAMPLE_LIMIT}` },
        from,
        ratio,
        `${ratio} >= ${literal(minRatio)}`,
      );
    }
    case 'uniqueness': {
      if (rule.columns.length === 0) throw new Error('uniqueness needs at least one column');
      const columns = rule.columns.map(sqlIdent).join(', ');
      return {
        ...base,
        expected: '0 duplicate keys',
        checkSql: `SELECT count(*) AS observed, count(*) = 0 AS passed
                     FROM (SELECT ${columns} FROM ${from} GROUP BY ALL HAVING count(*) > 1)`,
        badRowsSql: `SELECT ${columns}, count(*) AS copies FROM ${from} GROUP BY ALL HAVING count(*) > 1 ORDER BY copies DESC LIMIT ${SAMPLE_LIMIT}`,
        aggregate: null,
        // row(…) keeps NULL keys: two rows with a NULL key are one group, as in GROUP BY above
        screen: `count(DISTINCT row(${columns})) = count(*)`,
      };
    }
    case 'allowedValues': {
      const column = sqlIdent(rule.column);
      const list = rule.values.map(literal).join(', ');
      const bad = `${column} IS NOT NULL AND ${column} NOT IN (${list})`;
      return aggregateRule(
        { ...base, expected: `values in {${rule.values.join(', ')}}`, badRowsSql: `SELECT * FROM ${from} WHERE ${bad} LIMIT ${SAMPLE_LIMIT}` },
        from,
        `count(*) FILTER (WHERE ${bad})`,
        `count(*) FILTER (WHERE ${bad}) = 0`,
      );
    }
    case 'range': {
      const column = sqlIdent(rule.column);
      const conditions: string[] = [];
      if (rule.min !== undefined) conditions.push(`${column} < ${literal(rule.min)}`);
      if (rule.max !== undefined) conditions.push(`${column} > ${literal(rule.max)}`);
      if (conditions.length === 0) throw new Error(`range(${rule.column}) needs min or max`);
      const bad = conditions.join(' OR ');
      return aggregateRule(
        { ...base, expected: `${rule.min ?? '-inf'} <= ${rule.column} <= ${rule.max ?? 'inf'}`, badRowsSql: `SELECT * FROM ${from} WHERE ${bad} LIMIT ${SAMPLE_LIMIT}` },
        from,
        `count(*) FILTER (WHERE ${bad})`,
        `count(*) FILTER (WHERE ${bad}) = 0`,
      );
    }
    case 'rowCount': {
      const conditions = ['true'];
      if (rule.min !== undefined) conditions.push(`count(*) >= ${literal(rule.min)}`);
      if (rule.max !== undefined) conditions.push(`count(*) <= ${literal(rule.max)}`);
      return aggregateRule({ ...base, expected: `${rule.min ?? 0} <= rows <= ${rule.max ?? 'inf'}`, badRowsSql: null }, from, 'count(*)', conditions.join(' AND '));
    }
    case 'referentialIntegrity': {
      const column = sqlIdent(rule.column);
      const refTable = sqlIdent(rule.references.dataset);
      const refColumn = sqlIdent(rule.references.column);
      const orphans = `SELECT t.* FROM ${from} t WHERE t.${column} IS NOT NULL
                         AND NOT EXISTS (SELECT 1 FROM ${refTable} r WHERE r.${refColumn} = t.${column})`;
      return {
        ...base,
        expected: `every ${rule.column} found in ${rule.references.dataset}.${rule.references.column}`,
        checkSql: `SELECT count(*) AS observed, count(*) = 0 AS passed FROM (${orphans})`,
        badRowsSql: `${orphans} LIMIT ${SAMPLE_LIMIT}`,
        aggregate: null,
        // the NULL references are left out of the list, as NOT EXISTS never matches them: IN is then
        // true or false for a non-null value, never NULL
        screen: `count(*) FILTER (WHERE ${column} IS NOT NULL
                   AND NOT (${column} IN (SELECT ${refColumn} FROM ${refTable} WHERE ${refColumn} IS NOT NULL))) = 0`,
      };
    }
    case 'freshness': {
      const column = sqlIdent(rule.column);
      const oldest = new Date(asOf.getTime() - rule.maxAgeHours * 3_600_000).toISOString();
      return aggregateRule(
        { ...base, expected: `newest ${rule.column} >= ${oldest}`, badRowsSql: null },
        from,
        `max(${column})::VARCHAR`,
        `coalesce(max(${column}) >= ${sqlLiteral(oldest)}::TIMESTAMPTZ, false)`,
      );
    }
    case 'customSql': {
      const filter = rowFilterOf(rule.badRowsSql, table);
      return {
        ...base,
        expected: `no rows: ${rule.description}`,
        checkSql: `SELECT count(*) AS observed, count(*) = 0 AS passed FROM (${rule.badRowsSql})`,
        badRowsSql: `SELECT * FROM (${rule.badRowsSql}) LIMIT ${SAMPLE_LIMIT}`,
        // a plain row filter over the checked table joins the dataset's fused scan
        aggregate: filter === null ? null : { observed: `count(*) FILTER (WHERE ${filter})`, passed: `count(*) FILTER (WHERE ${filter}) = 0` },
        screen: null,
      };
    }
  }
}
