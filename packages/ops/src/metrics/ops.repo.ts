import type pg from 'pg';

type Queryable = Pick<pg.Pool, 'query'>;

export interface DatabaseStatus {
  maxConnections: number;
  connections: Record<string, number>;
  isArchiving: boolean;
  archivedCount: number;
  failedCount: number;
  lastArchivedAt: Date | null;
  lastFailedAt: Date | null;
  lastFailedWal: string | null;
}

/** Server-wide connection counts and WAL archiver statistics. */
export async function readDatabaseStatus(db: Queryable): Promise<DatabaseStatus> {
  const { rows } = await db.query<{
    max_connections: number;
    archive_mode: string;
    archived_count: number;
    failed_count: number;
    last_archived_time: Date | null;
    last_failed_time: Date | null;
    last_failed_wal: string | null;
  }>(
    `SELECT current_setting('max_connections')::int AS max_connections,
            current_setting('archive_mode') AS archive_mode,
            archived_count::int, failed_count::int, last_archived_time, last_failed_time, last_failed_wal
       FROM pg_stat_archiver`,
  );
  const states = await db.query<{ state: string; n: number }>(
    `SELECT coalesce(state, 'background') AS state, count(*)::int AS n
       FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1`,
  );
  const row = rows[0];
  return {
    maxConnections: row?.max_connections ?? 0,
    connections: Object.fromEntries(states.rows.map((entry) => [entry.state, entry.n])),
    isArchiving: row?.archive_mode === 'on' || row?.archive_mode === 'always',
    archivedCount: row?.archived_count ?? 0,
    failedCount: row?.failed_count ?? 0,
    lastArchivedAt: row?.last_archived_time ?? null,
    lastFailedAt: row?.last_failed_time ?? null,
    lastFailedWal: row?.last_failed_wal ?? null,
  };
}

export interface PipelineStatus {
  table: string;
  lastSuccessAt: Date | null;
  lastFinishedAt: Date | null;
  isLastFailed: boolean;
}

/** Table names the pipeline's run history may use; the first that exists is read. */
const RUN_HISTORY_TABLES = ['pipeline_runs', 'workflow_runs'] as const;
const END_COLUMNS = ['finished_at', 'ended_at', 'end_time', 'completed_at'] as const;

/**
 * Last success and last outcome of the nightly data pipeline, from its run history in PostgreSQL.
 * Undefined until the pipeline's tables exist (the pipeline feature owns them; this only reads).
 */
export async function readPipelineStatus(db: Queryable): Promise<PipelineStatus | undefined> {
  const { rows } = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
    [RUN_HISTORY_TABLES],
  );
  for (const table of RUN_HISTORY_TABLES) {
    const columns = new Set(rows.filter((row) => row.table_name === table).map((row) => row.column_name));
    const end = END_COLUMNS.find((column) => columns.has(column));
    if (!columns.has('status') || !end) continue;
    // identifiers come from the fixed lists above, never from input
    const result = await db.query<{ last_success: Date | null; last_finished: Date | null; last_status: string | null }>(
      `SELECT (SELECT max(${end}) FROM ${table} WHERE status IN ('succeeded', 'success', 'ok')) AS last_success,
              (SELECT max(${end}) FROM ${table} WHERE ${end} IS NOT NULL) AS last_finished,
              (SELECT status FROM ${table} WHERE ${end} IS NOT NULL ORDER BY ${end} DESC LIMIT 1) AS last_status`,
    );
    const row = result.rows[0];
    return {
      table,
      lastSuccessAt: row?.last_success ?? null,
      lastFinishedAt: row?.last_finished ?? null,
      isLastFailed: row?.last_status === 'failed' || row?.last_status === 'error',
    };
  }
  return undefined;
}
