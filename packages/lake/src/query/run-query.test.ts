import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

import { crawlLake } from '../catalog/crawl.js';
import { listSchemaChanges, findCatalogTable } from '../catalog/catalog.repo.js';
import { openDuckDb, sqlLiteral } from '../duckdb.js';
import { LakeInputError } from './lake-errors.js';
import { QUERY_CAPS, runLakeQuery } from './run-query.js';

let db: TestDatabase;
let lake: string;

async function writeParquet(sql: string, file: string): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const session = await openDuckDb();
  try {
    await session.connection.run(`COPY (${sql}) TO ${sqlLiteral(file)} (FORMAT parquet)`);
  } finally {
    session.close();
  }
}

before(async () => {
  db = await createTestDatabase();
  lake = mkdtempSync(path.join(os.tmpdir(), 'tl-query-'));
  for (const [day, rows] of [['2026-11-01', 100], ['2026-11-02', 200], ['2026-11-03', 300]] as const) {
    await writeParquet(`SELECT range AS order_id, (range % 7)::INTEGER AS quantity FROM range(${rows})`, path.join(lake, 'curated', 'sales', `dt=${day}`, 'part-0.parquet'));
  }
  await crawlLake(db.pool, lake);
});

after(async () => {
  await db.close();
  rmSync(lake, { recursive: true, force: true });
});

async function refused(sql: string): Promise<string> {
  try {
    await runLakeQuery({ pool: db.pool, lake: lake, sql });
  } catch (error) {
    assert.ok(error instanceof LakeInputError, String(error));
    return error.code;
  }
  assert.fail(`${sql} was not refused`);
}

describe('SQL over the lake', () => {
  it('reads catalogued tables with Hive partitions as columns', async () => {
    const result = await runLakeQuery({ pool: db.pool, lake: lake, sql: "SELECT dt::VARCHAR AS dt, count(*) AS n FROM sales WHERE dt >= DATE '2026-11-02' GROUP BY ALL ORDER BY dt" });
    assert.deepEqual(result.rows, [{ dt: '2026-11-02', n: 200 }, { dt: '2026-11-03', n: 300 }]);
    assert.deepEqual(result.columns.map((column) => column.name), ['dt', 'n']);
  });

  it('prunes partitions: a filter on dt reads only the matching folder', async () => {
    const plan = await runLakeQuery({ pool: db.pool, lake: lake, sql: "SELECT count(*) AS n FROM sales WHERE dt = DATE '2026-11-02'" });
    assert.deepEqual(plan.rows, [{ n: 200 }]);
    // the same query with an unreadable other partition still works only if pruning skips it
    rmSync(path.join(lake, 'curated', 'sales', 'dt=2026-11-03', 'part-0.parquet'));
    await writeParquet('SELECT 1 AS x', path.join(lake, 'curated', 'sales', 'dt=2026-11-03', 'part-0.parquet.broken'));
    const pruned = await runLakeQuery({ pool: db.pool, lake: lake, sql: "SELECT count(*) AS n FROM sales WHERE dt = DATE '2026-11-01'" });
    assert.deepEqual(pruned.rows, [{ n: 100 }]);
    await writeParquet(`SELECT range AS order_id, (range % 7)::INTEGER AS quantity FROM range(300)`, path.join(lake, 'curated', 'sales', 'dt=2026-11-03', 'part-0.parquet'));
  });

  it('reads a table converted to month partitions before the next crawl, and its months alone while day folders remain beside them', async () => {
    const visits = path.join(lake, 'curated', 'visits');
    for (const [day, rows] of [['2026-10-31', 10], ['2026-11-01', 20], ['2026-11-02', 30]] as const) {
      await writeParquet(`SELECT range AS visit_id FROM range(${rows})`, path.join(visits, `dt=${day}`, 'part-0.parquet'));
    }
    await crawlLake(db.pool, lake);
    const sql = 'SELECT dt::VARCHAR AS dt, count(*) AS n FROM visits GROUP BY dt ORDER BY dt';
    const byDay = (await runLakeQuery({ pool: db.pool, lake, sql })).rows;
    assert.deepEqual(byDay, [{ dt: '2026-10-31', n: 10 }, { dt: '2026-11-01', n: 20 }, { dt: '2026-11-02', n: 30 }]);
    // the same rows as month partitions (dt a column of the file), next to the day folders: the
    // catalog still says `dt`, as it does until the crawl after a conversion's publish
    const session = await openDuckDb();
    try {
      await session.connection.run(
        `COPY (SELECT dt, visit_id, strftime(dt, '%Y-%m') AS month FROM read_parquet(${sqlLiteral(path.join(visits, '*', '*.parquet'))}, hive_partitioning = true) ORDER BY dt)
           TO ${sqlLiteral(visits)} (FORMAT parquet, PARTITION_BY (month), OVERWRITE_OR_IGNORE true, FILENAME_PATTERN 'part-{i}')`,
      );
    } finally {
      session.close();
    }
    assert.deepEqual((await runLakeQuery({ pool: db.pool, lake, sql })).rows, byDay, 'months read alone while the day folders remain');
    for (const day of ['2026-10-31', '2026-11-01', '2026-11-02']) rmSync(path.join(visits, `dt=${day}`), { recursive: true });
    assert.deepEqual((await runLakeQuery({ pool: db.pool, lake, sql })).rows, byDay, 'before the crawl');
    await crawlLake(db.pool, lake);
    assert.deepEqual((await findCatalogTable(db.pool, 'visits'))?.partitionKeys, ['month']);
    assert.deepEqual((await runLakeQuery({ pool: db.pool, lake, sql })).rows, byDay, 'after the crawl');
  });

  it('cuts results at the row limit and says so', async () => {
    const result = await runLakeQuery({ pool: db.pool, lake: lake, sql: 'SELECT order_id FROM sales', limit: 10 });
    assert.equal(result.rowCount, 10);
    assert.equal(result.isTruncated, true);
    const all = await runLakeQuery({ pool: db.pool, lake: lake, sql: 'SELECT count(*) AS n FROM sales', limit: 10 });
    assert.equal(all.isTruncated, false);
  });

  it('runs capped: memory, threads and a private temp folder the query cannot read outside of', async () => {
    const settings = await runLakeQuery({
      pool: db.pool,
      lake,
      sql: "SELECT current_setting('memory_limit') AS memory, current_setting('threads') AS threads, current_setting('temp_directory') AS temp",
    });
    const row = settings.rows[0];
    assert.ok(row);
    assert.match(String(row.memory), /^(488\.2 MiB|512\.0 MB|5\d\d\.\d MiB)$/);
    assert.equal(Number(row.threads), QUERY_CAPS.threads);
    const temp = String(row.temp);
    assert.ok(!temp.startsWith(lake), 'the temp folder is outside the lake');
    assert.equal(existsSync(temp), false, 'removed after the query');
  });

  it('cuts an oversize answer by bytes instead of failing with a RangeError', async () => {
    const result = await runLakeQuery({ pool: db.pool, lake: lake, sql: "SELECT repeat('x', 100000) AS blob FROM range(200)", limit: 1000 });
    assert.equal(result.isTruncated, true);
    assert.ok(result.rowCount < 200 && result.rowCount > 0, `${result.rowCount} rows`);
    assert.ok(JSON.stringify(result.rows).length <= QUERY_CAPS.maxResultBytes);
  });

  it('stops a query that runs past its timeout', async () => {
    await assert.rejects(
      runLakeQuery({ pool: db.pool, lake: lake, sql: 'SELECT count(*) FROM range(100000000000) a', timeoutMs: 200 }),
      (error: unknown) => error instanceof LakeInputError && error.code === 'QUERY_TIMEOUT',
    );
  });

  it('refuses writes, settings, extensions, other files and multiple statements', async () => {
    assert.equal(await refused("COPY sales TO '/tmp/stolen.csv'"), 'QUERY_NOT_READ_ONLY');
    assert.equal(await refused('CREATE TABLE x AS SELECT 1'), 'QUERY_NOT_READ_ONLY');
    assert.equal(await refused('INSERT INTO sales VALUES (1, 1)'), 'QUERY_NOT_READ_ONLY');
    assert.equal(await refused("SET enable_external_access = true"), 'QUERY_NOT_READ_ONLY');
    assert.equal(await refused('LOAD httpfs'), 'QUERY_NOT_READ_ONLY');
    assert.equal(await refused("ATTACH '/tmp/other.db'"), 'QUERY_NOT_READ_ONLY');
    assert.equal(await refused("SELECT * FROM read_csv('/etc/passwd')"), 'QUERY_FORBIDDEN');
    assert.equal(await refused(`SELECT * FROM read_parquet(${sqlLiteral(path.join(lake, '..', 'x.parquet'))})`), 'QUERY_FORBIDDEN');
    assert.equal(await refused("SELECT * FROM read_text('/proc/self/environ')"), 'QUERY_FORBIDDEN');
    assert.equal(await refused('SELECT 1; DROP TABLE sales'), 'QUERY_NOT_READ_ONLY');
    assert.equal(await refused('SELECT 1; SELECT 2'), 'QUERY_MULTIPLE_STATEMENTS');
    assert.equal(await refused('   '), 'QUERY_EMPTY');
    assert.equal(await refused('SELECT * FROM no_such_table'), 'QUERY_INVALID');
  });
});

describe('catalog crawler', () => {
  it('registers partitions and row counts, accepts a new column and flags a changed type', async () => {
    const before = await findCatalogTable(db.pool, 'sales');
    assert.equal(before?.partitionCount, 3);
    assert.equal(before?.rowCount, 600);
    await writeParquet('SELECT range AS order_id, (range % 7)::INTEGER AS quantity, 5 AS discount_cents FROM range(50)', path.join(lake, 'curated', 'sales', 'dt=2026-11-04', 'part-0.parquet'));
    const added = await crawlLake(db.pool, lake);
    assert.deepEqual(added.tables.find((table) => table.name === 'sales')?.changes.map((change) => [change.change, change.column, change.isBreaking]), [['column_added', 'discount_cents', false]]);
    await writeParquet("SELECT range AS order_id, 'many' AS quantity FROM range(5)", path.join(lake, 'curated', 'sales', 'dt=2026-11-05', 'part-0.parquet'));
    const changed = await crawlLake(db.pool, lake);
    assert.equal(changed.breakingChanges[0]?.column, 'quantity');
    assert.equal(changed.breakingChanges[0]?.change, 'type_changed');
    const table = await findCatalogTable(db.pool, 'sales');
    assert.equal(table?.schemaVersion, 3);
    assert.equal(table?.partitionCount, 5);
    assert.deepEqual((await listSchemaChanges(db.pool, 'sales')).map((change) => change.change), ['type_changed', 'column_added']);
  });
});
