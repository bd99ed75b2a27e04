import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

/** An in-memory DuckDB database with one connection; close it when done. */
export interface DuckSession {
  connection: DuckDBConnection;
  close(): void;
}

export interface DuckSessionOptions {
  threads?: number;
  /** e.g. '2GB'; DuckDB spills to disk above it for large joins. */
  memoryLimit?: string;
  /** Folder for spilled intermediate results (inside the lake's staging area during a run). */
  tempDirectory?: string;
}

/**
 * Opens an in-memory DuckDB. Extension auto-install/auto-load is always off: the lake never needs
 * anything beyond the bundled Parquet, JSON and ICU support, and a query must not fetch code.
 */
export async function openDuckSession(options: DuckSessionOptions = {}): Promise<DuckSession> {
  const settings: Record<string, string> = {
    threads: String(options.threads ?? 2),
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
  };
  if (options.memoryLimit) settings.memory_limit = options.memoryLimit;
  if (options.tempDirectory) settings.temp_directory = options.tempDirectory;
  const instance = await DuckDBInstance.create(':memory:', settings);
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Plain JS values for rows: BIGINT/HUGEINT become numbers when exact, strings otherwise. */
export function toPlainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(toPlainValue);
  if (value instanceof Date) return value;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toPlainValue(inner)]));
  }
  return value;
}

/** Runs a query and returns its rows as plain objects. */
export async function readRows(
  connection: DuckDBConnection,
  sql: string,
  params?: DuckDBValue[],
): Promise<Array<Record<string, unknown>>> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJS().map((row) => {
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) plain[key] = toPlainValue(value);
    return plain;
  });
}

/** A SQL string literal (DuckDB and PostgreSQL quoting are the same: double the single quotes). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** A quoted identifier; only lower-case snake_case names are accepted (rules and datasets use them). */
export function sqlIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a valid column or table name: "${name}"`);
  return `"${name}"`;
}
