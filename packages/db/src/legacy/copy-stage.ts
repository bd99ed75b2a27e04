import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { from as copyFrom } from 'pg-copy-streams';

import type { PoolClient } from '../pool.js';

export type StageValue = string | number | boolean | Date | null | undefined;

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/**
 * One value in PostgreSQL's COPY text format: \N for NULL, control characters escaped. `dates`
 * caches the text of each instant (an export repeats its dates on every line of an order).
 */
function copyText(value: StageValue, dates: Map<number, string>): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') {
    return NEEDS_ESCAPE.test(value) ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : value;
  }
  if (value instanceof Date) {
    const time = value.getTime();
    let text = dates.get(time);
    if (text === undefined) {
      text = value.toISOString();
      dates.set(time, text);
    }
    return text;
  }
  return String(value);
}

/** Rows made one at a time as COPY consumes them (no array of every row's values up front). */
export function* mapRows<T>(items: Iterable<T>, row: (item: T) => readonly StageValue[]): Generator<readonly StageValue[]> {
  for (const item of items) yield row(item);
}

/**
 * Streams rows into a staging table with COPY … FROM STDIN (one round trip for the whole file, so
 * imports are bound by set-based SQL, not by per-row statements), then analyses it. `table` and `columns` come from
 * the repositories' own constants, never from input.
 */
export async function copyIntoStage(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly StageValue[]>,
  options: { analysed?: readonly string[] } = {},
): Promise<void> {
  function* chunks(): Generator<string> {
    let buffer = '';
    const dates = new Map<number, string>();
    for (const row of rows) {
      let line = copyText(row[0], dates);
      for (let index = 1; index < row.length; index += 1) line += `\t${copyText(row[index], dates)}`;
      buffer += `${line}\n`;
      if (buffer.length > 262_144) {
        yield buffer;
        buffer = '';
      }
    }
    if (buffer) yield buffer;
  }
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks()), stream);
  // temporary tables are never analysed by autovacuum: without statistics the set-based statements
  // that follow are planned for a near-empty table (nested loops over tens of thousands of rows).
  // `analysed`: only the columns the statements join, group or filter on (statistics of every
  // text column of a wide staging table cost more than the joins they plan)
  await analyseStage(client, table, options.analysed);
}

/**
 * ANALYZE of a staging table, limited to `columns` when given: the row count and the statistics
 * the following joins need. `table` and `columns` are the repositories' constants, never input.
 */
export async function analyseStage(client: PoolClient, table: string, columns?: readonly string[]): Promise<void> {
  await client.query(columns && columns.length > 0 ? `ANALYZE ${table} (${columns.join(', ')})` : `ANALYZE ${table}`);
}
