import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { DuckDBInstance } from '@duckdb/node-api';

import { connectDuckDb, createDuckDbInstance, LakeError, readRows } from '@threadline/lake';

import { ExtractLoader } from './load-extracts.js';
import { pseudonymiseUserId } from './pseudonym.js';
import { copyFormatOf, EXTRACT_COLUMNS, type ExtractTable } from './shop-source.repo.js';
import { StageTimer } from './stage-timer.js';

// rows as PostgreSQL's COPY writes them, in the column order of EXTRACT_COLUMNS: CSV, or the text
// format (tabs, \N for NULL) for the tables of numbers, dates and timestamps only (copyFormatOf)
const CSV: Record<ExtractTable, string> = {
  orders: '1,7,paid,USD,web,2026-11-20 15:00:00+00,US,NY,New York,10001,,Standard,2026-11-20\n2,,paid,USD,web,2026-11-20 16:00:00+00,US,NY,New York,10001,,Standard,2026-11-20\n',
  order_items: '10\t1\t100\t1000\t1\t500\t500\n11\t2\t100\t1000\t2\t500\t1000\n',
  reviews: '20,10,100,8,5,Nice,,2026-11-20 17:00:00+00,2026-11-20\n',
  users: '7,25-34,female,US,north_america,,2025-01-01 00:00:00+00\n8,35-44,male,US,north_america,,2025-01-01 00:00:00+00\n',
  first_orders: '7\t2026-11-20 15:00:00+00\n',
  products: '100,1,Tee,published,2020-01-01 00:00:00+00\n',
  variants: '1000,100,TEE-M,M,black,500,3\n',
  categories: '1,tops,Tops,\n',
};

const TABLES = Object.keys(EXTRACT_COLUMNS) as ExtractTable[]; // the keys of EXTRACT_COLUMNS are exactly ExtractTable

let dir: string;
let instance: DuckDBInstance;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'tl-load-extracts-'));
  instance = await createDuckDbInstance();
});

after(() => {
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

function writeFiles(name: string, overrides: Partial<Record<ExtractTable, string>> = {}): Record<ExtractTable, string> {
  const files = Object.fromEntries(
    TABLES.map((table) => {
      const file = path.join(dir, `${name}-${table}.csv`);
      writeFileSync(file, overrides[table] ?? CSV[table]);
      return [table, file];
    }),
  );
  return files as Record<ExtractTable, string>; // built from TABLES: one file per ExtractTable
}

function newLoader(timer = new StageTimer()): ExtractLoader {
  return new ExtractLoader({ connect: () => connectDuckDb(instance), lakeDir: dir, dates: ['2026-11-20'], timeZone: 'America/New_York', pseudonymKey: 'k', timer });
}

describe('ExtractLoader', () => {
  it('loads each table as its COPY finishes, in any order, and computes customer keys once orders and reviews are in', async () => {
    const files = writeFiles('ok');
    const timer = new StageTimer();
    const loader = newLoader(timer);
    // the dimensions connection usually finishes reviews first, the order lines last
    for (const table of ['reviews', 'users', 'first_orders', 'products', 'variants', 'categories', 'orders', 'order_items'] as const) loader.load(table, files[table]);
    assert.deepEqual(await loader.finish(), { hasClicks: false });
    const connection = await connectDuckDb(instance);
    try {
      const keys = await readRows(connection, 'SELECT user_id, customer_key FROM x_customer_keys ORDER BY user_id');
      // user 7 ordered and user 8 reviewed; the guest order has no key
      assert.deepEqual(keys, [
        { user_id: 7, customer_key: pseudonymiseUserId('k', '7') },
        { user_id: 8, customer_key: pseudonymiseUserId('k', '8') },
      ]);
      const [counts] = await readRows(connection, 'SELECT (SELECT count(*) FROM x_order_items) AS lines, (SELECT count(*) FROM x_orders) AS orders');
      assert.deepEqual(counts, { lines: 2, orders: 2 });
    } finally {
      connection.closeSync();
    }
    const names = timer.stages().map((stage) => stage.name);
    for (const table of TABLES) assert.ok(names.includes(`load ${table}`), `no stage "load ${table}" in ${names.join(', ')}`);
    assert.ok(names.includes('customer keys') && names.includes('clickstream counts'));
  });

  it('reads the text-format tables (numbers, dates, timestamps) with their values and NULLs, the others as CSV', async () => {
    assert.deepEqual(
      TABLES.filter((table) => copyFormatOf(table) === 'text'),
      ['order_items', 'first_orders'],
    );
    // a NULL (\N) and the largest values of their types come through as they are
    const files = writeFiles('text', {
      order_items: '10\t1\t100\t1000\t1\t500\t500\n9223372036854775807\t2\t100\t1000\t2147483647\t500\t\\N\n',
      first_orders: '7\t2026-11-20 15:00:00.123456+00\n',
    });
    const loader = newLoader();
    for (const table of TABLES) loader.load(table, files[table]);
    await loader.finish();
    const connection = await connectDuckDb(instance);
    try {
      const lines = await readRows(connection, 'SELECT id::VARCHAR AS id, order_id, quantity, line_total_cents FROM x_order_items ORDER BY order_id');
      assert.deepEqual(lines, [
        { id: '10', order_id: 1, quantity: 1, line_total_cents: 500 },
        { id: '9223372036854775807', order_id: 2, quantity: 2147483647, line_total_cents: null },
      ]);
      const [first] = await readRows(connection, "SELECT user_id, strftime(first_placed_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS at FROM x_first_orders");
      assert.deepEqual(first, { user_id: 7, at: '2026-11-20 15:00:00.123456' });
    } finally {
      connection.closeSync();
    }
  });

  it('fails the load of a table whose key is not unique, naming the table and the offending key', async () => {
    const files = writeFiles('dup', { users: `${CSV.users}7,25-34,female,US,north_america,,2025-01-01 00:00:00+00\n` });
    const loader = newLoader();
    for (const table of TABLES) loader.load(table, files[table]);
    await assert.rejects(loader.finish(), (error: unknown) => {
      assert.ok(error instanceof LakeError);
      assert.equal(error.code, 'DUPLICATE_KEY');
      assert.match(error.message, /x_users: the key \(id\) is not unique, e\.g\. \(7\) ×2/);
      return true;
    });
    await loader.drain();
  });

  it('loads a table in parts (id batches) as each arrives and checks its key over all the parts', async () => {
    const files = writeFiles('parts');
    const second = path.join(dir, 'parts-order_items-1.csv');
    const third = path.join(dir, 'parts-order_items-2.csv');
    writeFileSync(second, '12\t2\t100\t1000\t3\t500\t1500\n');
    writeFileSync(third, '');
    const loader = newLoader();
    const lines = loader.parts('order_items');
    lines.add(files.order_items);
    for (const table of TABLES.filter((name) => name !== 'order_items')) loader.load(table, files[table]);
    lines.add(second);
    lines.add(third);
    lines.end();
    assert.throws(() => lines.add(second), /order_items: a part was added after the last one/);
    await loader.finish();
    const connection = await connectDuckDb(instance);
    try {
      const rows = await readRows(connection, 'SELECT id, order_id, quantity FROM x_order_items ORDER BY id');
      assert.deepEqual(rows, [
        { id: 10, order_id: 1, quantity: 1 },
        { id: 11, order_id: 2, quantity: 2 },
        { id: 12, order_id: 2, quantity: 3 },
      ]);
    } finally {
      connection.closeSync();
    }
  });

  it('fails a table loaded in parts whose key repeats across two parts', async () => {
    const files = writeFiles('parts-dup');
    const second = path.join(dir, 'parts-dup-order_items-1.csv');
    writeFileSync(second, '11\t2\t100\t1000\t2\t500\t1000\n');
    const loader = newLoader();
    const lines = loader.parts('order_items');
    lines.add(files.order_items);
    lines.add(second);
    lines.end();
    for (const table of TABLES.filter((name) => name !== 'order_items')) loader.load(table, files[table]);
    await assert.rejects(loader.finish(), (error: unknown) => {
      assert.ok(error instanceof LakeError);
      assert.equal(error.code, 'DUPLICATE_KEY');
      assert.match(error.message, /x_order_items: the key \(id\) is not unique, e\.g\. \(11\) ×2/);
      return true;
    });
    await loader.drain();
  });

  it('refuses to finish when a table was never loaded (a COPY that never completed)', async () => {
    const files = writeFiles('missing');
    const loader = newLoader();
    for (const table of TABLES.filter((name) => name !== 'categories')) loader.load(table, files[table]);
    const lines = loader.parts('categories');
    lines.add(files.categories);
    // parts started but never ended: the last batch never arrived
    await assert.rejects(loader.finish(), /not loaded: categories/);
    await loader.drain();
    assert.throws(() => loader.load('orders', files.orders), /orders is loaded twice/);
  });
});
