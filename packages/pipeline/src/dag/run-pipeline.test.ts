import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import { createLogger } from '@threadline/config';
import { createTestDatabase, freePort, type TestDatabase } from '@threadline/db/testing';
import { crawlLake, listCatalogTables, openDuckDb, runLakeQuery, sqlLiteral } from '@threadline/lake';

import { listRuleResults, listSteps, findRun } from './pipeline.repo.js';
import { loadPipelineSettings } from './pipeline-settings.js';
import { tryAcquireRunLock } from './run-lock.js';
import { PipelineBusyError, runPipeline, type PipelineDeps } from './run-pipeline.js';
import { MONTH_DATASETS } from '../extract/datasets.js';
import { seedShop } from '../testing/shop-fixture.js';

const ZONE = 'America/New_York';
const DATES = ['2026-11-18', '2026-11-19', '2026-11-20'];
const NOW = new Date('2026-11-21T12:00:00Z');

let db: TestDatabase;
let dataDir: string;
let slack: Server;
let slackUrl: string;
const slackMessages: string[] = [];

function deps(overrides: Partial<PipelineDeps> = {}): PipelineDeps {
  return {
    pool: db.pool,
    dataDir,
    timeZone: ZONE,
    pseudonymKey: 'test-pseudonym-key',
    slackWebhookUrl: slackUrl,
    logger: createLogger({ name: 'pipeline-test', level: 'silent' }),
    settings: { ...loadPipelineSettings({}), backoffMs: 10, retries: 2 },
    now: () => NOW,
    refreshers: [],
    ...overrides,
  };
}

async function salesByDay(): Promise<Record<string, number>> {
  const result = await runLakeQuery({ pool: db.pool, lake: path.join(dataDir, 'lake'), sql: 'SELECT dt::VARCHAR AS dt, count(*) AS n FROM sales GROUP BY dt ORDER BY dt' });
  return Object.fromEntries(result.rows.map((row) => [String(row.dt), Number(row.n)]));
}

function partitionFiles(dataset: string): string[] {
  const root = path.join(dataDir, 'lake', 'curated', dataset);
  return readdirSync(root).flatMap((partition) => readdirSync(path.join(root, partition)).map((file) => `${partition}/${file}`)).sort();
}

before(async () => {
  db = await createTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tl-pipeline-'));
  // 300 orders over three days: order g has (g % 3) + 1 lines → 200, 300, 100 lines per day
  await seedShop(db.pool, { users: 40, products: 12, orders: 300, lastDate: '2026-11-20', days: 3, timeZone: ZONE });
  const port = await freePort();
  slack = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && 'text' in parsed && typeof parsed.text === 'string') slackMessages.push(parsed.text);
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => slack.listen(port, '127.0.0.1', resolve));
  slackUrl = `http://127.0.0.1:${port}/hooks/test`;
});

after(async () => {
  await new Promise((resolve) => slack.close(resolve));
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('nightly pipeline', () => {
  it('extracts, checks, publishes and catalogs the analysis sets with known contents', async () => {
    const summary = await runPipeline(deps(), { trigger: 'manual', dates: DATES });
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.deepEqual(await salesByDay(), { '2026-11-18': 200, '2026-11-19': 300, '2026-11-20': 100 });
    const tables = await listCatalogTables(db.pool);
    assert.deepEqual(tables.map((table) => table.name), ['product_day', 'products', 'reviews', 'sales', 'sales_orders']);
    const sales = tables.find((table) => table.name === 'sales');
    // month partitions, `dt` a column inside the file
    assert.deepEqual(sales?.partitionKeys, ['month']);
    assert.ok(sales?.columns.some((column) => column.name === 'dt' && !column.isPartitionKey));
    assert.equal(sales?.rowCount, 600);
    // the segments dashboard's rollup: one row per order with a sold line (a quarter of the 300 are cancelled)
    const orders = tables.find((table) => table.name === 'sales_orders');
    assert.deepEqual(orders?.partitionKeys, ['month']);
    assert.equal(orders?.rowCount, 225);
    const steps = await listSteps(db.pool, summary.runId);
    assert.deepEqual(steps.map((step) => `${step.step}:${step.status}`), ['extract:succeeded', 'quality:succeeded', 'publish:succeeded', 'verify:succeeded', 'catalog:succeeded', 'refresh:succeeded']);
    assert.match(slackMessages.at(-1) ?? '', /run #\d+ succeeded .*\n.*sales 600/);
  });

  it('keeps personal data out of the lake and pseudonymises customers', async () => {
    const columns = (await listCatalogTables(db.pool)).flatMap((table) => table.columns.map((column) => column.name));
    for (const banned of ['email', 'name', 'password_hash', 'user_id', 'card_last4', 'card_brand', 'ip', 'state_province']) {
      assert.ok(!columns.includes(banned), `${banned} must not be in the lake`);
    }
    const result = await runLakeQuery({ pool: db.pool, lake: path.join(dataDir, 'lake'), sql: 'SELECT DISTINCT customer_key FROM sales ORDER BY 1 LIMIT 3' });
    for (const row of result.rows) assert.match(String(row.customer_key), /^[A-Za-z0-9_-]{22}$/);
    const raw = readFileSync(path.join(dataDir, 'lake', 'curated', 'sales', 'month=2026-11', readdirSync(path.join(dataDir, 'lake', 'curated', 'sales', 'month=2026-11'))[0] ?? ''));
    assert.ok(!raw.includes('@example.test'), 'no e-mail address in the Parquet bytes');
  });

  it('a rerun of the same dates replaces the partitions instead of adding to them', async () => {
    const filesBefore = partitionFiles('sales');
    const summary = await runPipeline(deps(), { trigger: 'manual', dates: DATES });
    assert.equal(summary.status, 'succeeded');
    assert.deepEqual(await salesByDay(), { '2026-11-18': 200, '2026-11-19': 300, '2026-11-20': 100 });
    assert.deepEqual(partitionFiles('sales'), filesBefore);
  });

  it('a publish that fails for good keeps its staged data, so the next run completes it instead of losing a partition', async () => {
    const datasets = ['product_day', 'products', 'reviews', 'sales', 'sales_orders'];
    const before = datasets.map(partitionFiles);
    const failed = await runPipeline(
      deps({
        settings: { ...loadPipelineSettings({}), retries: 0 },
        // the second partition's old folder is retired, then the move of the new one fails
        publishFault: ({ index, action }) => {
          if (index === 1 && action === 'move-new') throw new Error('disk gone');
        },
      }),
      { trigger: 'manual', dates: DATES },
    );
    assert.equal(failed.failedStep, 'publish');
    const next = await runPipeline(deps(), { trigger: 'manual', dates: ['2026-11-20'] });
    assert.equal(next.status, 'succeeded', next.error ?? '');
    assert.deepEqual(datasets.map(partitionFiles), before);
    assert.deepEqual(await salesByDay(), { '2026-11-18': 200, '2026-11-19': 300, '2026-11-20': 100 });
  });

  it('a failing rule blocks publish, keeps the old data, stores the result and tells Slack', async () => {
    await db.pool.query(`INSERT INTO orders (user_id, status, subtotal_cents, total_cents, placed_at) VALUES (1, 'paid', 0, 0, '2026-11-19 12:00-05')`);
    const { rows } = await db.pool.query<{ id: number }>('SELECT max(id) AS id FROM orders');
    await db.pool.query(
      `INSERT INTO order_items (order_id, product_id, variant_id, seller_id, quantity, unit_price_cents, product_name, size, colour)
       SELECT $1, product_id, id, 1, 1, price_cents, 'x', size, colour FROM product_variants ORDER BY id LIMIT 1`,
      [rows[0]?.id],
    );
    const before = readFileSync(path.join(dataDir, 'lake', 'curated', 'sales', 'month=2026-11', 'part-0.parquet'));
    // the staged month holds the run's day (301 lines) and the published days of the month (200 + 100)
    const summary = await runPipeline(deps({ rules: { sales: [{ type: 'rowCount', max: 600, name: 'at-most-600-lines-a-month' }, { type: 'uniqueness', columns: ['order_item_id'] }] } }), {
      trigger: 'manual',
      dates: ['2026-11-19'],
    });
    assert.equal(summary.status, 'failed');
    assert.equal(summary.failedStep, 'quality');
    assert.deepEqual(readFileSync(path.join(dataDir, 'lake', 'curated', 'sales', 'month=2026-11', 'part-0.parquet')), before, 'old partition untouched');
    assert.equal((await salesByDay())['2026-11-19'], 300);
    const stored = await listRuleResults(db.pool, summary.runId);
    const failed = stored.find((result) => result.name === 'at-most-600-lines-a-month');
    assert.equal(failed?.passed, false);
    assert.equal(failed?.observed, '601');
    assert.ok(stored.some((result) => result.name === 'uniqueness(order_item_id)' && result.passed));
    const steps = await listSteps(db.pool, summary.runId);
    assert.deepEqual(steps.filter((step) => step.status === 'skipped').map((step) => step.step), ['publish', 'verify', 'catalog', 'refresh']);
    assert.equal(steps.find((step) => step.step === 'quality')?.attempts, 1, 'bad data is not retried');
    const notice = slackMessages.at(-1) ?? '';
    assert.match(notice, /failed at step \*quality\*/);
    assert.match(notice, /at-most-600-lines-a-month: observed 601/);
    assert.match(notice, /previously published data is unchanged/);
  });

  it('verify puts the old partitions back when a published file is not the one the gate passed, even if its rows pass every rule', async () => {
    const salesDir = path.join(dataDir, 'lake', 'curated', 'sales', 'month=2026-11');
    const before = readFileSync(path.join(salesDir, 'part-0.parquet'));
    // valid data that passes every sales rule, one line short: what the gate never saw
    const shorter = path.join(dataDir, 'shorter.parquet');
    const session = await openDuckDb();
    try {
      await session.connection.run(`COPY (SELECT * FROM read_parquet('${path.join(salesDir, '*.parquet')}') ORDER BY dt, order_id, order_item_id LIMIT 599)
           TO '${shorter}' (FORMAT parquet)`);
    } finally {
      session.close();
    }
    let swapped = false;
    const summary = await runPipeline(
      deps({
        settings: { ...loadPipelineSettings({}), retries: 0 },
        // after the gate passed, before the first folder moves: swap in the shorter file
        publishFault: () => {
          if (swapped) return;
          swapped = true;
          const staged = readdirSync(path.join(dataDir, 'lake', 'staging'))
            .map((run) => path.join(dataDir, 'lake', 'staging', run, 'sales', 'month=2026-11', 'part-0.parquet'))
            .filter((file) => existsSync(file));
          assert.equal(staged.length, 1, staged.join(', '));
          copyFileSync(shorter, staged[0] ?? '');
        },
      }),
      { trigger: 'manual', dates: ['2026-11-19'] },
    );
    assert.equal(summary.status, 'failed');
    assert.equal(summary.failedStep, 'verify', summary.error ?? '');
    assert.match(summary.error ?? '', /not the files that passed the quality gate \(1 difference\(s\): sales\/month=2026-11\/part-0\.parquet (was modified|changed size \(\d+ → \d+ bytes\))\)/);
    assert.deepEqual(readFileSync(path.join(salesDir, 'part-0.parquet')), before, 'the previous partition is back');
    assert.equal((await salesByDay())['2026-11-19'], 300);
    assert.deepEqual(readdirSync(path.join(dataDir, 'lake', '_journal')), [], 'the undone publish leaves no journal');
  });

  it('an incremental run rebuilds only the dates whose rows changed since the watermark, plus yesterday', async () => {
    await db.pool.query(`UPDATE orders SET status = 'refunded' WHERE id = (SELECT min(id) FROM orders)`);
    const summary = await runPipeline(deps(), { trigger: 'schedule' });
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    // the changed order is on 11-18; the extra order inserted above is on 11-19; "yesterday" of NOW is 11-20
    assert.deepEqual(summary.dates, ['2026-11-18', '2026-11-19', '2026-11-20']);
    assert.equal((await salesByDay())['2026-11-19'], 301);
    // an hour of overlap re-reads very recent changes on purpose; move the clock past it
    await db.pool.query(`UPDATE pipeline_watermarks SET value = value + interval '2 hours'`);
    const again = await runPipeline(deps(), { trigger: 'schedule' });
    assert.deepEqual(again.dates, ['2026-11-20'], 'nothing changed since: only yesterday');
  });

  it('retries a failing step with backoff and gives up on a step that runs past its timeout', async () => {
    let calls = 0;
    const flaky = await runPipeline(
      deps({
        refreshers: [
          {
            name: 'flaky',
            async refresh() {
              calls += 1;
              if (calls === 1) throw new Error('cache store briefly unavailable');
              return { rows: 5 };
            },
          },
        ],
      }),
      { trigger: 'manual', dates: ['2026-11-20'] },
    );
    assert.equal(flaky.status, 'succeeded');
    assert.equal((await listSteps(db.pool, flaky.runId)).find((step) => step.step === 'refresh')?.attempts, 2);

    const slow = await runPipeline(
      deps({
        settings: { ...loadPipelineSettings({}), backoffMs: 10, retries: 2, stepTimeoutsMs: { refresh: 200 } },
        refreshers: [{ name: 'slow', refresh: () => new Promise((resolve) => setTimeout(() => resolve({ rows: 0 }), 600)) }],
      }),
      { trigger: 'manual', dates: ['2026-11-20'] },
    );
    assert.equal(slow.status, 'failed');
    assert.equal(slow.failedStep, 'refresh');
    assert.match(slow.error ?? '', /ran longer than/);
    // the lock is held until the abandoned work has ended, then released
    let lock = await tryAcquireRunLock(db.pool);
    assert.equal(lock, null, 'still held while the timed-out refresher runs');
    for (let waited = 0; !lock && waited < 20_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lock = await tryAcquireRunLock(db.pool);
    }
    assert.ok(lock, 'released once the abandoned work finished');
    await lock.release();
  });

  it('runs one at a time, and a crashed holder does not leave the lock or a "running" run behind', async () => {
    let lock = await tryAcquireRunLock(db.pool);
    for (let waited = 0; !lock && waited < 20_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      lock = await tryAcquireRunLock(db.pool);
    }
    assert.ok(lock);
    await assert.rejects(runPipeline(deps(), { trigger: 'manual', dates: ['2026-11-20'] }), PipelineBusyError);
    await lock.release();

    // a process that dies mid-run: its connection holds the lock and its run row says 'running'
    const crashed = new pg.Client({ connectionString: db.url });
    await crashed.connect();
    await crashed.query('SELECT pg_advisory_lock(727200)');
    const { rows } = await db.pool.query<{ id: number }>(`INSERT INTO pipeline_runs (trigger, status, started_at) VALUES ('schedule', 'running', now()) RETURNING id`);
    await assert.rejects(runPipeline(deps(), { trigger: 'manual', dates: ['2026-11-20'] }), PipelineBusyError);
    const { rows: backend } = await crashed.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    crashed.on('error', () => undefined);
    await db.pool.query('SELECT pg_terminate_backend($1)', [backend[0]?.pid]);
    // pg_terminate_backend only signals: wait until the backend (and its lock) is really gone
    for (let waited = 0; waited < 10_000; waited += 50) {
      const { rows: alive } = await db.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend[0]?.pid]);
      if (alive.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const summary = await runPipeline(deps(), { trigger: 'manual', dates: ['2026-11-20'] });
    assert.equal(summary.status, 'succeeded');
    assert.equal((await findRun(db.pool, rows[0]?.id ?? 0))?.status, 'abandoned');
  });

  it('a re-run of one day rewrites its month with that day\'s rows replaced and the other days\' rows unchanged', async () => {
    const lake = path.join(dataDir, 'lake');
    const rows = async (where: string): Promise<Array<Record<string, unknown>>> =>
      (await runLakeQuery({ pool: db.pool, lake, sql: `SELECT * EXCLUDE (month) FROM sales WHERE ${where} ORDER BY order_item_id`, limit: 10_000 })).rows;
    const others = await rows(`dt <> DATE '2026-11-19'`);
    const day = await rows(`dt = DATE '2026-11-19'`);
    assert.ok(others.length > 0 && day.length > 0);
    const { rows: changed } = await db.pool.query<{ id: string }>(
      `UPDATE orders SET status = 'refunded' WHERE id = (SELECT max(id) FROM orders WHERE status <> 'refunded' AND (placed_at AT TIME ZONE '${ZONE}')::date = '2026-11-19') RETURNING id`,
    );
    const orderId = Number(changed[0]?.id);
    assert.ok(day.some((row) => Number(row.order_id) === orderId && row.status !== 'refunded'));
    const summary = await runPipeline(deps(), { trigger: 'manual', dates: ['2026-11-19'] });
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.deepEqual(readdirSync(path.join(lake, 'curated', 'sales')), ['month=2026-11']);
    // the month's other days: the very same rows, every column
    assert.deepEqual(await rows(`dt <> DATE '2026-11-19'`), others);
    // the day: the same lines, the changed order's now refunded
    const after = await rows(`dt = DATE '2026-11-19'`);
    assert.deepEqual(
      after,
      day.map((row) => (Number(row.order_id) === orderId ? { ...row, status: 'refunded' } : row)),
    );
  });

  it('converts a lake of day partitions to month partitions in one run, completing a publish that crashed between renames', async () => {
    const lake = path.join(dataDir, 'lake');
    const curated = path.join(lake, 'curated');
    // the lake as the code before month partitions wrote it: `dt=` folders, `dt` not in the files;
    // plus a day of sales in October (keys moved out of the way), which no run below rebuilds
    const session = await openDuckDb();
    try {
      for (const dataset of MONTH_DATASETS) {
        const dir = path.join(curated, dataset);
        const days = path.join(lake, `days-${dataset}`);
        const rows = `SELECT * FROM read_parquet(${sqlLiteral(path.join(dir, 'month=*', '*.parquet'))}, hive_partitioning = false)`;
        const october =
          dataset === 'sales'
            ? ` UNION ALL SELECT * REPLACE (DATE '2026-10-05' AS dt, DATE '2026-10-05' AS placed_date, order_item_id + 1000000 AS order_item_id, order_id + 1000000 AS order_id) FROM (${rows}) WHERE dt = DATE '2026-11-18'`
            : '';
        await session.connection.run(`COPY (${rows}${october}) TO ${sqlLiteral(days)} (FORMAT parquet, PARTITION_BY (dt), FILENAME_PATTERN 'part-{i}')`);
        rmSync(dir, { recursive: true });
        renameSync(days, dir);
      }
    } finally {
      session.close();
    }
    assert.deepEqual(readdirSync(path.join(curated, 'sales')), ['dt=2026-10-05', 'dt=2026-11-18', 'dt=2026-11-19', 'dt=2026-11-20']);
    await crawlLake(db.pool, lake);
    // what SQL over the lake answers from the day partitions
    const QUERIES = [
      'SELECT dt::VARCHAR AS dt, count(*) AS lines, sum(line_total_cents) AS revenue, count(DISTINCT order_id) AS orders FROM sales GROUP BY dt ORDER BY dt',
      'SELECT product_id, status, sum(quantity) AS units FROM sales GROUP BY ALL ORDER BY ALL',
      'SELECT dt::VARCHAR AS dt, count(*) AS orders, sum(units) AS units FROM sales_orders GROUP BY dt ORDER BY dt',
      'SELECT dt::VARCHAR AS dt, rating, count(*) AS n FROM reviews GROUP BY ALL ORDER BY ALL',
      'SELECT dt::VARCHAR AS dt, sum(orders) AS orders, sum(units_sold) AS units, sum(views) AS views FROM product_day GROUP BY dt ORDER BY dt',
      `SELECT count(*) AS n FROM sales WHERE dt BETWEEN DATE '2026-11-19' AND DATE '2026-11-30'`,
    ];
    const answers = async (): Promise<unknown[]> => Promise.all(QUERIES.map(async (sql) => (await runLakeQuery({ pool: db.pool, lake, sql, limit: 10_000 })).rows));
    const before = await answers();
    assert.ok(JSON.stringify(before[0]).includes('2026-10-05'));

    // the run converts every dataset whole; it crashes after sales' day folders were retired, before its months moved in
    let crashed = false;
    const failed = await runPipeline(
      deps({
        settings: { ...loadPipelineSettings({}), retries: 0 },
        publishFault: ({ index, action }) => {
          if (index === 2 && action === 'move-new' && !crashed) {
            crashed = true;
            throw new Error('power cut');
          }
        },
      }),
      { trigger: 'manual', dates: ['2026-11-20'] },
    );
    assert.equal(failed.failedStep, 'publish', failed.error ?? '');
    assert.equal(crashed, true);
    assert.equal(existsSync(path.join(curated, 'sales')), false, 'the crash left sales between its two renames');
    // the next run completes the publish first, then runs on the converted lake
    const next = await runPipeline(deps(), { trigger: 'manual', dates: ['2026-11-20'] });
    assert.equal(next.status, 'succeeded', next.error ?? '');
    assert.deepEqual(readdirSync(path.join(curated, 'sales')), ['month=2026-10', 'month=2026-11']);
    for (const dataset of MONTH_DATASETS) {
      assert.ok(readdirSync(path.join(curated, dataset)).every((name) => name.startsWith('month=')), `${dataset}: ${readdirSync(path.join(curated, dataset)).join(', ')}`);
    }
    assert.deepEqual(readdirSync(path.join(lake, '_journal')), []);
    assert.deepEqual((await listCatalogTables(db.pool)).find((table) => table.name === 'sales')?.partitionKeys, ['month']);
    // the same answers from the month partitions
    assert.deepEqual(await answers(), before);
  });
});
