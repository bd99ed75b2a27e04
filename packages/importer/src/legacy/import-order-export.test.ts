import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createLogger } from '@threadline/config';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { openDuckDb, sqlLiteral } from '@threadline/lake';
import { loadPipelineSettings, runPipeline } from '@threadline/pipeline';

import { generateSuperstoreExport, writeSuperstoreCsv, type SuperstoreLine } from '../testing/superstore-export.js';
import { importLegacyFile, type ImportOptions, type ImportReport } from './import-legacy.js';
import { loadMapping } from './mapping.js';

const MAPPING_FILE = fileURLToPath(new URL('../../../../examples/superstore/orders.map.json', import.meta.url));

/**
 * The independent computation: the source lines as written, money in ten-thousandths read with
 * integer arithmetic, each line total rounded once to cents half to even — written apart from the
 * importer's own code on purpose.
 */
function tenThousandths(text: string): number {
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const value = Number(whole) * 10_000 + Number(fraction.padEnd(4, '0'));
  return text.startsWith('-') ? -value : value;
}
function centsHalfEven(text: string): number {
  const value = tenThousandths(text);
  const quotient = Math.floor(value / 100);
  const remainder = value - quotient * 100;
  return remainder > 50 || (remainder === 50 && quotient % 2 === 1) ? quotient + 1 : quotient;
}
function month(usDate: string): string {
  const [m = '', , y = ''] = usDate.split('/');
  return `${y}-${m.padStart(2, '0')}`;
}

interface Expected {
  months: Array<[string, number, number, number]>;
  segments: Array<[string, number]>;
  topOverall: string[];
  topPerTerritory: Array<[string, string[]]>;
  topPerState: Array<[string, string[]]>;
}

function topTen(revenue: Map<string, number>): string[] {
  return [...revenue.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10).map(([id]) => id);
}

function expectedFrom(lines: readonly SuperstoreLine[], excludedOrders: ReadonlySet<string>): Expected {
  const kept = lines.filter((line) => !excludedOrders.has(line['Order ID']));
  const months = new Map<string, { revenue: number; units: number; orders: Set<string> }>();
  const segments = new Map<string, number>();
  const overall = new Map<string, number>();
  const byGroup = (key: 'Region' | 'State'): Map<string, Map<string, number>> => {
    const groups = new Map<string, Map<string, number>>();
    for (const line of kept) {
      const group = groups.get(line[key]) ?? new Map<string, number>();
      group.set(line['Product ID'], (group.get(line['Product ID']) ?? 0) + centsHalfEven(line.Sales));
      groups.set(line[key], group);
    }
    return groups;
  };
  for (const line of kept) {
    const cents = centsHalfEven(line.Sales);
    const entry = months.get(month(line['Order Date'])) ?? { revenue: 0, units: 0, orders: new Set<string>() };
    entry.revenue += cents;
    entry.units += Number(line.Quantity);
    entry.orders.add(line['Order ID']);
    months.set(month(line['Order Date']), entry);
    segments.set(line.Segment, (segments.get(line.Segment) ?? 0) + cents);
    overall.set(line['Product ID'], (overall.get(line['Product ID']) ?? 0) + cents);
  }
  const tops = (groups: Map<string, Map<string, number>>): Array<[string, string[]]> =>
    [...groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([name, revenue]) => [name, topTen(revenue)]);
  return {
    months: [...months.entries()].sort().map(([key, entry]) => [key, entry.revenue, entry.units, entry.orders.size]),
    segments: [...segments.entries()].sort(),
    topOverall: topTen(overall),
    topPerTerritory: tops(byGroup('Region')),
    topPerState: tops(byGroup('State')),
  };
}

/** The shop's names of its US rates (every generated order ships to the US), as the checkout keeps them. */
const US_METHOD_NAMES: Record<string, string> = { standard: 'Standard', express: 'Express' };

/** Orders per shipping method, read from the source's Ship Mode through the mapping's own table. */
function expectedShippingMethods(lines: readonly SuperstoreLine[], excludedOrders: ReadonlySet<string>): Array<[string, number]> {
  const table = loadMapping(MAPPING_FILE).values?.shipping_method ?? {};
  const orders = new Map<string, Set<string>>();
  for (const line of lines.filter((candidate) => !excludedOrders.has(candidate['Order ID']))) {
    const code = table[line['Ship Mode']];
    const method = code === undefined ? 'unmapped' : (US_METHOD_NAMES[code] ?? code);
    orders.set(method, (orders.get(method) ?? new Set()).add(line['Order ID']));
  }
  return [...orders.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([method, ids]) => [method, ids.size]);
}

const REVENUE = `o.status IN ('paid', 'shipped', 'delivered') AND o.source = 'legacy'`;

async function actualFrom(db: TestDatabase): Promise<Expected> {
  const { rows: months } = await db.pool.query<{ month: string; revenue: string; units: string; orders: number }>(
    `SELECT to_char(o.placed_at AT TIME ZONE 'America/New_York', 'YYYY-MM') AS month, sum(i.line_total_cents) AS revenue,
            sum(i.quantity) AS units, count(DISTINCT o.id)::int AS orders
       FROM orders o JOIN order_items i ON i.order_id = o.id WHERE ${REVENUE} GROUP BY 1 ORDER BY 1`,
  );
  const { rows: segments } = await db.pool.query<{ segment: string; revenue: string }>(
    `SELECT u.customer_segment AS segment, sum(i.line_total_cents) AS revenue
       FROM orders o JOIN order_items i ON i.order_id = o.id JOIN users u ON u.id = o.user_id WHERE ${REVENUE}
      GROUP BY 1 ORDER BY 1`,
  );
  const top = async (group: string): Promise<Array<[string, string[]]>> => {
    const { rows } = await db.pool.query<{ name: string; ids: string[] }>(
      `WITH revenue AS (
         SELECT ${group} AS name, p.legacy_id, sum(i.line_total_cents) AS cents
           FROM orders o JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id
          WHERE ${REVENUE} GROUP BY 1, 2
       ), ranked AS (
         SELECT name, legacy_id, row_number() OVER (PARTITION BY name ORDER BY cents DESC, legacy_id COLLATE "C") AS rank FROM revenue
       )
       SELECT name, array_agg(legacy_id ORDER BY rank) AS ids FROM ranked WHERE rank <= 10 GROUP BY name ORDER BY name COLLATE "C"`,
    );
    return rows.map((row) => [row.name, row.ids]);
  };
  const overall = await top(`'all'`);
  return {
    months: months.map((row) => [row.month, Number(row.revenue), Number(row.units), row.orders]),
    segments: segments.map((row) => [row.segment, Number(row.revenue)]),
    topOverall: overall[0]?.[1] ?? [],
    topPerTerritory: await top('o.sales_territory'),
    topPerState: await top('o.ship_region'),
  };
}

describe('importing a flat order-line export with only a mapping file', () => {
  let db: TestDatabase;
  let file: string;
  const generated = generateSuperstoreExport({ orders: 1_800 });
  const mapping = loadMapping(MAPPING_FILE);
  const options = (overrides: Partial<ImportOptions> = {}): ImportOptions => ({
    entity: 'orders',
    file,
    mapping,
    rules: {
      dateFormat: mapping.dateFormat,
      timeZone: mapping.timeZone ?? 'America/New_York',
      currency: 'USD',
      values: mapping.values ?? {},
      defaults: mapping.defaults ?? {},
    },
    isDryRun: false,
    skipBadRows: true,
    ...overrides,
  });
  let report: ImportReport;

  before(async () => {
    assert.ok(generated.lines.length >= 5_000, `the generated export has ${generated.lines.length} lines`);
    assert.ok(generated.mixedCustomerOrders.length > 0 && generated.badLineOrders.length > 0 && generated.renamedProducts.length >= 30);
    db = await createTestDatabase();
    file = path.join(mkdtempSync(path.join(tmpdir(), 'order-export-')), 'orders.csv');
    await writeSuperstoreCsv(file, generated.lines);
  });
  after(() => db.close());

  it('refuses the whole file without --skip-bad-rows, naming every row of the orders at fault', async () => {
    const strict = await importLegacyFile(db.pool, options({ skipBadRows: false }));
    assert.equal(strict.isCommitted, false);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM orders`);
    assert.equal(rows[0].n, 0);
    const faultyOrders = new Set([...generated.mixedCustomerOrders, ...generated.badLineOrders]);
    const faultyRows = generated.lines.filter((line) => faultyOrders.has(line['Order ID'])).map((line) => Number(line['Row ID']) + 1);
    assert.deepEqual(strict.rejected.map((row) => row.row), faultyRows);
  });

  it('with --skip-bad-rows drops whole orders and names every row, the bad line with its column', async () => {
    report = await importLegacyFile(db.pool, options());
    assert.equal(report.isCommitted, true);
    const badOrder = generated.badLineOrders[0]!;
    const badRows = generated.lines.filter((line) => line['Order ID'] === badOrder);
    const reasons = report.rejected.filter((row) => badRows.some((line) => Number(line['Row ID']) + 1 === row.row));
    assert.equal(reasons.length, badRows.length);
    assert.ok(reasons.some((row) => row.column === 'line_total' && /not a money amount/.test(row.reason)));
    assert.ok(reasons.some((row) => new RegExp(`order ${badOrder} not imported: row \\d+ rejected`).test(row.reason)));
    const mixed = report.rejected.find((row) => row.column === 'customer_legacy_id');
    assert.match(mixed?.reason ?? '', /name different customers \(.+ on rows? [\d, ]+; .+ on row \d+\); fix the export or pass --split-mixed-customers/);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM orders WHERE legacy_id = ANY($1)`, [[...generated.badLineOrders, ...generated.mixedCustomerOrders]]);
    assert.equal(rows[0].n, 0);
  });

  it('matches an independent computation on the source file: months, segments and top-10 products overall, per territory, per state', async () => {
    const expected = expectedFrom(generated.lines, new Set([...generated.mixedCustomerOrders, ...generated.badLineOrders]));
    assert.deepEqual(await actualFrom(db), expected);
  });

  it('gives each product the units its kept lines sold, as counted on the source file', async () => {
    const dropped = new Set([...generated.mixedCustomerOrders, ...generated.badLineOrders]);
    const expected = new Map<string, number>();
    for (const line of generated.lines) {
      if (dropped.has(line['Order ID'])) continue;
      expected.set(line['Product ID'], (expected.get(line['Product ID']) ?? 0) + Number(line['Quantity']));
    }
    const { rows } = await db.pool.query<{ legacy_id: string; units_sold: number }>(`SELECT legacy_id, units_sold FROM products WHERE legacy_id IS NOT NULL`);
    assert.deepEqual(new Map(rows.map((row) => [row.legacy_id, row.units_sold])), expected);
  });

  it('carries the same figures into the lake: the nightly pipeline over two imported months', async () => {
    const months = ['2016-03', '2017-11'];
    const dates = months.flatMap((month) => {
      const [year = 0, m = 0] = month.split('-').map(Number);
      const days = new Date(Date.UTC(year, m, 0)).getUTCDate();
      return Array.from({ length: days }, (_, index) => `${month}-${String(index + 1).padStart(2, '0')}`);
    });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'order-export-lake-'));
    const summary = await runPipeline(
      {
        pool: db.pool,
        dataDir,
        timeZone: 'America/New_York',
        pseudonymKey: 'test-key',
        slackWebhookUrl: undefined,
        logger: createLogger({ name: 'order-export-test', level: 'silent' }),
        settings: { ...loadPipelineSettings({}), backoffMs: 10, retries: 0 },
        refreshers: [],
      },
      { trigger: 'manual', dates },
    );
    assert.equal(summary.status, 'succeeded');
    const inMonths = generated.lines.filter((line) => months.includes(month(line['Order Date'])));
    const excluded = new Set([...generated.mixedCustomerOrders, ...generated.badLineOrders]);
    const expected = expectedFrom(inMonths, excluded);
    const duck = await openDuckDb({ threads: 1 });
    try {
      const sales = `read_parquet('${path.join(dataDir, 'lake', 'curated', 'sales')}/**/*.parquet', hive_partitioning = true)
                      WHERE status IN ('paid', 'shipped', 'delivered')`;
      const monthRows = await duck.all<{ month: string; revenue: number; units: number; orders: number }>(
        `SELECT strftime(placed_date, '%Y-%m') AS month, sum(line_total_cents)::BIGINT AS revenue, sum(quantity)::BIGINT AS units,
                count(DISTINCT order_id)::INTEGER AS orders FROM ${sales} GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(monthRows.map((row) => [row.month, Number(row.revenue), Number(row.units), row.orders]), expected.months);
      const segments = await duck.all<{ segment: string; revenue: number }>(
        `SELECT customer_segment AS segment, sum(line_total_cents)::BIGINT AS revenue FROM ${sales} GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(segments.map((row) => [row.segment, Number(row.revenue)]), expected.segments);
      // the lake keys products by the shop's id; the export names them by its own
      const { rows: ids } = await db.pool.query<{ id: string; legacy_id: string }>('SELECT id, legacy_id FROM products WHERE legacy_id IS NOT NULL');
      await duck.run(`CREATE TEMP TABLE legacy_ids AS SELECT * FROM (VALUES ${ids.map((row) => `(${Number(row.id)}, ${sqlLiteral(row.legacy_id)})`).join(', ')}) AS t(product_id, legacy_id)`);
      const tops = await duck.all<{ state: string; ids: string[] }>(
        `WITH revenue AS (
           SELECT s.ship_region AS state, p.legacy_id, sum(s.line_total_cents) AS cents
             FROM read_parquet('${path.join(dataDir, 'lake', 'curated', 'sales')}/**/*.parquet', hive_partitioning = true) s
             JOIN legacy_ids p USING (product_id)
            WHERE s.status IN ('paid', 'shipped', 'delivered') GROUP BY 1, 2
         ), ranked AS (SELECT state, legacy_id, row_number() OVER (PARTITION BY state ORDER BY cents DESC, legacy_id) AS rank FROM revenue)
         SELECT state, list(legacy_id ORDER BY rank) AS ids FROM ranked WHERE rank <= 10 GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(tops.map((row) => [row.state, [...row.ids]]), expected.topPerState);
      // marketing slices by the export's own sales territory, and sees the mapped ship mode
      const territories = await duck.all<{ territory: string; ids: string[] }>(
        `WITH revenue AS (
           SELECT s.sales_territory AS territory, p.legacy_id, sum(s.line_total_cents) AS cents
             FROM read_parquet('${path.join(dataDir, 'lake', 'curated', 'sales')}/**/*.parquet', hive_partitioning = true) s
             JOIN legacy_ids p USING (product_id)
            WHERE s.status IN ('paid', 'shipped', 'delivered') GROUP BY 1, 2
         ), ranked AS (SELECT territory, legacy_id, row_number() OVER (PARTITION BY territory ORDER BY cents DESC, legacy_id) AS rank FROM revenue)
         SELECT territory, list(legacy_id ORDER BY rank) AS ids FROM ranked WHERE rank <= 10 GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(territories.map((row) => [row.territory, [...row.ids]]), expected.topPerTerritory);
      const methods = await duck.all<{ shipping_method: string; orders: number }>(
        `SELECT shipping_method, count(DISTINCT order_id)::INTEGER AS orders FROM ${sales} GROUP BY 1 ORDER BY 1`,
      );
      assert.deepEqual(methods.map((row) => [row.shipping_method, row.orders]), expectedShippingMethods(inMonths, excluded));
    } finally {
      duck.close();
    }
  });

  it('keeps every name a product id carried, the latest one on the product, and reports each', async () => {
    const renamed = report.warnings.filter((warning) => warning.column === 'product_name');
    // independently: product ids whose kept lines carry more than one name
    const excluded = new Set([...generated.mixedCustomerOrders, ...generated.badLineOrders]);
    const names = new Map<string, Set<string>>();
    for (const line of generated.lines.filter((candidate) => !excluded.has(candidate['Order ID']))) {
      names.set(line['Product ID'], (names.get(line['Product ID']) ?? new Set()).add(line['Product Name']));
    }
    const expected = [...names.values()].filter((set) => set.size > 1).length;
    assert.ok(expected >= 25, `${expected} renamed products in the file`);
    assert.equal(renamed.length, expected);
    assert.match(renamed[0]?.message ?? '', /has several names: ".+" \(rows [\d, ]+.*\), ".+\(new packaging\)" \(rows [\d, ]+.*\); kept ".+\(new packaging\)"/);
    const { rows } = await db.pool.query<{ legacy_id: string; name: string; names: string[] }>(
      `SELECT p.legacy_id, p.name, array_agg(h.name ORDER BY h.last_seen) AS names
         FROM products p JOIN product_name_history h ON h.product_id = p.id WHERE p.legacy_id = ANY($1)
        GROUP BY p.id ORDER BY p.legacy_id`,
      [generated.renamedProducts],
    );
    const sold = rows.filter((row) => row.names.length === 2);
    assert.ok(sold.length > 0);
    for (const row of sold) {
      assert.match(row.name, /\(new packaging\)$/);
      assert.equal(row.names[1], row.name);
    }
  });

  it('stores ship-to geography, the sales territory, countries by name or code, and discounts and profits', async () => {
    const { rows } = await db.pool.query(
      `SELECT DISTINCT o.ship_country, o.sales_territory FROM orders o WHERE o.source = 'legacy' ORDER BY 2`,
    );
    assert.deepEqual(rows.map((row) => [row.ship_country, row.sales_territory]), [['US', 'Central'], ['US', 'East'], ['US', 'South'], ['US', 'West']]);
    const line = generated.lines.find((candidate) => candidate.Discount !== '0' && candidate.Profit.startsWith('-') && !report.rejected.some((row) => row.row === Number(candidate['Row ID']) + 1))!;
    const { rows: items } = await db.pool.query(
      `SELECT i.line_total_cents, i.unit_price_cents, i.quantity, i.discount_rate::text, i.profit_cents, o.ship_region, o.ship_city, o.ship_postal_code
         FROM order_items i JOIN orders o ON o.id = i.order_id JOIN products p ON p.id = i.product_id
        WHERE o.legacy_id = $1 AND p.legacy_id = $2 AND i.quantity = $3 LIMIT 1`,
      [line['Order ID'], line['Product ID'], Number(line.Quantity)],
    );
    assert.deepEqual(items[0], {
      line_total_cents: centsHalfEven(line.Sales),
      unit_price_cents: items[0].unit_price_cents,
      quantity: Number(line.Quantity),
      discount_rate: Number(line.Discount).toFixed(4),
      profit_cents: centsHalfEven(line.Profit),
      ship_region: line.State,
      ship_city: line.City,
      ship_postal_code: line['Postal Code'],
    });
    assert.ok(Math.abs(items[0].unit_price_cents * Number(line.Quantity) - centsHalfEven(line.Sales)) <= Number(line.Quantity));
  });

  it('creates customers without e-mail and products dated from their first sale', async () => {
    const { rows: customers } = await db.pool.query(`SELECT count(*)::int AS n, count(email)::int AS with_email, count(password_hash)::int AS with_password FROM users WHERE role = 'customer'`);
    assert.deepEqual([customers[0].with_email, customers[0].with_password], [0, 0]);
    assert.ok(customers[0].n > 100);
    const { rows: early } = await db.pool.query(
      `SELECT count(*)::int AS n FROM products p
        WHERE p.legacy_id IS NOT NULL AND p.created_at <> (SELECT min(o.placed_at) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.product_id = p.id)`,
    );
    assert.equal(early[0].n, 0);
  });

  it('re-imports without duplicating anything and with the same figures', async () => {
    const before = await actualFrom(db);
    // row versions: a re-run of the same export rewrites no order, line, customer, product or name history
    const versions = `SELECT (SELECT string_agg(xmin::text, ',' ORDER BY id) FROM orders) AS orders,
                             (SELECT string_agg(xmin::text, ',' ORDER BY product_id, name) FROM product_name_history) AS names,
                             (SELECT string_agg(xmin::text, ',' ORDER BY id) FROM order_items) AS items,
                             (SELECT string_agg(xmin::text, ',' ORDER BY id) FROM users WHERE legacy_id IS NOT NULL) AS customers,
                             (SELECT string_agg(xmin::text, ',' ORDER BY id) FROM products) AS products,
                             (SELECT string_agg(xmin::text, ',' ORDER BY id) FROM product_variants) AS variants`;
    const { rows: [versionsBefore] } = await db.pool.query(versions);
    const again = await importLegacyFile(db.pool, options());
    const { rows: [versionsAfter] } = await db.pool.query(versions);
    assert.deepEqual(versionsAfter, versionsBefore);
    assert.equal(again.created, 0);
    assert.equal(again.updated, report.created);
    assert.deepEqual(await actualFrom(db), before);
    const { rows } = await db.pool.query(`SELECT (SELECT count(*) FROM order_items)::int AS items, (SELECT count(*) FROM products)::int AS products`);
    const keptLines = generated.lines.length - report.rejected.length;
    assert.equal(rows[0].items, keptLines);
  });

  it('keeps the ship mode on each order, mapped onto the shop\'s shipping methods', async () => {
    const excluded = new Set([...generated.mixedCustomerOrders, ...generated.badLineOrders]);
    const { rows } = await db.pool.query<{ shipping_method: string; orders: number }>(
      `SELECT shipping_method, count(*)::int AS orders FROM orders WHERE source = 'legacy' GROUP BY 1 ORDER BY shipping_method COLLATE "C"`,
    );
    assert.deepEqual(rows.map((row) => [row.shipping_method, row.orders]), expectedShippingMethods(generated.lines, excluded));
    assert.deepEqual(report.warnings.filter((warning) => warning.column === 'shipping_method'), []);
  });

  it('rejects the orders of a ship mode nobody mapped when the mapping has no default, naming value and rows', async () => {
    const values = { ...mapping.values, shipping_method: { 'Standard Class': 'standard', 'Second Class': 'standard', 'First Class': 'express' } };
    const strict = await importLegacyFile(db.pool, options({
      skipBadRows: false,
      rules: { ...options().rules, values, defaults: { status: 'delivered' } },
    }));
    assert.equal(strict.isCommitted, false);
    // every readable Same Day line is at fault (a line already bad for its amount is named for that)
    const sameDayRows = generated.lines.filter((line) => line['Ship Mode'] === 'Same Day' && line.Sales !== 'n/a').map((line) => Number(line['Row ID']) + 1);
    const faults = strict.rejected.filter((row) => row.column === 'shipping_method');
    assert.ok(sameDayRows.length > 0);
    assert.deepEqual(faults.map((row) => row.row), sameDayRows);
    assert.match(faults[0]!.reason, /^"Same Day" is not a shipping method of the shop \(express, standard\); map it under values\.shipping_method or set defaults\.shipping_method$/);
  });

  it('gives an unmapped ship mode the mapping\'s default and reports the value with its rows', async () => {
    const values = { ...mapping.values, shipping_method: { 'Standard Class': 'standard', 'Second Class': 'standard', 'First Class': 'express' } };
    const lenient = await importLegacyFile(db.pool, options({ rules: { ...options().rules, values, defaults: { status: 'delivered', shipping_method: 'Express' } } }));
    assert.equal(lenient.isCommitted, true);
    const excluded = new Set([...generated.mixedCustomerOrders, ...generated.badLineOrders]);
    const sameDay = generated.lines.filter((line) => line['Ship Mode'] === 'Same Day' && !excluded.has(line['Order ID']));
    const [warning, ...others] = lenient.warnings.filter((candidate) => candidate.column === 'shipping_method');
    assert.deepEqual(others, []);
    // every line that took the default is named, those of orders rejected for other reasons too
    const readable = generated.lines.filter((line) => line['Ship Mode'] === 'Same Day' && line.Sales !== 'n/a');
    assert.deepEqual(warning?.rows, readable.map((line) => Number(line['Row ID']) + 1));
    assert.match(warning?.message ?? '', new RegExp(`^ship mode "Same Day" maps to no shipping method of the shop \\(express, standard\\): ${readable.length} lines \\(rows [\\d, ]+ and \\d+ more\\) took the default "express"`));
    assert.ok(sameDay.length > 0 && readable.length > sameDay.length);
    const { rows } = await db.pool.query<{ shipping_method: string }>(
      'SELECT DISTINCT shipping_method FROM orders WHERE legacy_id = ANY($1)',
      [[...new Set(sameDay.map((line) => line['Order ID']))]],
    );
    assert.deepEqual(rows, [{ shipping_method: 'Express' }]);
  });

  it('refuses a default ship mode the shop does not have, before anything is written', async () => {
    await assert.rejects(
      importLegacyFile(db.pool, options({ rules: { ...options().rules, defaults: { status: 'delivered', shipping_method: 'drone' } } })),
      /defaults\.shipping_method "drone" is not a shipping method of the shop \(express, standard\)/,
    );
  });

  it('splits an order whose lines name different customers when asked, and says so', async () => {
    const split = await importLegacyFile(db.pool, options({ rules: { ...options().rules, splitMixedCustomers: true } }));
    const order = generated.mixedCustomerOrders[0]!;
    assert.ok(split.warnings.some((warning) => warning.message.startsWith(`order ${order} split by customer`)));
    const { rows } = await db.pool.query(
      `SELECT o.legacy_id, o.legacy_split_of, u.legacy_id AS customer FROM orders o JOIN users u ON u.id = o.user_id
        WHERE o.legacy_id = $1 OR o.legacy_split_of = $1 ORDER BY o.legacy_id`,
      [order],
    );
    const lines = generated.lines.filter((line) => line['Order ID'] === order);
    assert.deepEqual(
      rows.map((row) => [row.legacy_id, row.legacy_split_of, row.customer]),
      [
        [order, null, lines[0]!['Customer ID']],
        [`${order}/${lines.at(-1)!['Customer ID']}`, order, lines.at(-1)!['Customer ID']],
      ],
    );
  });
});
