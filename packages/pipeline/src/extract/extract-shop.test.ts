import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createPool } from '@threadline/db';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { salesOrdersSelect } from '@threadline/insights';
import { withDuckDb } from '@threadline/lake';

import { extractShop } from './extract-shop.js';
import { planOrderBatches } from './shop-source.repo.js';
import { seedShop } from '../testing/shop-fixture.js';

const ZONE = 'America/New_York';
const DATES = ['2026-11-18', '2026-11-19', '2026-11-20'];

let db: TestDatabase;
let dir: string;

before(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), 'tl-extract-'));
  // 300 orders over three days: order g has (g % 3) + 1 lines → 200, 300, 100 lines per day
  await seedShop(db.pool, { users: 40, products: 12, orders: 300, lastDate: '2026-11-20', days: 3, timeZone: ZONE });
});

after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function salesPerDay(stagingDir: string): Promise<Record<string, number>> {
  return withDuckDb(async (duck) => {
    const rows = await duck.rows(
      `SELECT dt::VARCHAR AS dt, count(*) AS n, count(DISTINCT order_item_id) AS keys FROM read_parquet('${path.join(stagingDir, 'sales', '*', '*.parquet')}', hive_partitioning = true)
        GROUP BY dt ORDER BY dt`,
    );
    for (const row of rows) assert.equal(row.n, row.keys, `sales ${String(row.dt)}: an order line is there twice`);
    return Object.fromEntries(rows.map((row) => [String(row.dt), Number(row.n)]));
  });
}

describe('extractShop', () => {
  it('copies orders and their lines on parallel connections of one snapshot and reports where the time went', async () => {
    const stagingDir = path.join(dir, 'staging-all');
    const result = await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake'), stagingDir, dates: DATES, timeZone: ZONE, pseudonymKey: 'k' });
    assert.deepEqual(await salesPerDay(stagingDir), { '2026-11-18': 200, '2026-11-19': 300, '2026-11-20': 100 });
    const names = result.stages.map((stage) => stage.name);
    for (const expected of [
      'copy orders',
      'copy order_items',
      'copy reviews',
      'copy users',
      'copy products',
      'load orders',
      'load order_items',
      'customer keys',
      'join product_day',
      'write products',
      'write sales',
      'write reviews',
      'write product_day',
      'write sales_orders',
    ]) {
      assert.ok(names.includes(expected), `no stage "${expected}" in ${names.join(', ')}`);
    }
    for (const stage of result.stages) assert.ok(Number.isFinite(stage.seconds) && stage.seconds >= 0, `${stage.name}: ${stage.seconds}`);
    assert.equal(new Set(names).size, names.length, 'a stage is listed twice');
    // the work files (extract CSVs) are gone once the datasets are written
    assert.equal(existsSync(path.join(stagingDir, '_work')), false);
  });

  it('writes one sales_orders row per order with a sold line, agreeing with that order\'s sold lines', async () => {
    const stagingDir = path.join(dir, 'staging-orders');
    const result = await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake'), stagingDir, dates: DATES, timeZone: ZONE, pseudonymKey: 'k' });
    const orders = result.datasets.find((item) => item.dataset === 'sales_orders');
    // one month partition, every date's rows in it (`dt` a column of the file)
    assert.deepEqual(orders?.partitions, ['month=2026-11']);
    await withDuckDb(async (duck) => {
      const read = (dataset: string): string => `read_parquet('${path.join(stagingDir, dataset, '*', '*.parquet')}', hive_partitioning = true)`;
      // the same figures worked out another way: every sold line joined to its order's row
      const [row] = await duck.rows(
        `WITH lines AS (SELECT * FROM ${read('sales')} WHERE status NOT IN ('cancelled', 'refunded')),
              per_order AS (SELECT order_id, count(*) AS n, sum(quantity) AS units, sum(line_total_cents) AS revenue,
                                   count(DISTINCT category_slug) AS categories FROM lines GROUP BY order_id)
         SELECT (SELECT count(*) FROM ${read('sales_orders')}) AS rows,
                (SELECT count(DISTINCT order_id) FROM ${read('sales_orders')}) AS keys,
                (SELECT count(*) FROM per_order) AS sold_orders,
                (SELECT count(DISTINCT order_id) FROM ${read('sales')} WHERE status IN ('cancelled', 'refunded')) AS cancelled_orders,
                (SELECT count(*) FROM per_order p JOIN ${read('sales_orders')} o USING (order_id)
                  WHERE o.sold_lines = p.n AND o.units = p.units AND o.revenue_cents = p.revenue AND len(o.category_slugs) = p.n AND len(list_distinct(o.category_slugs)) = p.categories) AS matching,
                (SELECT count(*) FROM lines l JOIN ${read('sales_orders')} o USING (order_id)
                  WHERE l.customer_key IS NOT DISTINCT FROM o.customer_key AND l.age_band IS NOT DISTINCT FROM o.age_band
                    AND l.is_returning IS NOT DISTINCT FROM o.is_returning AND l.ship_country IS NOT DISTINCT FROM o.ship_country
                    AND l.placed_date = o.placed_date AND list_contains(o.category_slugs, l.category_slug)) AS lines_matching,
                (SELECT count(*) FROM lines) AS sold_lines`,
      );
      assert.ok(row);
      assert.ok(Number(row.cancelled_orders) > 0, 'the fixture has cancelled orders, which the rollup leaves out');
      assert.ok(Number(row.sold_orders) > 0);
      assert.equal(Number(row.rows), Number(row.sold_orders));
      assert.equal(Number(row.keys), Number(row.rows), 'an order is there twice');
      assert.equal(Number(row.matching), Number(row.sold_orders), 'an order\'s totals differ from its lines');
      assert.equal(Number(row.lines_matching), Number(row.sold_lines), 'a line disagrees with its order\'s row');
      // and exactly the rows of the rollup's definition over the staged sales (insights' salesOrdersSelect)
      const staged = await duck.rows(`SELECT * EXCLUDE (month) FROM ${read('sales_orders')} ORDER BY order_id`);
      const defined = await duck.rows(`SELECT * FROM (${salesOrdersSelect(`(SELECT * FROM ${read('sales')})`)}) ORDER BY order_id`);
      assert.equal(staged.length, Number(row.sold_orders));
      assert.deepEqual(staged, defined);
    });
  });

  it('gives every sales line the shop date of its order as placed_date, not the UTC date', async () => {
    const stagingDir = path.join(dir, 'staging-placed-date');
    await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake'), stagingDir, dates: DATES, timeZone: ZONE, pseudonymKey: 'k' });
    await withDuckDb(async (duck) => {
      const [row] = await duck.rows(
        `SELECT count(*) AS lines,
                count(*) FILTER (WHERE placed_date <> (placed_at AT TIME ZONE '${ZONE}')::DATE) AS wrong,
                count(*) FILTER (WHERE placed_date <> dt) AS off_partition,
                count(*) FILTER (WHERE placed_date <> (placed_at AT TIME ZONE 'UTC')::DATE) AS utc_differs
           FROM read_parquet('${path.join(stagingDir, 'sales', '*', '*.parquet')}', hive_partitioning = true)`,
      );
      assert.ok(row);
      assert.equal(Number(row.lines), 600);
      assert.equal(Number(row.wrong), 0, 'a line\'s placed_date is not the shop date of its placed_at');
      assert.equal(Number(row.off_partition), 0, 'a line sits in another date\'s partition');
      // orders placed in the evening (New York) fall on the next UTC date: the check above can tell the two apart
      assert.ok(Number(row.utc_differs) > 0, 'no order of the fixture falls on another UTC date');
    });
  });

  it('writes sales in runs of months side by side with the same files, rows and row order as in one statement', async () => {
    const one = path.join(dir, 'staging-runs-1');
    const three = path.join(dir, 'staging-runs-3');
    // three months: October and December without orders, so the rows weigh on November alone
    const dates = ['2026-10-31', ...DATES, '2026-12-01'];
    const single = await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake'), stagingDir: one, dates, timeZone: ZONE, pseudonymKey: 'k', salesWriteRuns: 1 });
    const split = await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake'), stagingDir: three, dates, timeZone: ZONE, pseudonymKey: 'k', salesWriteRuns: 3 });
    const salesOf = (result: typeof single): unknown => result.datasets.find((item) => item.dataset === 'sales');
    assert.deepEqual(salesOf(split), salesOf(single));
    assert.deepEqual(salesOf(single), { dataset: 'sales', rows: 600, partitions: ['month=2026-10', 'month=2026-11', 'month=2026-12'] });
    // runs never share a month: October and November up to November's orders, then December
    const parts = split.stages.filter((stage) => stage.name.startsWith('write sales (part '));
    assert.deepEqual(parts.map((stage) => stage.name).sort(), ['write sales (part 1 of 2)', 'write sales (part 2 of 2)']);
    assert.equal(single.stages.filter((stage) => stage.name.startsWith('write sales (part ')).length, 0);
    // each part runs within the dataset's write, and every stage ends after it starts
    const whole = split.stages.find((stage) => stage.name === 'write sales');
    assert.ok(whole);
    for (const part of parts) assert.ok(part.startSeconds >= whole.startSeconds && part.endSeconds <= whole.endSeconds, `${part.name} outside write sales`);
    for (const stage of split.stages) assert.ok(stage.startSeconds >= 0 && stage.endSeconds >= stage.startSeconds, `${stage.name}: ${stage.startSeconds} → ${stage.endSeconds}`);
    await withDuckDb(async (duck) => {
      for (const month of ['2026-10', '2026-11', '2026-12']) {
        // file by file, row by row, in the order written
        const read = (root: string): string => `SELECT * FROM read_parquet('${path.join(root, 'sales', `month=${month}`, '*.parquet')}')`;
        const a = await duck.rows(read(one));
        const b = await duck.rows(read(three));
        assert.equal(a.length, month === '2026-11' ? 600 : 0, `sales of ${month}`);
        assert.deepEqual(b, a, `sales ${month} differ between one statement and two runs`);
      }
      // sorted by dt inside the month file, so readers prune on its row-group statistics
      const dts = (await duck.rows(`SELECT dt::VARCHAR AS dt FROM read_parquet('${path.join(one, 'sales', 'month=2026-11', 'part-0.parquet')}')`)).map((row) => String(row.dt));
      assert.deepEqual(dts, [...dts].sort());
      assert.deepEqual([...new Set(dts)], DATES);
    });
  });

  it('builds an empty month partition when no order falls on the dates', async () => {
    const stagingDir = path.join(dir, 'staging-empty');
    const result = await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake'), stagingDir, dates: ['2025-01-01'], timeZone: ZONE, pseudonymKey: 'k' });
    const sales = result.datasets.find((item) => item.dataset === 'sales');
    assert.deepEqual(sales, { dataset: 'sales', rows: 0, partitions: ['month=2025-01'] });
    // an empty month still gets a (zero-row) file, so it replaces its published partition
    for (const dataset of ['sales', 'sales_orders', 'reviews']) assert.ok(existsSync(path.join(stagingDir, dataset, 'month=2025-01', 'part-0.parquet')), dataset);
  });

  it('picks the order lines by id range alone when every order of the range is on the dates, joining orders otherwise', async () => {
    const client = await db.pool.connect();
    try {
      // the fixture's orders take the three days in turn: all three days are one id range, one day is not
      const all = await planOrderBatches(client, DATES, ZONE);
      const oneDay = await planOrderBatches(client, ['2026-11-19'], ZONE);
      assert.equal(all.rangesOnDatesOnly, true);
      assert.equal(oneDay.rangesOnDatesOnly, false);
      assert.equal(all.ranges.length, 1);
    } finally {
      client.release();
    }
    // the joined path copies only the lines of that day's orders
    const stagingDir = path.join(dir, 'staging-one-day');
    const result = await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake'), stagingDir, dates: ['2026-11-19'], timeZone: ZONE, pseudonymKey: 'k' });
    assert.deepEqual(await salesPerDay(stagingDir), { '2026-11-19': 300 });
    assert.equal(result.datasets.find((item) => item.dataset === 'sales')?.rows, 300);
  });

  it('counts product_day sales as the staged sales do: each order once per product and day, cancelled and refunded left out', async () => {
    // an order with two lines of one product (two variants), and a refunded order
    const { rows } = await db.pool.query<{ id: string; product_id: string }>(
      `SELECT DISTINCT ON (o.id) o.id, i.product_id FROM orders o JOIN order_items i ON i.order_id = o.id
        WHERE o.status = 'paid' AND o.placed_at >= '2026-11-19 12:00-05' ORDER BY o.id, i.id LIMIT 2`,
    );
    const [doubled, refunded] = rows;
    assert.ok(doubled && refunded, 'the fixture has paid orders with lines');
    await db.pool.query(
      `INSERT INTO order_items (order_id, product_id, variant_id, seller_id, quantity, unit_price_cents, product_name, size, colour)
       SELECT $1, v.product_id, v.id, i.seller_id, 2, v.price_cents, 'Product', v.size, v.colour
         FROM order_items i JOIN product_variants v ON v.product_id = i.product_id AND v.id <> i.variant_id
        WHERE i.order_id = $1 AND i.product_id = $2 LIMIT 1`,
      [doubled.id, doubled.product_id],
    );
    await db.pool.query(`UPDATE orders SET status = 'refunded' WHERE id = $1`, [refunded.id]);

    const stagingDir = path.join(dir, 'staging-product-day');
    await extractShop({ pool: db.pool, lakeDir: path.join(dir, 'lake'), stagingDir, dates: DATES, timeZone: ZONE, pseudonymKey: 'k' });
    await withDuckDb(async (duck) => {
      const parquet = (dataset: string): string => `read_parquet('${path.join(stagingDir, dataset, '*', '*.parquet')}', hive_partitioning = true)`;
      const fromSales = await duck.rows(
        `SELECT dt::VARCHAR AS dt, product_id, count(DISTINCT order_id) AS orders, sum(quantity)::BIGINT AS units, sum(line_total_cents)::BIGINT AS revenue,
                count(*) AS lines
           FROM ${parquet('sales')} WHERE status NOT IN ('cancelled', 'refunded') GROUP BY ALL ORDER BY dt, product_id`,
      );
      const fromProductDay = await duck.rows(
        `SELECT dt::VARCHAR AS dt, product_id, orders, units_sold AS units, revenue_cents AS revenue
           FROM ${parquet('product_day')} WHERE orders > 0 ORDER BY dt, product_id`,
      );
      assert.deepEqual(
        fromProductDay,
        fromSales.map(({ lines: _lines, ...row }) => row),
      );
      assert.ok(fromSales.some((row) => Number(row.lines) > Number(row.orders)), 'no order has two lines of one product on a day');
      const statuses = await duck.rows(`SELECT DISTINCT status FROM ${parquet('sales')} ORDER BY status`);
      assert.deepEqual(statuses.map((row) => row.status), ['cancelled', 'delivered', 'paid', 'refunded', 'shipped']);
    });
  });

  it('lets the database server write the extract files when it runs here: the same datasets as streamed, whatever the id batch size', async () => {
    // a folder the embedded cluster's user can reach (mkdtemp makes 0700 folders, closed to it when this runs as root)
    const open = mkdtempSync(path.join(os.tmpdir(), 'tl-extract-open-'));
    chmodSync(open, 0o755);
    try {
      const lakeDir = path.join(open, 'lake');
      const progress: string[] = [];
      const server = await extractShop({
        pool: db.pool, lakeDir, stagingDir: path.join(open, 'staging-server'), dates: DATES, timeZone: ZONE, pseudonymKey: 'k', orderBatchSize: 70,
        onProgress: (line) => progress.push(line),
      });
      const streamed = await extractShop({ pool: db.pool, lakeDir, stagingDir: path.join(open, 'staging-stream'), dates: DATES, timeZone: ZONE, pseudonymKey: 'k', copyTarget: 'stream' });
      assert.equal(server.copyTarget, 'server');
      assert.equal(streamed.copyTarget, 'stream');
      assert.ok(progress.some((line) => line.includes('the server writes the extract files')), progress.join('\n'));
      // 300 orders in batches of 70 ids: five batches of orders and of lines, each loaded as it arrives
      assert.equal(progress.filter((line) => line.startsWith('order lines: ')).at(-1), 'order lines: 5 of 5 id batch(es) copied');
      assert.deepEqual(server.datasets, streamed.datasets);
      assert.equal(server.rowsIn, streamed.rowsIn);
      await withDuckDb(async (duck) => {
        for (const dataset of ['sales', 'sales_orders', 'reviews', 'product_day', 'products']) {
          const read = (root: string): string => `SELECT * FROM read_parquet('${path.join(open, root, dataset, '*', '*.parquet')}') ORDER BY ALL`;
          const fromServer = await duck.rows(read('staging-server'));
          assert.ok(fromServer.length > 0, dataset);
          assert.deepEqual(fromServer, await duck.rows(read('staging-stream')), `${dataset} differs between server-written and streamed extracts`);
        }
      });
      // the server's files (another OS user's when this runs as root) are gone with the work folder
      assert.equal(existsSync(path.join(open, 'staging-server', '_work')), false);
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it('streams the extract when its role may not have the server write files, and refuses copyTarget server then', async () => {
    const role = `tl_extract_reader_${process.pid}`;
    await db.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD 'reader'`);
    await db.pool.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
    const url = new URL(db.url);
    url.username = role;
    url.password = 'reader';
    const pool = createPool(url.toString(), { max: 4 });
    const open = mkdtempSync(path.join(os.tmpdir(), 'tl-extract-reader-'));
    chmodSync(open, 0o755);
    try {
      const result = await extractShop({ pool, lakeDir: path.join(open, 'lake'), stagingDir: path.join(open, 'staging'), dates: DATES, timeZone: ZONE, pseudonymKey: 'k' });
      assert.equal(result.copyTarget, 'stream');
      // every order line of the three days (an earlier test added one), each once
      const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM order_items');
      const perDay = await salesPerDay(path.join(open, 'staging'));
      assert.equal(Object.values(perDay).reduce((sum, n) => sum + n, 0), Number(rows[0]?.n));
      assert.deepEqual(Object.keys(perDay), DATES);
      await assert.rejects(
        extractShop({ pool, lakeDir: path.join(open, 'lake'), stagingDir: path.join(open, 'staging-2'), dates: DATES, timeZone: ZONE, pseudonymKey: 'k', copyTarget: 'server' }),
        /copyTarget server: the database server cannot write into .*staging-2/,
      );
    } finally {
      await pool.end();
      rmSync(open, { recursive: true, force: true });
      await db.pool.query(`DROP OWNED BY ${role}`);
      await db.pool.query(`DROP ROLE ${role}`);
    }
  });
});
