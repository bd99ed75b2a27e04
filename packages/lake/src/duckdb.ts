import { DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

import { LakeError } from './errors.js';

/**
 * The one DuckDB resource of the lake, with one policy for every user (clickstream delivery,
 * pipeline extract and quality gate, catalog scan, survey import, ad-hoc SQL, dashboards):
 * - every session runs with `TimeZone = 'UTC'`: all lake timestamps are UTC and zone conversion is
 *   always explicit (`timezone(zone, ts)`), so results never depend on the host's zone;
 * - extension auto-install/auto-load is off: the bundled Parquet, JSON and ICU support is all the
 *   lake needs, and a query must never fetch code;
 * - threads and memory are capped (`DuckDbLimits`, from the configuration), so a dashboard or the
 *   nightly extract cannot take the whole machine from the API beside it.
 */

/** A plain JS value read from DuckDB (BIGINT → bigint, TIMESTAMP → Date, LIST → array…). */
export type LakeValue = null | boolean | number | bigint | string | Uint8Array | Date | LakeValue[] | { [key: string]: LakeValue };
/** A row as a plain object keyed by column name. */
export type LakeRow = Record<string, LakeValue>;
/** Parameters bound to `?` / `$1` placeholders (positional) or `$name` (named). */
export type LakeParams = DuckDBValue[] | Record<string, DuckDBValue>;

/** The caps of one DuckDB database; from the configuration (`duckdb.threads`, `duckdb.memoryLimit`). */
export interface DuckDbLimits {
  /** Worker threads (default 2). */
  threads?: number;
  /** Memory cap such as `'2GB'` (default 2GB); DuckDB spills to `tempDirectory` above it. */
  memoryLimit?: string;
}

export interface OpenDuckDbOptions extends DuckDbLimits {
  /** Database file; omitted = in-memory (the usual case: the lake is Parquet files). */
  path?: string;
  /** Directory for spilling large sorts/joins. */
  tempDirectory?: string;
  /**
   * Keep blocks of the files read in DuckDB's buffer pool for the next read (DuckDB's external
   * file cache; default true). A long-lived database that reads each file once — the worker's
   * flush and compaction — turns it off: the cache only grows there, by every file read, until the
   * memory limit forces it out.
   */
  cacheFiles?: boolean;
  /**
   * A name to report this database's memory under (`readDuckDbMemory`, the worker's
   * `threadline_duckdb_memory_bytes` gauge) while it is open; unnamed databases are not reported.
   */
  label?: string;
}

export const DEFAULT_DUCKDB_LIMITS = { threads: 2, memoryLimit: '2GB' } as const satisfies Required<DuckDbLimits>;

/** The settings every DuckDB database of the lake is created with. */
export function duckDbSettings(options: OpenDuckDbOptions = {}): Record<string, string> {
  const settings: Record<string, string> = {
    threads: String(options.threads ?? DEFAULT_DUCKDB_LIMITS.threads),
    memory_limit: options.memoryLimit ?? DEFAULT_DUCKDB_LIMITS.memoryLimit,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
    // DuckDB allocates through its bundled jemalloc, which returns freed pages to the system only
    // as it ages them during later allocations: memory a job freed stayed resident until the next
    // job (a 3M-row aggregate here: 591 MB, still 275 MB 5 s after the table was dropped). The
    // allocator's background thread ages them while the process is idle (96 MB 5 s later), so the
    // worker gives a flush's or a compaction's memory back between jobs. Process-wide.
    allocator_background_threads: 'true',
  };
  if (options.tempDirectory !== undefined) settings.temp_directory = options.tempDirectory;
  if (options.cacheFiles === false) settings.enable_external_file_cache = 'false';
  return settings;
}

/** Creates a DuckDB instance under the lake's policy; `connectDuckDb` opens connections on it. */
export async function createDuckDbInstance(options: OpenDuckDbOptions = {}): Promise<DuckDBInstance> {
  try {
    return await DuckDBInstance.create(options.path ?? ':memory:', duckDbSettings(options));
  } catch (cause) {
    throw new LakeError('QUERY_FAILED', `cannot open DuckDB: ${messageOf(cause)}`, { cause });
  }
}

const tracked = new Map<DuckDBInstance, string>();

/**
 * Reports `instance`'s memory under `label` in `readDuckDbMemory` until the returned function is
 * called (call it before closing the instance). `openDuckDb({ label })` does this itself.
 */
export function trackDuckDbMemory(label: string, instance: DuckDBInstance): () => void {
  tracked.set(instance, label);
  return () => {
    tracked.delete(instance);
  };
}

/** Memory held by the open, labelled DuckDB databases of this process, summed per label. */
export interface DuckDbMemory {
  label: string;
  /** bytes held by DuckDB's buffer manager (`duckdb_memory()`), caches included */
  memoryBytes: number;
  /** bytes spilled to the temporary directory */
  temporaryBytes: number;
  databases: number;
}

/**
 * Reads `duckdb_memory()` of every labelled database (on a connection of its own, beside any
 * running query). DuckDB's buffer manager only: what its allocator (jemalloc) keeps after freeing
 * shows in the process RSS, not here — the gap between the two is the allocator's.
 *
 * @example
 * await readDuckDbMemory() // [{ label: 'clickstream-flush', memoryBytes: 12582912, temporaryBytes: 0, databases: 1 }]
 */
export async function readDuckDbMemory(): Promise<DuckDbMemory[]> {
  const byLabel = new Map<string, DuckDbMemory>();
  for (const [instance, label] of [...tracked]) {
    let connection: DuckDBConnection | undefined;
    try {
      connection = await instance.connect();
      const reader = await connection.runAndReadAll(
        'SELECT coalesce(sum(memory_usage_bytes), 0)::DOUBLE AS memory, coalesce(sum(temporary_storage_bytes), 0)::DOUBLE AS temporary FROM duckdb_memory()',
      );
      const [memory, temporary] = reader.getRows()[0] ?? [0, 0];
      const entry = byLabel.get(label) ?? { label, memoryBytes: 0, temporaryBytes: 0, databases: 0 };
      entry.memoryBytes += Number(memory);
      entry.temporaryBytes += Number(temporary);
      entry.databases += 1;
      byLabel.set(label, entry);
    } catch {
      // closed without being untracked: nothing to report for it any more
      tracked.delete(instance);
    } finally {
      connection?.closeSync();
    }
  }
  return [...byLabel.values()];
}

/** A connection with the session part of the policy applied (UTC). */
export async function connectDuckDb(instance: DuckDBInstance): Promise<DuckDBConnection> {
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return connection;
}

/** An open DuckDB database with one connection. Close it with `close()` (safe to call twice). */
export interface LakeDb {
  readonly connection: DuckDBConnection;
  /** Runs a statement with bound parameters and returns all rows as DuckDB's JS values. */
  all<T extends LakeRow = LakeRow>(sql: string, params?: LakeParams): Promise<T[]>;
  /** Like `all`, with plain JSON-friendly values (exact BIGINT → number; see `toPlainValue`). */
  rows(sql: string, params?: DuckDBValue[]): Promise<Array<Record<string, unknown>>>;
  /** Runs a statement and ignores its result (DDL, COPY). */
  run(sql: string, params?: LakeParams): Promise<void>;
  /**
   * Another connection to the same database: it sees the same (non-temporary) tables and runs
   * its statements beside this one's, so independent writes (one COPY per day) use every thread.
   * Close it before the database; closing it leaves the database open.
   */
  connect(): Promise<LakeDb>;
  close(): void;
}

/**
 * Opens DuckDB under the lake's policy and returns one connection with small helpers.
 *
 * @example
 * const db = await openDuckDb(config.duckdb);
 * try {
 *   const rows = await db.all('SELECT count(*) AS n FROM read_parquet(?)', [glob]);
 * } finally {
 *   db.close();
 * }
 */
export async function openDuckDb(options: OpenDuckDbOptions = {}): Promise<LakeDb> {
  const instance = await createDuckDbInstance(options);
  let connection: DuckDBConnection;
  try {
    connection = await connectDuckDb(instance);
  } catch (cause) {
    instance.closeSync();
    throw new LakeError('QUERY_FAILED', `cannot open DuckDB: ${messageOf(cause)}`, { cause });
  }
  const untrack = options.label === undefined ? () => undefined : trackDuckDbMemory(options.label, instance);
  return lakeDbOf(instance, connection, () => {
    untrack();
    instance.closeSync();
  });
}

/** The `LakeDb` face of one connection; `closeRest` runs after the connection is closed. */
function lakeDbOf(instance: DuckDBInstance, connection: DuckDBConnection, closeRest: () => void): LakeDb {
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
    rows(sql: string, params?: DuckDBValue[]): Promise<Array<Record<string, unknown>>> {
      return readRows(connection, sql, params);
    },
    async run(sql: string, params?: LakeParams): Promise<void> {
      try {
        await connection.run(sql, params);
      } catch (cause) {
        throw new LakeError('QUERY_FAILED', `DuckDB statement failed: ${messageOf(cause)}`, { cause });
      }
    },
    async connect(): Promise<LakeDb> {
      if (isClosed) throw new LakeError('QUERY_FAILED', 'cannot connect: the DuckDB database is closed');
      try {
        return lakeDbOf(instance, await connectDuckDb(instance), () => undefined);
      } catch (cause) {
        throw new LakeError('QUERY_FAILED', `cannot connect to DuckDB: ${messageOf(cause)}`, { cause });
      }
    },
    close(): void {
      if (isClosed) return;
      isClosed = true;
      try {
        connection.closeSync();
      } finally {
        closeRest();
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

/** A number from a DuckDB aggregate (number, BIGINT or numeric string); 0 for NULL. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}

/** DuckDB DATE values arrive as Date or string; callers want `YYYY-MM-DD`. */
export function toDateText(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

/** Runs a query and returns its rows as plain objects (`toPlainValue`). */
export async function readRows(connection: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<Array<Record<string, unknown>>> {
  let reader;
  try {
    reader = await connection.runAndReadAll(sql, params);
  } catch (cause) {
    throw new LakeError('QUERY_FAILED', `DuckDB query failed: ${messageOf(cause)}`, { cause });
  }
  return reader.getRowObjectsJS().map((row) => {
    const plain: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) plain[key] = toPlainValue(value);
    return plain;
  });
}

/** Quotes a string as a SQL literal (for the few places DuckDB cannot bind: COPY targets, PRAGMAs, file lists). */
export function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** A quoted identifier; only lower-case snake_case names are accepted (rules and datasets use them). */
export function sqlIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a valid column or table name: "${name}"`);
  return `"${name}"`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
