import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { StatementType } from '@duckdb/node-api';

import type { Pool } from '@threadline/db';

import { listCatalogTables } from '../catalog/catalog.repo.js';
import { curatedDatasetFiles, hiveReadOptions, ZONE_DIRS } from '../layout.js';
import { openDuckDb, readRows, sqlIdent, sqlLiteral, toPlainValue } from '../duckdb.js';
import type { LakeMirror } from '../storage/mirror.js';
import { LakeInputError } from './lake-errors.js';

export interface LakeQueryOptions {
  pool: Pool;
  /** The lake: a local lake directory, or a `LakeMirror` (local or S3; catalogued tables are synced first). */
  lake: string | LakeMirror;
  sql: string;
  /** Most rows returned (default 1,000, at most 100,000); the result says when it was cut. */
  limit?: number;
  /** Wall-clock limit (default 20 s, at most MAX_QUERY_TIMEOUT_MS); the query is interrupted past it. */
  timeoutMs?: number;
}

/**
 * Caps of one admin query: DuckDB would otherwise take 80 % of the machine's memory and every
 * core, and an unbounded answer (300 MB) ended in a RangeError → 500.
 */
export const QUERY_CAPS = {
  memoryLimit: '512MB',
  threads: 2,
  /** Spill space per query, in a private temp folder removed afterwards. */
  maxTempBytes: '1GB',
  /** Largest answer (JSON text of the rows); past it the rows are cut and `isTruncated` is set. */
  maxResultBytes: 8 * 1024 * 1024,
} as const;

/** Longest a query may run: under the web tier's 30 s upstream timeout, so the answer is a 4xx, never a 502. */
export const MAX_QUERY_TIMEOUT_MS = 25_000;

export interface LakeQueryResult {
  columns: Array<{ name: string; type: string }>;
  rows: Array<Record<string, unknown>>;
  rowCount: number;
  isTruncated: boolean;
  elapsedMs: number;
}

export const MAX_QUERY_ROWS = 100_000;

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** A DuckDB error from the caller's SQL: a refused file or setting is 403, anything else a 400. */
function classify(error: unknown): LakeInputError {
  if (error instanceof LakeInputError) return error;
  const message = firstLine(error);
  if (/Permission Error|file system operations are disabled|configuration has been locked/i.test(message)) {
    return new LakeInputError('QUERY_FORBIDDEN', `refused: ${message.replace(/^[A-Za-z ]*Error: /, '')} (only the catalogued lake tables can be read)`, 'sql', { cause: error });
  }
  return new LakeInputError('QUERY_INVALID', message, 'sql', { cause: error });
}

/**
 * Where a catalogued table's files are and which partition keys they have now. The catalog's keys,
 * unless the table's folders are `month=` folders (a dataset converted from `dt=` day folders since
 * the last crawl — the nightly run's catalog step follows its publish — or, on S3, while the day
 * keys are still being deleted): then its months alone, `dt` being a column of their files.
 */
function currentLayout(dir: string, catalogKeys: readonly string[]): { glob: string; partitionKeys: readonly string[] } {
  // one listing of the table's top folder per query; the files at every depth (a table may be
  // partitioned by more than one key, or not at all)
  const { glob, hasMonths } = curatedDatasetFiles(dir, { anyDepth: true });
  return { glob, partitionKeys: hasMonths ? ['month'] : catalogKeys };
}

/**
 * Runs one read-only SELECT over the catalogued lake tables (the Athena part). Each catalogued
 * table is a view over its Parquet files with Hive partition pruning. Then the session is locked
 * down before the caller's SQL is even parsed: file access only inside raw/ and curated/, no
 * configuration changes, no extension installs or loads. Only a single SELECT/WITH statement is
 * run, with a row limit and a timeout.
 *
 * @example
 * const result = await runLakeQuery({ pool, lake: lakeFromConfig(config), sql: 'SELECT dt, sum(line_total_cents) FROM sales GROUP BY dt' });
 */
export async function runLakeQuery(options: LakeQueryOptions): Promise<LakeQueryResult> {
  const sql = options.sql.trim().replace(/;\s*$/, '');
  if (sql === '') throw new LakeInputError('QUERY_EMPTY', 'the query is empty', 'sql');
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 1000)), MAX_QUERY_ROWS);
  const timeoutMs = Math.min(options.timeoutMs ?? 20_000, MAX_QUERY_TIMEOUT_MS);
  const started = performance.now();
  const tables = await listCatalogTables(options.pool);
  const lakeDir = typeof options.lake === 'string' ? options.lake : options.lake.root;
  if (typeof options.lake !== 'string') for (const table of tables) await options.lake.sync(`${table.location}/`);
  const session = await openDuckDb();
  const { connection } = session;
  // DuckDB lets a session read its own temp folder even under allowed_directories: give each
  // query a fresh private one (outside the lake, mode 0700) holding only its own spill files
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-query-'));
  try {
    await connection.run(`SET memory_limit = ${sqlLiteral(QUERY_CAPS.memoryLimit)}`);
    await connection.run(`SET threads = ${QUERY_CAPS.threads}`);
    await connection.run(`SET temp_directory = ${sqlLiteral(tempDir)}`);
    await connection.run(`SET max_temp_directory_size = ${sqlLiteral(QUERY_CAPS.maxTempBytes)}`);
    for (const table of tables) {
      const { glob, partitionKeys } = currentLayout(path.join(lakeDir, table.location), table.partitionKeys);
      await connection.run(
        `CREATE VIEW ${sqlIdent(table.name)} AS SELECT * FROM read_parquet(${sqlLiteral(glob)}, ${hiveReadOptions(partitionKeys)}, union_by_name = true)`,
      );
    }
    const allowed = [ZONE_DIRS.curated, ZONE_DIRS.raw].map((zone) => sqlLiteral(`${path.join(lakeDir, zone)}${path.sep}`));
    await connection.run(`SET allowed_directories = [${allowed.join(', ')}]`);
    await connection.run('SET enable_external_access = false');
    await connection.run('SET lock_configuration = true');

    // parse only (no binding, so no file is touched): DuckDB serialises SELECT statements alone
    const [parsedRow] = await readRows(connection, 'SELECT json_serialize_sql(?::VARCHAR) AS parsed', [sql]);
    const parsed: unknown = JSON.parse(String(parsedRow?.parsed ?? '{}'));
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed && parsed.error === true) {
      const message = 'error_message' in parsed ? String(parsed.error_message) : 'cannot parse the query';
      if (/Only SELECT statements/i.test(message)) {
        throw new LakeInputError('QUERY_NOT_READ_ONLY', 'only read-only SELECT (or WITH … SELECT) queries are allowed over the lake', 'sql');
      }
      throw new LakeInputError('QUERY_INVALID', message, 'sql');
    }
    if (typeof parsed === 'object' && parsed !== null && 'statements' in parsed && Array.isArray(parsed.statements) && parsed.statements.length !== 1) {
      throw new LakeInputError('QUERY_MULTIPLE_STATEMENTS', 'send exactly one SELECT statement', 'sql');
    }
    // second guard, on the bound statement
    let statementType: StatementType;
    try {
      const statements = await connection.extractStatements(sql);
      if (statements.count !== 1) throw new LakeInputError('QUERY_MULTIPLE_STATEMENTS', 'send exactly one SELECT statement', 'sql');
      statementType = (await statements.prepare(0)).statementType;
    } catch (error) {
      throw classify(error);
    }
    if (statementType !== StatementType.SELECT) {
      throw new LakeInputError('QUERY_NOT_READ_ONLY', 'only read-only SELECT (or WITH … SELECT) queries are allowed over the lake', 'sql');
    }

    let isTimedOut = false;
    const timer = setTimeout(() => {
      isTimedOut = true;
      connection.interrupt();
    }, timeoutMs);
    try {
      const reader = await connection.streamAndReadUntil(sql, limit + 1);
      const names = reader.columnNames();
      const types = reader.columnTypes().map((type) => type.toString());
      const jsRows = reader.getRowObjectsJS();
      const jsonRows = reader.getRowObjectsJson();
      const rows: Array<Record<string, unknown>> = [];
      let resultBytes = 0;
      let isCutBySize = false;
      for (const [index, row] of jsRows.slice(0, limit).entries()) {
        const plain: Record<string, unknown> = {};
        for (const name of names) {
          const value = row[name];
          // numbers and booleans as such; dates, decimals, lists as DuckDB's JSON text form
          plain[name] = typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? toPlainValue(value) : (jsonRows[index]?.[name] ?? null);
        }
        resultBytes += JSON.stringify(plain, (_key, item: unknown) => (typeof item === 'bigint' ? String(item) : item)).length;
        if (resultBytes > QUERY_CAPS.maxResultBytes) {
          isCutBySize = true;
          break;
        }
        rows.push(plain);
      }
      return {
        columns: names.map((name, index) => ({ name, type: types[index] ?? 'UNKNOWN' })),
        rows,
        rowCount: rows.length,
        isTruncated: isCutBySize || jsRows.length > limit,
        elapsedMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (isTimedOut) throw new LakeInputError('QUERY_TIMEOUT', `the query ran longer than ${timeoutMs} ms and was stopped`, 'sql', { cause: error });
      throw classify(error);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    session.close();
    rmSync(tempDir, { recursive: true, force: true });
  }
}
