import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import ExcelJS from 'exceljs';

import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

import { importLegacyFile, type ImportOptions } from './import-legacy.js';
import type { Entity } from './entities.js';
import { loadMapping } from './mapping.js';
import { SourceFileError } from './read-table.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

function options(entity: Entity, overrides: Partial<ImportOptions> = {}): ImportOptions {
  const mapFile = path.join(FIXTURES, `legacy-${entity}.map.json`);
  const mapping = entity === 'reviews' ? { columns: { legacy_id: 'review_id' } } : loadMapping(mapFile);
  return {
    entity,
    file: path.join(FIXTURES, `legacy-${entity}.csv`),
    mapping,
    rules: {
      dateFormat: mapping.dateFormat,
      timeZone: mapping.timeZone ?? 'America/New_York',
      currency: 'USD',
      values: mapping.values ?? {},
    },
    isDryRun: false,
    skipBadRows: true,
    ...overrides,
  };
}

describe('legacy import', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.close());

  it('rejects a whole file with a bad row unless told to skip it, naming the row and column', async () => {
    const report = await importLegacyFile(db.pool, options('products', { skipBadRows: false }));
    assert.equal(report.isCommitted, false);
    assert.deepEqual(report.rejected.map((row) => [row.row, row.column]), [[7, 'price']]);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM products');
    assert.equal(rows[0].n, 0);
  });

  it('dry-run reports without writing', async () => {
    const report = await importLegacyFile(db.pool, options('products', { isDryRun: true }));
    assert.equal(report.isDryRun, true);
    assert.equal(report.isCommitted, false);
    assert.equal(report.created, 3);
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM products');
    assert.equal(rows[0].n, 0);
  });

  it('imports products with variants, categories and prices in cents', async () => {
    const report = await importLegacyFile(db.pool, options('products'));
    assert.equal(report.isCommitted, true);
    assert.deepEqual([report.created, report.updated, report.rejected.length], [3, 0, 1]);
    const { rows } = await db.pool.query(
      `SELECT p.legacy_id, c.slug, v.sku, v.price_cents, v.stock, p.description
         FROM products p JOIN categories c ON c.id = p.category_id JOIN product_variants v ON v.product_id = p.id
        ORDER BY v.sku`,
    );
    assert.deepEqual(
      rows.map((row) => [row.legacy_id, row.slug, row.sku, row.price_cents, row.stock]),
      [
        ['P-100', 'shirts', 'HOS-L-BLU', 4950, 7],
        ['P-100', 'shirts', 'HOS-M-BLU', 4950, 12],
        ['P-200', 'jackets', 'SDJ-M-BLK', 124900, 3],
        ['P-300', 'activewear', 'TRT-M-RED', 2500, 35],
        ['P-300', 'activewear', 'TRT-S-RED', 2500, 40],
      ],
    );
    assert.equal(rows.find((row) => row.sku === 'TRT-S-RED')?.description, 'Quick-dry <b>mesh</b> & "vented" back');
  });

  it('imports customers without a usable password, deriving age band and region', async () => {
    const report = await importLegacyFile(db.pool, options('customers'));
    assert.deepEqual(report.rejected.map((row) => [row.row, row.column]), [[5, 'email']]);
    const { rows } = await db.pool.query(
      `SELECT legacy_id, age_band, gender, country, region, state_province, marketing_consent, password_hash,
              to_char(created_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD') AS joined
         FROM users WHERE legacy_id IS NOT NULL AND role = 'customer' ORDER BY legacy_id`,
    );
    assert.deepEqual(
      rows.map((row) => [row.legacy_id, row.age_band, row.gender, row.region, row.marketing_consent, row.password_hash, row.joined]),
      [
        ['C-1', '25-34', 'female', 'south_america', true, null, '2019-02-03'],
        ['C-2', '35-44', 'male', 'north_america', false, null, '2020-07-15'],
        ['C-3', '18-24', 'female', 'europe', true, null, '2021-12-01'],
        ['C-5', '65+', 'male', 'north_america', false, null, '2022-01-31'],
      ],
    );
  });

  it('imports orders with historical dates and totals, without touching stock', async () => {
    const report = await importLegacyFile(db.pool, options('orders'));
    assert.deepEqual(report.rejected.map((row) => [row.row, row.column]), [
      [10, 'customer_legacy_id'],
      [11, 'sku'],
    ]);
    assert.equal(report.created, 6);
    // hand-computed: revenue counts paid/shipped/delivered orders in the shop's time zone
    const { rows: months } = await db.pool.query(
      `SELECT to_char(placed_at AT TIME ZONE 'America/New_York', 'YYYY-MM') AS month,
              count(*)::int AS orders,
              sum(total_cents) FILTER (WHERE status IN ('paid', 'shipped', 'delivered'))::int AS revenue
         FROM orders WHERE source = 'legacy' GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(
      months.map((row) => [row.month, row.orders, row.revenue]),
      [
        ['2023-01', 2, 137300],
        ['2023-02', 3, 17000],
        ['2023-03', 1, null],
      ],
    );
    const { rows: stock } = await db.pool.query(`SELECT sum(stock)::int AS total FROM product_variants`);
    assert.equal(stock[0].total, 12 + 7 + 3 + 40 + 35);
    const { rows: top } = await db.pool.query(
      `SELECT u.region, p.legacy_id, sum(i.quantity)::int AS units
         FROM orders o JOIN users u ON u.id = o.user_id JOIN order_items i ON i.order_id = o.id JOIN products p ON p.id = i.product_id
        WHERE o.status IN ('paid', 'shipped', 'delivered')
        GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2`,
    );
    assert.deepEqual(
      top.map((row) => [row.region, row.legacy_id, row.units]),
      [
        ['europe', 'P-300', 3],
        ['north_america', 'P-300', 2],
        ['north_america', 'P-100', 1],
        ['north_america', 'P-200', 1],
        ['south_america', 'P-100', 2],
        ['south_america', 'P-300', 1],
      ],
    );
  });

  it('dates products from their first sale, and from the mapped column on a re-import, keeping renames as history', async () => {
    const { rows: dated } = await db.pool.query(
      `SELECT p.legacy_id, p.created_at = (SELECT min(o.placed_at) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.product_id = p.id) AS is_first_sale
         FROM products p WHERE p.legacy_id IS NOT NULL ORDER BY 1`,
    );
    assert.deepEqual(dated.map((row) => [row.legacy_id, row.is_first_sale]), [['P-100', true], ['P-200', true], ['P-300', true]]);
    const dir = mkdtempSync(path.join(tmpdir(), 'legacy-created-'));
    const file = path.join(dir, 'products.csv');
    writeFileSync(file, 'ProductNo,Title,Dept,ItemCode,Price,Created\nP-200,Storm Denim Jacket (2022),Jackets,SDJ-M-BLK,1249.00,2021-06-01\n');
    const report = await importLegacyFile(db.pool, options('products', {
      file,
      mapping: { columns: { legacy_id: 'ProductNo', name: 'Title', category: 'Dept', sku: 'ItemCode', price: 'Price', created_at: 'Created' } },
      rules: { dateFormat: 'iso', timeZone: 'America/New_York', currency: 'USD', values: {} },
    }));
    assert.deepEqual([report.created, report.updated, report.rejected.length], [0, 1, 0]);
    const { rows } = await db.pool.query(
      `SELECT p.name, to_char(p.created_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD') AS created,
              (SELECT array_agg(h.name ORDER BY h.name) FROM product_name_history h WHERE h.product_id = p.id) AS history
         FROM products p WHERE p.legacy_id = 'P-200'`,
    );
    assert.deepEqual(rows[0], { name: 'Storm Denim Jacket (2022)', created: '2021-06-01', history: ['Summit Down Jacket'] });
  });

  it('imports reviews only for bought lines and keeps product counters consistent', async () => {
    const report = await importLegacyFile(db.pool, options('reviews'));
    assert.deepEqual(report.rejected.map((row) => [row.row, row.column]), [[5, 'order_legacy_id']]);
    const { rows } = await db.pool.query(
      `SELECT legacy_id, units_sold, rating_count, rating_sum FROM products ORDER BY legacy_id`,
    );
    assert.deepEqual(
      rows.map((row) => [row.legacy_id, row.units_sold, row.rating_count, row.rating_sum]),
      [
        ['P-100', 3, 1, 5],
        ['P-200', 1, 1, 2],
        ['P-300', 6, 1, 4],
      ],
    );
  });

  it('is idempotent by legacy id: a second run updates and never duplicates', async () => {
    const counts = async (): Promise<number[]> => {
      const { rows } = await db.pool.query(
        `SELECT (SELECT count(*) FROM products)::int, (SELECT count(*) FROM product_variants)::int, (SELECT count(*) FROM users)::int,
                (SELECT count(*) FROM orders)::int, (SELECT count(*) FROM order_items)::int, (SELECT count(*) FROM reviews)::int`,
      );
      return Object.values(rows[0]).map(Number);
    };
    const before = await counts();
    const reviewVersions = `SELECT string_agg(concat_ws(' ', legacy_id, xmin, created_at), ',' ORDER BY legacy_id) AS reviews FROM reviews`;
    const { rows: [reviewsBefore] } = await db.pool.query(reviewVersions);
    for (const entity of ['products', 'customers', 'orders', 'reviews'] as const) {
      const report = await importLegacyFile(db.pool, options(entity));
      assert.equal(report.created, 0, `${entity} created nothing new`);
      assert.ok(report.updated > 0, `${entity} updated its rows`);
    }
    assert.deepEqual(await counts(), before);
    // the same reviews again: none rewritten, and one without a date in the export keeps its date
    const { rows: [reviewsAfter] } = await db.pool.query(reviewVersions);
    assert.deepEqual(reviewsAfter, reviewsBefore);
  });

  it('links a shop account with the same e-mail, refuses e-mails of other legacy customers, keeps customers without e-mail', async () => {
    await db.pool.query(`INSERT INTO users (email, name, role) VALUES ('shopper@example.com', 'Shop Account', 'customer')`);
    const dir = mkdtempSync(path.join(tmpdir(), 'legacy-link-'));
    const file = path.join(dir, 'customers.csv');
    writeFileSync(
      file,
      [
        'legacy_id,email,name,customer_segment',
        'L-1,Shopper@Example.com,Old Name,Corporate',
        'L-2,,No Mail Customer,Consumer',
        'L-3,dup@example.com,First Dup,Consumer',
        'L-4,DUP@example.com,Second Dup,Consumer',
        `L-5,${(await db.pool.query(`SELECT email FROM users WHERE legacy_id = 'C-1'`)).rows[0].email},Taken,Consumer`,
      ].join('\n'),
    );
    const report = await importLegacyFile(db.pool, options('customers', { file, mapping: { columns: {} } }));
    assert.deepEqual(report.rejected.map((row) => [row.row, row.column, row.reason]), [
      [5, 'email', 'email already belongs to legacy customer L-3'],
      [6, 'email', 'email already belongs to legacy customer C-1'],
    ]);
    assert.deepEqual([report.created, report.updated], [2, 1]);
    const { rows } = await db.pool.query(`SELECT legacy_id, email, name, customer_segment, password_hash FROM users WHERE legacy_id LIKE 'L-%' ORDER BY legacy_id`);
    assert.deepEqual(rows.map((row) => [row.legacy_id, row.email, row.name, row.customer_segment]), [
      ['L-1', 'shopper@example.com', 'Shop Account', 'Corporate'],
      ['L-2', null, 'No Mail Customer', 'Consumer'],
      ['L-3', 'dup@example.com', 'First Dup', 'Consumer'],
    ]);
  });

  it('never guesses an ambiguous date format', async () => {
    const report = await importLegacyFile(db.pool, options('orders', { rules: { dateFormat: undefined, timeZone: 'UTC', currency: 'USD', values: {} } }));
    assert.equal(report.isCommitted, true);
    assert.ok(report.rejected.length >= 10);
    assert.match(report.rejected[0]?.reason ?? '', /ISO 8601.*--date-format/);
  });

  it('names the missing columns of an export', async () => {
    await assert.rejects(
      importLegacyFile(db.pool, options('orders', { mapping: { columns: {} } })),
      (error: unknown) => error instanceof SourceFileError && /legacy_id/.test(error.message) && /--map/.test(error.message),
    );
  });

  it('reads .xlsx exports the same way', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'legacy-xlsx-'));
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Customers');
    sheet.addRow(['legacy_id', 'email', 'name', 'country']);
    sheet.addRow(['X-1', 'xena@example.com', 'Xena Park', 'KR']);
    const file = path.join(dir, 'customers.xlsx');
    await workbook.xlsx.writeFile(file);
    const report = await importLegacyFile(db.pool, options('customers', { file, mapping: { columns: {} } }));
    assert.deepEqual([report.created, report.rejected.length], [1, 0]);
    const { rows } = await db.pool.query(`SELECT region FROM users WHERE legacy_id = 'X-1'`);
    assert.equal(rows[0].region, 'asia_pacific');
  });

  it('names the line of a malformed quote in a CSV export', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'legacy-quotes-'));
    const file = path.join(dir, 'products.csv');
    writeFileSync(file, 'legacy_id,name,category,price\nQ-1,"Shirt, ""long""",Shirts,10.00\nQ-2,"Shirt"s,Shirts,12.00\n');
    await assert.rejects(
      importLegacyFile(db.pool, options('products', { file, mapping: { columns: {} } })),
      (error: unknown) => error instanceof SourceFileError && /^products\.csv: line 3: .*quote/.test(error.message),
    );
  });

  it('refuses a spreadsheet with formulas', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'legacy-xlsx-'));
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Customers');
    sheet.addRow(['legacy_id', 'email', 'name']);
    sheet.addRow(['F-1', { formula: 'CONCAT("a","@b.co")' }, 'Formula Person']);
    const file = path.join(dir, 'formula.xlsx');
    await workbook.xlsx.writeFile(file);
    writeFileSync(path.join(dir, 'marker'), '');
    await assert.rejects(importLegacyFile(db.pool, options('customers', { file, mapping: { columns: {} } })), /formulas/);
  });

  it('never merges product rows silently: disagreeing rows, a SKU twice, a SKU of another product, an unknown seller', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'legacy-products-'));
    const file = path.join(dir, 'products.csv');
    writeFileSync(file, [
      'legacy_id,name,category,price,sku,size,colour,seller_email',
      'B-1,Bulk Tee,Shirts,20.00,B1-S,S,Red,', // row 2: ok
      'B-1,Bulk Tee,Shirts,20.00,B1-M,M,Red,', // row 3: ok
      'B-2,Bulk Cap,Hats,10.00,B2-OS,One size,Blue,', // row 4
      'B-2,Bulk Cap v2,Hats,10.00,B2-XL,XL,Blue,', // row 5: disagrees on the name
      'B-3,Bulk Sock,Socks,5.00,DUP-1,S,Black,', // row 6: same SKU as row 7
      'B-4,Bulk Sock 2,Socks,5.00,DUP-1,M,Black,', // row 7
      'B-5,Stolen Variant,Shirts,9.00,HOS-M-BLU,M,Blue,', // row 8: P-100's SKU
      'B-6,Seller Scarf,Accessories,15.00,B6-OS,One size,Grey,nobody@example.com', // row 9: no such seller
      '',
    ].join('\n'));
    const report = await importLegacyFile(db.pool, options('products', { file, mapping: { columns: {} } }));
    assert.equal(report.isCommitted, true);
    assert.deepEqual([report.created, report.updated], [1, 0]);
    assert.deepEqual(report.rejected.map((row) => [row.row, row.column ?? null, row.reason]), [
      [4, null, 'product B-2 not imported: row 5 rejected'],
      [5, 'name', 'rows of product B-2 disagree on name (row 4 differs)'],
      [6, 'sku', 'sku DUP-1 appears on rows 6, 7'],
      [7, 'sku', 'sku DUP-1 appears on rows 6, 7'],
      [8, 'sku', 'sku HOS-M-BLU belongs to product P-100'],
      [9, 'seller_email', 'no seller account nobody@example.com'],
    ]);
    const { rows } = await db.pool.query(
      `SELECT p.legacy_id, v.sku FROM product_variants v JOIN products p ON p.id = v.product_id
        WHERE p.legacy_id LIKE 'B-%' OR v.sku IN ('HOS-M-BLU', 'DUP-1') ORDER BY v.sku`,
    );
    assert.deepEqual(rows.map((row) => [row.legacy_id, row.sku]), [['B-1', 'B1-M'], ['B-1', 'B1-S'], ['P-100', 'HOS-M-BLU']]);
  });

  it('never merges reviews silently: a review id twice, two reviews of one line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'legacy-reviews-'));
    const file = path.join(dir, 'reviews.csv');
    writeFileSync(file, [
      'review_id,order_legacy_id,sku,rating,title',
      'R-1,O-1,HOS-M-BLU,4,Still great', // row 2: updates R-1
      'R-1,O-2,SDJ-M-BLK,1,Same id again', // row 3: R-1 twice
      'R-9,O-1,HOS-M-BLU,3,Another on the line', // row 4: the line has R-1
      'R-10,O-404,HOS-M-BLU,3,No such order', // row 5
      'R-11,O-1,NOPE-1,3,No such sku', // row 6
      '',
    ].join('\n'));
    const report = await importLegacyFile(db.pool, options('reviews', { file }));
    assert.deepEqual(report.rejected.map((row) => [row.row, row.column, row.reason]), [
      [3, 'legacy_id', 'review R-1 is already on row 2'],
      [4, 'order_legacy_id', 'this order line already has a review'],
      [5, 'order_legacy_id', 'order O-404 has no such line; only buyers review'],
      [6, 'sku', 'unknown sku NOPE-1'],
    ]);
    assert.deepEqual([report.created, report.updated], [0, 1]);
    const { rows } = await db.pool.query(`SELECT legacy_id, rating, title FROM reviews ORDER BY legacy_id`);
    assert.deepEqual(rows.map((row) => [row.legacy_id, row.rating, row.title]), [['R-1', 4, 'Still great'], ['R-2', 2, 'Too warm?'], ['R-3', 4, null]]);
    // R-1 came again without a date: it keeps the one the first import gave it
    const { rows: dated } = await db.pool.query(`SELECT to_char(created_at AT TIME ZONE 'America/New_York', 'YYYY-MM-DD') AS day FROM reviews WHERE legacy_id = 'R-1'`);
    assert.equal(dated[0].day, '2023-01-20');
  });
});

describe('legacy products import, set-based writes', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.close());

  const rules = { dateFormat: 'iso', timeZone: 'America/New_York', currency: 'USD', values: {} };
  function productsFile(lines: string[]): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'legacy-bulk-')), 'products.csv');
    writeFileSync(file, `${['legacy_id,name,category,description,price,sku,size,colour,stock', ...lines].join('\n')}\n`);
    return file;
  }
  const state = `
    SELECT p.legacy_id, p.min_price_cents, p.xmin::text AS product_version,
           (SELECT array_agg(concat_ws(' ', v.sku, v.price_cents, v.colour, coalesce(v.colour_family, '-'),
                                       v.colour_family IS NOT DISTINCT FROM colour_family_of(v.colour), v.xmin) ORDER BY v.sku)
              FROM product_variants v WHERE v.product_id = p.id) AS variants
      FROM products p WHERE p.legacy_id IS NOT NULL ORDER BY p.legacy_id`;

  it('keeps the cheapest price, colour families and search words right, and rewrites only what changed', async () => {
    const first = productsFile([
      'K-1,Quilted gilet,Outerwear,Warm and light,30.00,K1-M,M,Navy,4',
      'K-1,Quilted gilet,Outerwear,Warm and light,20.00,K1-L,L,Mauvewood,2',
      'K-2,Linen trousers,Trousers,Breezy,45.00,K2-M,M,Black,9',
    ]);
    const report = await importLegacyFile(db.pool, { entity: 'products', file: first, mapping: { columns: {} }, rules, isDryRun: false, skipBadRows: false });
    assert.deepEqual([report.created, report.updated, report.rejected.length], [2, 0, 0]);
    const { rows: imported } = await db.pool.query(state);
    assert.deepEqual(imported.map((row) => [row.legacy_id, row.min_price_cents]), [['K-1', 2000], ['K-2', 4500]]);
    // every family is the one colour_family_of gives (a name it does not know has none)
    for (const row of imported) for (const variant of row.variants as string[]) assert.match(variant, / t \d+$/);
    const { rows: families } = await db.pool.query(`SELECT sku, colour_family FROM product_variants WHERE sku IN ('K1-M', 'K1-L') ORDER BY sku`);
    assert.deepEqual(families.map((row) => [row.sku, row.colour_family]), [['K1-L', null], ['K1-M', 'blue']]);
    const { rows: words } = await db.pool.query(
      `SELECT array_agg(word ORDER BY word) AS words FROM search_words WHERE word IN ('quilted', 'gilet', 'linen', 'trousers', 'breezy', 'outerwear', 'corduroy')`,
    );
    assert.deepEqual(words[0].words, ['breezy', 'gilet', 'linen', 'outerwear', 'quilted', 'trousers']);

    // the same export again: matched, nothing rewritten
    const again = await importLegacyFile(db.pool, { entity: 'products', file: first, mapping: { columns: {} }, rules, isDryRun: false, skipBadRows: false });
    assert.deepEqual([again.created, again.updated], [0, 2]);
    assert.deepEqual((await db.pool.query(state)).rows, imported);

    // a cheaper variant gone dearer, a colour and a name changed: only those rows are rewritten
    const changed = productsFile([
      'K-1,Quilted gilet,Outerwear,Warm and light,30.00,K1-M,M,Olive,4',
      'K-1,Quilted gilet,Outerwear,Warm and light,35.00,K1-L,L,Mauvewood,2',
      'K-2,Corduroy trousers,Trousers,Breezy,45.00,K2-M,M,Black,9',
    ]);
    const third = await importLegacyFile(db.pool, { entity: 'products', file: changed, mapping: { columns: {} }, rules, isDryRun: false, skipBadRows: false });
    assert.deepEqual([third.created, third.updated], [0, 2]);
    const { rows: after } = await db.pool.query(state);
    assert.deepEqual(after.map((row) => [row.legacy_id, row.min_price_cents]), [['K-1', 3000], ['K-2', 4500]]);
    for (const row of after) for (const variant of row.variants as string[]) assert.match(variant, / t \d+$/);
    const { rows: refiled } = await db.pool.query(`SELECT colour_family FROM product_variants WHERE sku = 'K1-M'`);
    assert.equal(refiled[0].colour_family, 'green');
    const versionOf = (rows: typeof after, legacyId: string, sku: string): string | undefined =>
      (rows.find((row) => row.legacy_id === legacyId)?.variants as string[]).find((variant) => variant.startsWith(`${sku} `))?.split(' ').at(-1);
    assert.notEqual(versionOf(after, 'K-1', 'K1-M'), versionOf(imported, 'K-1', 'K1-M'));
    assert.equal(versionOf(after, 'K-2', 'K2-M'), versionOf(imported, 'K-2', 'K2-M'));
    assert.notEqual(after[1].product_version, imported[1].product_version);
    const { rows: renamed } = await db.pool.query(`SELECT count(*)::int AS n FROM search_words WHERE word = 'corduroy'`);
    assert.equal(renamed[0].n, 1);
  });

  it('places order lines on variants by SKU, or by product id with size and colour, and names lines it cannot place', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'legacy-bulk-')), 'orders.csv');
    writeFileSync(file, `${[
      'legacy_id,placed_at,status,quantity,unit_price,product_legacy_id,sku,size,colour',
      'LO-1,2024-03-01,delivered,1,35.00,K-1,,L,Mauvewood',
      'LO-1,2024-03-01,delivered,2,45.00,K-2,,,',
      'LO-1,2024-03-01,delivered,1,30.00,,K1-M,,',
      'LO-2,2024-03-02,delivered,1,30.00,K-1,,XL,Olive',
      'LO-2,2024-03-02,delivered,1,30.00,,K2-M,,',
    ].join('\n')}\n`);
    const report = await importLegacyFile(db.pool, { entity: 'orders', file, mapping: { columns: {} }, rules, isDryRun: false, skipBadRows: true });
    assert.equal(report.created, 1);
    assert.deepEqual(report.rejected.map((row) => [row.row, row.column ?? null]), [[5, 'product_legacy_id'], [6, null]]);
    assert.match(report.rejected[0]!.reason, /unknown product K-1/);
    const { rows } = await db.pool.query(
      `SELECT v.sku, i.quantity, i.size, i.colour, i.product_name FROM order_items i JOIN orders o ON o.id = i.order_id
         JOIN product_variants v ON v.id = i.variant_id AND v.product_id = i.product_id WHERE o.legacy_id = 'LO-1' ORDER BY i.id`,
    );
    assert.deepEqual(rows.map((row) => [row.sku, row.quantity, row.size, row.colour, row.product_name]), [
      ['K1-L', 1, 'L', 'Mauvewood', 'Quilted gilet'],
      ['K2-M', 2, 'M', 'Black', 'Corduroy trousers'],
      ['K1-M', 1, 'M', 'Olive', 'Quilted gilet'],
    ]);
  });
});
