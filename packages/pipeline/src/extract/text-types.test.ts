import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

import { readRows } from '@threadline/lake';

import { defineTextTypes, TEXT_TYPE_MAX_VALUES, textTypeOf, varcharForEnums } from './text-types.js';

async function withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe('defineTextTypes', () => {
  it('makes an enum of the run\'s distinct values and retypes a dimension table in place, values and NULLs kept', async () => {
    await withConnection(async (connection) => {
      await connection.run(`CREATE TABLE x_categories AS SELECT * FROM (VALUES (1, 'tops', 'Women''s tops', NULL), (2, 'shoes', 'Shoes', 1), (3, NULL, 'Shoes', 1)) t(id, slug, name, parent_id)`);
      await defineTextTypes(connection, 'categories');
      const columns = await readRows(connection, `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'x_categories' ORDER BY column_index`);
      assert.deepEqual(
        columns.map((row) => [row.column_name, String(row.data_type).startsWith('ENUM(') ? 'ENUM' : row.data_type]),
        [['id', 'INTEGER'], ['slug', 'ENUM'], ['name', 'ENUM'], ['parent_id', 'INTEGER']],
      );
      const [values] = await readRows(connection, `SELECT enum_range(NULL::${textTypeOf('categories', 'name')})::VARCHAR[] AS name, enum_range(NULL::${textTypeOf('categories', 'slug')})::VARCHAR[] AS slug`);
      assert.deepEqual(values, { name: ['Shoes', "Women's tops"], slug: ['shoes', 'tops'] });
      const rows = await readRows(connection, 'SELECT id, slug::VARCHAR AS slug, name::VARCHAR AS name FROM x_categories ORDER BY id');
      assert.deepEqual(rows, [
        { id: 1, slug: 'tops', name: "Women's tops" },
        { id: 2, slug: 'shoes', name: 'Shoes' },
        { id: 3, slug: null, name: 'Shoes' },
      ]);
    });
  });

  it('keeps a column with more than the limit of distinct values VARCHAR, and leaves the orders table as loaded', async () => {
    await withConnection(async (connection) => {
      await connection.run(
        `CREATE TABLE x_orders AS SELECT i AS id, 'paid' AS status, NULL::VARCHAR AS currency, 'web' AS source, NULL::VARCHAR AS ship_country, NULL::VARCHAR AS ship_region,
                'city ' || i AS ship_city, NULL::VARCHAR AS ship_postal_code, NULL::VARCHAR AS sales_territory, NULL::VARCHAR AS shipping_method
           FROM range(${TEXT_TYPE_MAX_VALUES + 1}) t(i)`,
      );
      await defineTextTypes(connection, 'orders');
      const [types] = await readRows(
        connection,
        `SELECT typeof(NULL::${textTypeOf('orders', 'ship_city')}) AS city, typeof(NULL::${textTypeOf('orders', 'status')}) AS status, typeof(NULL::${textTypeOf('orders', 'currency')}) AS currency`,
      );
      // a column without a value this run gets an empty enum: casting its NULLs still works
      assert.deepEqual(types, { city: 'VARCHAR', status: "ENUM('paid')", currency: 'ENUM()' });
      const [loaded] = await readRows(connection, `SELECT data_type FROM duckdb_columns() WHERE table_name = 'x_orders' AND column_name = 'status'`);
      assert.equal(loaded?.data_type, 'VARCHAR', 'the orders are cast once per order in the build, not copied here');
      const [cast] = await readRows(connection, `SELECT count(*) FILTER (WHERE CAST(currency AS ${textTypeOf('orders', 'currency')}) IS NULL) AS nulls FROM x_orders`);
      assert.equal(Number(cast?.nulls), TEXT_TYPE_MAX_VALUES + 1);
    });
  });
});

describe('varcharForEnums', () => {
  it('turns every enum DESCRIBE prints into VARCHAR, also in a list and with quotes and parentheses in the values', () => {
    assert.equal(varcharForEnums("ENUM('cancelled', 'paid')"), 'VARCHAR');
    assert.equal(varcharForEnums("ENUM('Women''s tops', 'a, b', 'x)')[]"), 'VARCHAR[]');
    assert.equal(varcharForEnums('ENUM()'), 'VARCHAR');
    assert.equal(varcharForEnums('BIGINT'), 'BIGINT');
    assert.equal(varcharForEnums('VARCHAR[]'), 'VARCHAR[]');
  });

  it('gives back what DuckDB describes for the enum in SQL, so the cast it builds parses', async () => {
    await withConnection(async (connection) => {
      await connection.run(`CREATE TYPE odd AS ENUM ('Women''s tops', 'a, b', 'x)')`);
      const described = await readRows(connection, `DESCRIBE SELECT 'x)'::odd AS one, ['a, b'::odd] AS many`);
      const types = described.map((row) => varcharForEnums(String(row.column_type)));
      assert.deepEqual(types, ['VARCHAR', 'VARCHAR[]']);
      const [row] = await readRows(connection, `SELECT CAST('x)'::odd AS ${types[0] ?? ''}) AS one, CAST(['a, b'::odd] AS ${types[1] ?? ''}) AS many`);
      assert.deepEqual(row, { one: 'x)', many: ['a, b'] });
    });
  });
});
