/**
 * Marketing dashboards (issue 6). Goals: a cached dashboard answers through the API with
 * p95 < 50 ms; a live query over 1M orders (~3M order lines) answers in < 1 s.
 * The curated datasets are generated directly as Parquet (as the nightly pipeline writes them);
 * `BENCH_ORDERS` sets the size (default 1,000,000).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DuckDBInstance } from '@duckdb/node-api';

import { buildApiApp } from '@threadline/api';
import { hashPassword } from '@threadline/auth';
import { createLogger, loadConfig, loadEdgeConfig } from '@threadline/config';
import { createPool, insertUser, migrate } from '@threadline/db';
import { freePort, startTestCluster } from '@threadline/db/testing';
import { adChannelInsight, InsightsLake, reviewInsight, salesInsight, salesOrdersSelect, segmentInsight } from '@threadline/insights';

import { measure } from './lib/http-load.js';
import { writeBenchResult, type BenchFigures } from './lib/results.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const WINDOW = { from: '2026-08-28', to: '2026-11-25' };

async function generateLake(dataDir: string): Promise<void> {
  const curated = path.join(dataDir, 'lake', 'curated');
  mkdirSync(curated, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const db = await instance.connect();
  // laid out as the nightly run writes them: the date datasets in month partitions (`dt` a sorted
  // column in the file), the product snapshot in its day partition
  const copy = (select: string, dataset: string): Promise<unknown> =>
    dataset === 'products'
      ? db.run(`COPY (${select}) TO '${path.join(curated, dataset)}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true)`)
      : db.run(
          `COPY (SELECT *, strftime(dt, '%Y-%m') AS month FROM (${select}) ORDER BY dt) TO '${path.join(curated, dataset)}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month), OVERWRITE_OR_IGNORE true)`,
        );
  // ~3 lines per order over 90 days; skewed product popularity and segment attributes
  await db.run(`CREATE TABLE lines AS
    WITH o AS (SELECT range AS order_id, DATE '2026-08-28' + CAST(floor(random() * 90) AS INTEGER) AS placed_date,
                      CAST(floor(random() * 200000) AS BIGINT) AS customer FROM range(${ORDERS}))
    SELECT o.order_id * 4 + l.range AS order_item_id, o.order_id, o.placed_date, o.placed_date AS dt,
           (o.placed_date::TIMESTAMP + INTERVAL 14 HOUR)::TIMESTAMPTZ AS placed_at,
           CASE WHEN random() < 0.05 THEN 'cancelled' ELSE 'delivered' END AS status, 'shop' AS source,
           'c' || o.customer AS customer_key,
           ['18-24','25-34','35-44','45-54','55-64','65+'][1 + o.customer % 6] AS age_band,
           ['female','male','non_binary','undisclosed'][1 + o.customer % 4] AS gender, 'US' AS country,
           ['north_america','south_america','europe','asia_pacific','other'][1 + o.customer % 5] AS region,
           (o.order_id % 3 = 0) AS is_returning,
           ['US','CA','DE','GB','FR'][1 + o.customer % 5] AS ship_country, 'R' || (o.customer % 20) AS ship_region, NULL::VARCHAR AS sales_territory,
           CAST(floor(pow(random(), 3) * 1000) AS BIGINT) + 1 AS product_id,
           1 + CAST(floor(random() * 3) AS BIGINT) AS quantity
      FROM o, range(1 + CAST(o.order_id % 5 AS INTEGER)) l`);
  await copy(
    `SELECT l.*, 'Product ' || product_id AS product_name, 'cat-' || (product_id % 12) AS category_slug, 'Category ' || (product_id % 12) AS category_name,
            1000 + (product_id * 37) % 20000 AS unit_price_cents, quantity * (1000 + (product_id * 37) % 20000) AS line_total_cents FROM lines l`,
    'sales',
  );
  // the segments dashboard's per-order rollup, as the nightly run writes it beside sales
  await copy(salesOrdersSelect(`(SELECT * FROM read_parquet('${path.join(curated, 'sales', '*', '*.parquet')}', hive_partitioning = false))`), 'sales_orders');
  await copy(
    `SELECT DATE '2026-11-25' AS dt, range + 1 AS product_id, 'Product ' || (range + 1) AS product_name, 'cat-' || ((range + 1) % 12) AS category_slug,
            'Category ' || ((range + 1) % 12) AS category_name, CAST(range * 7 % 300 AS BIGINT) AS stock_on_hand FROM range(1000)`,
    'products',
  );
  await copy(
    `SELECT d.dt, p.range + 1 AS product_id, 'Product ' || (p.range + 1) AS product_name, 'cat-' || ((p.range + 1) % 12) AS category_slug,
            CAST(random() * 500 AS BIGINT) AS views, CAST(random() * 50 AS BIGINT) AS carts, CAST(random() * 10 AS BIGINT) AS orders
       FROM (SELECT DATE '2026-08-28' + CAST(range AS INTEGER) AS dt FROM range(90)) d, range(1000) p`,
    'product_day',
  );
  await copy(
    `SELECT placed_date AS dt, order_item_id AS review_id, product_id, 'Product ' || product_id AS product_name, 'cat-' || (product_id % 12) AS category_slug,
            1 + CAST(floor(pow(random(), 0.5) * 5) AS INTEGER) AS rating, NULL AS title,
            CASE WHEN random() < 0.5 THEN 'the zip broke and the fit is small' ELSE 'lovely soft fabric, fits well' END AS body
       FROM lines WHERE order_item_id % 10 = 0`,
    'reviews',
  );
  db.closeSync();
  instance.closeSync();
}

async function timed<T>(work: () => Promise<T>, runs = 3): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] ?? 0);
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-insights-'));
const cluster = await startTestCluster();
const pool = createPool(cluster.url, { max: 10 });
const results: BenchFigures[] = [];
try {
  await migrate(pool);
  console.log(`generating ${ORDERS.toLocaleString('en-US')} orders as curated Parquet…`);
  await generateLake(dataDir);
  const lake = await InsightsLake.open(dataDir);
  try {
    const [row] = await lake.query<{ n: number }>('SELECT count(*)::INTEGER AS n FROM sales');
    console.log(`${row?.n.toLocaleString('en-US')} order lines`);
    results.push({ name: 'live-sales', ms: await timed(() => salesInsight(lake, { ...WINDOW, limit: 20 })), lines: row?.n });
    results.push({ name: 'live-segments-age-band', ms: await timed(() => segmentInsight(lake, { ...WINDOW, dimension: 'age_band', limit: 10 })) });
    results.push({ name: 'live-reviews', ms: await timed(() => reviewInsight(lake, { ...WINDOW, minReviews: 3, limit: 10 })) });
    results.push({ name: 'live-ad-channels', ms: await timed(() => adChannelInsight(lake, WINDOW)) });
  } finally {
    lake.close();
  }

  const port = await freePort();
  const config = loadConfig({ THREADLINE_DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'warn', THREADLINE_API_PORT: String(port) });
  const api = await buildApiApp({
    config,
    secrets: { sessionSecret: 's', pseudonymKey: 'k', paymentWebhookSecret: 'w', pgPassword: '' },
    pool,
    logger: createLogger({ name: 'bench', level: 'warn' }),
    readinessChecks: [],
    // the edge stays on (WAF, headers); only the per-address limit is raised for one client's load
    edge: loadEdgeConfig({ ...process.env, THREADLINE_RATE_LIMIT_PER_MIN: '100000000', THREADLINE_RATE_LIMIT_ACCOUNT_PER_MIN: '100000000' }),
  });
  await api.listen({ port, host: '127.0.0.1' });
  try {
    await insertUser(pool, { email: 'bench@insights.test', passwordHash: await hashPassword('bench-insights-pass'), name: 'Bench', role: 'marketing' });
    const csrf = await api.inject({ method: 'GET', url: '/api/auth/csrf' });
    const first = csrf.cookies[0];
    const token = (JSON.parse(csrf.body) as { token: string }).token;
    const login = await api.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { cookie: `${first?.name}=${first?.value}`, 'x-csrf-token': token, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'bench@insights.test', password: 'bench-insights-pass' }),
    });
    const session = login.cookies.find((cookie) => cookie.name === first?.name);
    const cookie = `${session?.name}=${session?.value}`;
    for (const dashboard of ['sales', 'segments', 'reviews']) {
      const url = `http://127.0.0.1:${port}/api/insights/${dashboard}?from=${WINDOW.from}&to=${WINDOW.to}`;
      const warm = performance.now();
      await fetch(url, { headers: { cookie } }); // computes and stores the entry
      const liveMs = Math.round(performance.now() - warm);
      const run = await measure({ url, connections: 10, durationS: 10, requests: [{ path: new URL(url).pathname + new URL(url).search, headers: { cookie } }] });
      results.push({ name: `cached-api-${dashboard}`, firstRequestMs: liveMs, ...run });
    }
  } finally {
    await api.close();
  }
  writeBenchResult('insights', { 'cached-api-*.p95Ms': '< 10', 'live-*.ms': '< 500 (1M orders)' }, results);
} finally {
  await pool.end();
  await cluster.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}
