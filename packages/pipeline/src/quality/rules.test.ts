import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { openDuckDb, type LakeDb } from '@threadline/lake';

import { DATASET_RULES } from '../extract/datasets.js';
import { checkDataset, isGatePassed } from './check.js';
import { compileRule, rowFilterOf, type QualityRule } from './rules.js';

const AS_OF = new Date('2026-11-25T12:00:00Z');

let session: LakeDb;

before(async () => {
  session = await openDuckDb();
  const db = session.connection;
  // good: clean data; bad: one of every problem
  await db.run(`CREATE TABLE products AS SELECT * FROM (VALUES (1), (2), (3)) t(product_id)`);
  await db.run(`CREATE TABLE good AS SELECT * FROM (VALUES
      (1, 1, 'paid', 2, 500, 1000, TIMESTAMPTZ '2026-11-25 10:00:00+00'),
      (2, 2, 'shipped', 1, 700, 700, TIMESTAMPTZ '2026-11-24 23:00:00+00'),
      (3, 3, 'paid', 3, 100, 300, TIMESTAMPTZ '2026-11-24 20:00:00+00')
    ) t(id, product_id, status, quantity, unit_price_cents, line_total_cents, placed_at)`);
  await db.run(`CREATE TABLE bad AS SELECT * FROM (VALUES
      (1, 1, 'paid', 2, 500, 1000, TIMESTAMPTZ '2026-11-20 10:00:00+00'),
      (1, 9, 'teleported', 0, -5, 7, TIMESTAMPTZ '2026-11-20 11:00:00+00'),
      (NULL, 2, 'paid', 1, 700, 700, TIMESTAMPTZ '2026-11-19 23:00:00+00')
    ) t(id, product_id, status, quantity, unit_price_cents, line_total_cents, placed_at)`);
});

after(() => session.close());

const RULES: Record<string, QualityRule> = {
  completeness: { type: 'completeness', column: 'id' },
  uniqueness: { type: 'uniqueness', columns: ['id'] },
  allowedValues: { type: 'allowedValues', column: 'status', values: ['paid', 'shipped'] },
  range: { type: 'range', column: 'quantity', min: 1, max: 10 },
  rowCount: { type: 'rowCount', min: 1, max: 3 },

  referentialIntegrity: { type: 'referentialIntegrity', column: 'product_id', references: { dataset: 'products', column: 'product_id' } },
  freshness: { type: 'freshness', column: 'placed_at', maxAgeHours: 24 },
  customSql: { type: 'customSql', name: 'line-total', description: 'total = qty × price', badRowsSql: 'SELECT * FROM {table} WHERE line_total_cents <> quantity * unit_price_cents' },
};

function forTable(rule: QualityRule, table: string): QualityRule {
  // the bad table has 3 rows too; a failing row count is shown with a bound it breaks
  if (rule.type === 'rowCount' && table === 'bad') return { ...rule, max: 2 };
  return rule.type === 'customSql' ? { ...rule, badRowsSql: rule.badRowsSql.replace('{table}', table) } : rule;
}

describe('quality rules', () => {
  for (const [type, rule] of Object.entries(RULES)) {
    it(`${type} passes on clean data`, async () => {
      const [result] = await checkDataset(session.connection, 'good', [forTable(rule, 'good')], AS_OF);
      assert.ok(result);
      assert.equal(result.passed, true, `observed ${result.observed}`);
    });

    it(`${type} fails on bad data and says what it saw`, async () => {
      const [result] = await checkDataset(session.connection, 'bad', [forTable(rule, 'bad')], AS_OF);
      assert.ok(result);
      assert.equal(result.passed, false);
      assert.notEqual(result.observed, null);
    });
  }

  it('reports the observed value and a sample of the offending rows', async () => {
    const results = await checkDataset(session.connection, 'bad', [RULES.allowedValues!, RULES.uniqueness!, RULES.rowCount!], AS_OF);
    assert.equal(results[0]?.observed, '1');
    assert.deepEqual(results[0]?.badRows.map((row) => row.status), ['teleported']);
    assert.deepEqual(results[1]?.badRows, [{ id: 1, copies: 2 }]);
    assert.equal(results[2]?.passed, true, 'three rows are within 1..3');
  });

  it('completeness with a threshold tolerates a share of nulls', async () => {
    const [result] = await checkDataset(session.connection, 'bad', [{ type: 'completeness', column: 'id', minRatio: 0.6 }], AS_OF);
    assert.equal(result?.passed, true);
    assert.equal(Number(result?.observed).toFixed(3), '0.667');
  });

  it('a rule naming a missing column fails instead of letting data through', async () => {
    const [result] = await checkDataset(session.connection, 'good', [{ type: 'completeness', column: 'no_such_column' }], AS_OF);
    assert.equal(result?.passed, false);
    assert.match(result?.observed ?? '', /rule failed to run/);
  });

  it('aggregate rules checked together in one scan give each rule the verdict it gets alone', async () => {
    const rules = Object.values(RULES).map((rule) => forTable(rule, 'bad'));
    const together = await checkDataset(session.connection, 'bad', rules, AS_OF);
    const alone = (await Promise.all(rules.map((rule) => checkDataset(session.connection, 'bad', [rule], AS_OF)))).flat();
    assert.deepEqual(together, alone);
    assert.deepEqual(together.map((result) => result.passed), rules.map(() => false));
    assert.ok(compileRule(RULES.range!, 'bad', AS_OF).aggregate, 'range is one aggregate');
    assert.equal(compileRule(RULES.uniqueness!, 'bad', AS_OF).aggregate, null, 'uniqueness counts its duplicates in its own query');
  });

  it('uniqueness and referential rules join the fused scan with a screen that answers as their own query would', async () => {
    await session.connection.run(`CREATE OR REPLACE TABLE refs AS SELECT * FROM (VALUES (1), (2), (NULL)) t(product_id)`);
    // NULL keys twice (one duplicate group, as GROUP BY counts it), an orphan beside a NULL reference, a NULL reference value
    await session.connection.run(`CREATE OR REPLACE TABLE edge AS SELECT * FROM (VALUES
        (NULL, 1, 'a'), (NULL, 7, 'a'), (5, NULL, 'b'), (6, 2, 'b')
      ) t(id, product_id, kind)`);
    const cases: Array<{ table: string; rules: QualityRule[] }> = [
      { table: 'good', rules: [RULES.completeness!, RULES.uniqueness!, RULES.referentialIntegrity!, { type: 'uniqueness', columns: ['id', 'status'] }] },
      { table: 'bad', rules: [RULES.completeness!, RULES.uniqueness!, RULES.referentialIntegrity!] },
      {
        table: 'edge',
        rules: [
          { type: 'uniqueness', columns: ['id'] },
          { type: 'uniqueness', columns: ['id', 'product_id'] },
          { type: 'uniqueness', columns: ['kind'] },
          { type: 'referentialIntegrity', column: 'product_id', references: { dataset: 'refs', column: 'product_id' } },
          { type: 'rowCount', min: 1 },
        ],
      },
    ];
    for (const { table, rules } of cases) {
      const together = await checkDataset(session.connection, table, rules, AS_OF);
      const alone = (await Promise.all(rules.map((rule) => checkDataset(session.connection, table, [rule], AS_OF)))).flat();
      assert.deepEqual(together, alone, table);
    }
    const edge = await checkDataset(session.connection, 'edge', cases[2]!.rules, AS_OF);
    assert.deepEqual(edge.map((result) => [result.passed, result.observed]), [[false, '1'], [true, '0'], [false, '2'], [false, '1'], [true, '4']]);
    assert.deepEqual(edge[3]?.badRows.map((row) => row.product_id), [7], 'a NULL in the reference does not hide an orphan');
    for (const rule of [RULES.uniqueness!, RULES.referentialIntegrity!]) assert.ok(compileRule(rule, 'bad', AS_OF).screen, `${rule.type} has a screen`);
  });

  it('a reference with no table fails only its referential rule, the rest still checked', async () => {
    const rules: QualityRule[] = [RULES.uniqueness!, { type: 'referentialIntegrity', column: 'product_id', references: { dataset: 'no_such_dataset', column: 'product_id' } }, RULES.rowCount!];
    const results = await checkDataset(session.connection, 'good', rules, AS_OF);
    assert.deepEqual(results.map((result) => result.passed), [true, false, true]);
    assert.match(results[1]?.observed ?? '', /rule failed to run/);
  });

  it('joins a custom rule to the fused scan only when it is one row filter over the checked table', () => {
    assert.equal(rowFilterOf('SELECT * FROM sales WHERE placed_date <> dt', 'sales'), '(placed_date <> dt)');
    assert.equal(rowFilterOf(`SELECT * FROM "sales" WHERE note = 'group by'`, 'sales'), `(note = 'group by')`, 'words inside literals are data');
    for (const query of [
      'SELECT * FROM reviews WHERE rating > 5',
      'SELECT * FROM sales WHERE id IN (SELECT id FROM other)',
      'SELECT * FROM sales WHERE a = 1 UNION SELECT * FROM other',
      'SELECT * FROM sales WHERE a = 1 ORDER BY a LIMIT 3',
      'SELECT * FROM sales WHERE a) OR (true',
      'SELECT order_id FROM sales WHERE a = 1',
      "SELECT * FROM sales WHERE a = 'open",
    ]) {
      assert.equal(rowFilterOf(query, 'sales'), null, query);
    }
  });

  it('a missing column among fused rules fails only its own rule', async () => {
    const rules: QualityRule[] = [RULES.completeness!, { type: 'range', column: 'no_such_column', min: 0 }, RULES.allowedValues!, RULES.rowCount!];
    const results = await checkDataset(session.connection, 'good', rules, AS_OF);
    assert.deepEqual(results.map((result) => result.passed), [true, false, true, true]);
    assert.match(results[1]?.observed ?? '', /rule failed to run/);
    assert.equal(results[3]?.observed, '3');
  });

  it('warn-severity failures do not block the gate; error-severity ones do', async () => {
    const warn = await checkDataset(session.connection, 'bad', [{ ...RULES.freshness!, severity: 'warn' }], AS_OF);
    assert.equal(warn[0]?.passed, false);
    assert.equal(isGatePassed(warn), true);
    const error = await checkDataset(session.connection, 'bad', [RULES.freshness!], AS_OF);
    assert.equal(isGatePassed(error), false);
  });

  it('the sales rules catch a sales territory that would split a slice and a shipping method label with stray spaces', async () => {
    const rules = DATASET_RULES.sales.filter((rule) => rule.name === 'sales-territory-label' || rule.name === 'shipping-method-label');
    assert.equal(rules.length, 2);
    await session.connection.run(`CREATE OR REPLACE TABLE sales AS SELECT * FROM (VALUES
        (1, 'Central', 'Standard'), (2, NULL, NULL), (3, 'West', 'International express')
      ) t(order_item_id, sales_territory, shipping_method)`);
    const clean = await checkDataset(session.connection, 'sales', rules, AS_OF);
    assert.deepEqual(clean.map((result) => result.passed), [true, true]);
    await session.connection.run(`CREATE OR REPLACE TABLE sales AS SELECT * FROM (VALUES
        (1, 'Central ', 'Standard'), (2, '', ' Express'), (3, 'West', 'Express')
      ) t(order_item_id, sales_territory, shipping_method)`);
    const dirty = await checkDataset(session.connection, 'sales', rules, AS_OF);
    assert.deepEqual(dirty.map((result) => result.passed), [false, false]);
    assert.deepEqual(dirty[0]?.badRows.map((row) => row.order_item_id), [1, 2]);
    assert.deepEqual(dirty[1]?.badRows.map((row) => row.shipping_method), [' Express']);
    assert.equal(isGatePassed(dirty), false);
  });

  it('rejects unsafe identifiers when compiling', () => {
    assert.throws(() => compileRule({ type: 'completeness', column: 'id"; DROP TABLE x; --' }, 'good', AS_OF), /not a valid column/);
  });
});
