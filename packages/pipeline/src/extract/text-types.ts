import type { DuckDBConnection } from '@duckdb/node-api';

import { readRows, sqlIdent } from '@threadline/lake';

import type { EXTRACT_COLUMNS, ExtractTable } from './shop-source.repo.js';

/**
 * The text columns of the extract tables that take few distinct values (a status, a country, a
 * size, a category; product names and SKUs), carried through the build as DuckDB ENUM types made
 * from the run's own values. DuckDB's Parquet writer emits an enum's dictionary as it is, where a
 * VARCHAR column is hashed value by value to build the dictionary: about 0.125 s of CPU per column
 * per three million rows, against 0.012 s for the same column as an enum (DuckDB 1.5.6, one
 * thread). The files do not change for readers: the column is still BYTE_ARRAY / UTF8, read back as
 * VARCHAR with the same values. Joins and sorts also carry 1–4-byte codes instead of strings.
 * Free text (review titles and bodies) and per-customer values (customer keys) stay VARCHAR.
 */
export const TEXT_TYPE_COLUMNS = {
  orders: ['status', 'currency', 'source', 'ship_country', 'ship_region', 'ship_city', 'ship_postal_code', 'sales_territory', 'shipping_method'],
  users: ['age_band', 'gender', 'country', 'region', 'customer_segment'],
  products: ['name', 'status'],
  variants: ['sku', 'size', 'colour'],
  categories: ['slug', 'name'],
} as const satisfies { [T in ExtractTable]?: ReadonlyArray<keyof (typeof EXTRACT_COLUMNS)[T]> };

export type TypedTable = keyof typeof TEXT_TYPE_COLUMNS;
export type TypedColumn<T extends TypedTable> = (typeof TEXT_TYPE_COLUMNS)[T][number];

/**
 * The most distinct values a column may have to become an enum. The Parquet writer puts an enum's
 * whole dictionary (and its minimum and maximum) into every row group it writes, so past some ten
 * thousand values the files grow instead of shrinking: three million rows in 12 month files, zstd,
 * 9,000 values 0.80 MB as an enum against 1.24 MB as VARCHAR, 50,000 values 3.7 MB against 2.1 MB
 * (and no CPU saved). A column with more values this run (a big shop's cities or postal codes)
 * keeps VARCHAR under the same type name.
 */
export const TEXT_TYPE_MAX_VALUES = 10_000;

/** The tables retyped in place once loaded (a few thousand rows each); `x_orders` is cast once per order in `x_order_facts` instead of copied once more. */
const RETYPED_IN_PLACE: ReadonlySet<TypedTable> = new Set(['users', 'products', 'variants', 'categories']);

export function isTypedTable(table: ExtractTable): table is TypedTable {
  return Object.hasOwn(TEXT_TYPE_COLUMNS, table);
}

/** The name of the run's type for `table`.`column` (an ENUM of this run's values, or VARCHAR). */
export function textTypeOf<T extends TypedTable>(table: T, column: TypedColumn<T>): string {
  return typeName(table, column);
}

function typeName(table: TypedTable, column: string): string {
  return sqlIdent(`text_${table}_${column}`);
}

/**
 * Makes the types of `x_<table>`'s text columns from the values loaded this run: an ENUM of the
 * distinct values (sorted, NULL left out) when there are at most `TEXT_TYPE_MAX_VALUES`, else an
 * alias of VARCHAR. The small dimension tables are then rewritten with their columns of those
 * types, so every join and write downstream carries the codes. Runs in the run's own DuckDB
 * database, once the table is loaded and its key checked.
 */
export async function defineTextTypes(connection: DuckDBConnection, table: TypedTable): Promise<void> {
  const columns: readonly string[] = TEXT_TYPE_COLUMNS[table];
  const source = `x_${table}`;
  for (const column of columns) {
    const type = typeName(table, column);
    const values = sqlIdent(`values_${table}_${column}`);
    // one scan of the column; the type is made from the few distinct values it leaves
    await connection.run(`CREATE OR REPLACE TEMP TABLE ${values} AS SELECT DISTINCT ${sqlIdent(column)} AS value FROM ${source} WHERE ${sqlIdent(column)} IS NOT NULL`);
    const [row] = await readRows(connection, `SELECT count(*) AS n FROM ${values}`);
    const distinct = Number(row?.n ?? 0);
    await connection.run(
      distinct <= TEXT_TYPE_MAX_VALUES ? `CREATE OR REPLACE TYPE ${type} AS ENUM (SELECT value FROM ${values} ORDER BY value)` : `CREATE OR REPLACE TYPE ${type} AS VARCHAR`,
    );
    await connection.run(`DROP TABLE ${values}`);
  }
  if (!RETYPED_IN_PLACE.has(table)) return;
  const replaced = columns.map((column) => `CAST(${sqlIdent(column)} AS ${typeName(table, column)}) AS ${sqlIdent(column)}`);
  await connection.run(`CREATE OR REPLACE TABLE ${source} AS SELECT * REPLACE (${replaced.join(', ')}) FROM ${source}`);
}

/** An ENUM type as DESCRIBE spells it: `ENUM('a', 'b''s')` (quotes doubled inside values). */
const ENUM_TYPE = /ENUM\((?:'(?:[^']|'')*'(?:, )?)*\)/g;

/**
 * `type` (as DESCRIBE prints it) with every ENUM in it, also inside a list (`ENUM(…)[]`), made
 * VARCHAR: the type rows read back from published Parquet files are cast to, since a published
 * value need not be one of this run's enum values.
 *
 * @example varcharForEnums("ENUM('a', 'b')[]") // 'VARCHAR[]'
 */
export function varcharForEnums(type: string): string {
  return type.replace(ENUM_TYPE, 'VARCHAR');
}
