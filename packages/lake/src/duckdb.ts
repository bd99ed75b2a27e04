import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

import { LakeError } from './errors.js';

/** A plain JS value read from DuckDB (BIGINT → bigint, TIMESTAMP → Date, LIST → array…). */
export type LakeValue = null | boolean | number | bigint | string | Uint8Array | Date | LakeValue[] | { [key: string]: LakeValue };
/** A row as a plain object keyed by column name. */
export type LakeRow = Record<string, LakeValue>;
/** Parameters bound to `?` / `$1` placeholders (positional) or `$name` (named). */
export type LakeParams = DuckDBValue[] | Record<string, DuckDBValue>;

export interface OpenDuckDbOptions {
  /** Database file; omitted = in-memory (the usual case: the lake is Parquet files). */
  path?: string;
  /** Worker threads (defaults to DuckDB's own choice: all cores). */
  threads?: number;
  /** Memory cap such as `'1GB'`. */
  memoryLimit?: string;
  /** Directory for spilling large sorts/joins. */
  tempDirectory?: string;
}

/** An open DuckDB database with one connection. Close it with `close()` (safe to call twice). */
export interface LakeDb {
  readonly connection: DuckDBConnection;
  /** Runs a statement with bound parameters and returns all rows as plain objects. */
  all<T extends LakeRow = LakeRow>(sql: string, params?: LakeParams): Promise<T[]>;
  /** Runs a statement and ignores its result (DDL, COPY). */
  run(sql: string, params?: LakeParams): Promise<void>;
  close(): void;
}

/**
 * Opens DuckDB through `@duckdb/node-api` and returns one connection with small helpers.
 *
 * @example
 * const db = await openDuckDb();
 * try {
 *   const rows = await db.all('SELECT count(*) AS n FROM read_parquet(?)', [glob]);
 * } finally {
 *   db.close();
 * }
 */
export async function openDuckDb(options: OpenDuckDbOptions = {}): Promise<LakeDb> {
  const config: Record<string, string> = {};
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  if (options.tempDirectory !== undefined) config.temp_directory = options.tempDirectory;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(options.path ?? ':memory:', config);
  } catch (cause) {
    throw new LakeError('QUERY_FAILED', `cannot open DuckDB: ${messageOf(cause)}`, { cause });
  }
  const connection = await instance.connect();
  // Every timestamp in the lake is UTC; zone conversion is always explicit (timezone(zone, ts)).
  await connection.run("SET TimeZone = 'UTC'");
  let isClosed = false;
  return {
    connection,
    async all<T extends LakeRow = LakeRow>(sql: string, params?: LakeParams): Promise<T[]> {
      try {
        const reader = await connection.runAndReadAll(sql, params);
        // getRowObjectsJS returns DuckDB's JS value union, which is exactly LakeValue; T narrows
        // the column names the caller's SQL selects (the caller owns that contract).
        return reader.getRowObjectsJS() as T[];
      } catch (cause) {
        throw new LakeError('QUERY_FAILED', `DuckDB query failed: ${messageOf(cause)}`, { cause });
      }
    },
    async run(sql: string, params?: LakeParams): Promise<void> {
      try {
        await connection.run(sql, params);
      } catch (cause) {
        throw new LakeError('QUERY_FAILED', `DuckDB statement failed: ${messageOf(cause)}`, { cause });
      }
    },
    close(): void {
      if (isClosed) return;
      isClosed = true;
      try {
        connection.closeSync();
      } finally {
        instance.closeSync();
      }
    },
  };
}

/** Runs `fn` with a fresh in-memory DuckDB and always closes it. */
export async function withDuckDb<T>(fn: (db: LakeDb) => Promise<T>, options: OpenDuckDbOptions = {}): Promise<T> {
  const db = await openDuckDb(options);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** Quotes a string as a SQL literal (for the few places DuckDB cannot bind: COPY targets, PRAGMAs). */
export function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
