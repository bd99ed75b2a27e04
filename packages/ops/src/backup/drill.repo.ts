import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { withClient } from '@threadline/db';

export interface CanaryWrite {
  id: string;
  committedAt: Date;
  xid: string;
  /** Exact row counts of every table in the schema, as of the canary's transaction. */
  counts: Record<string, number>;
}

const CANARY_TABLE = 'ops_restore_canary';

async function countTables(client: pg.ClientBase): Promise<Record<string, number>> {
  const { rows } = await client.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`,
  );
  const counts: Record<string, number> = {};
  for (const { tablename } of rows) {
    const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${client.escapeIdentifier(tablename)}`);
    counts[tablename] = Number(result.rows[0]?.n ?? 0);
  }
  return counts;
}

/**
 * Writes the drill's canary row and counts every table in the same REPEATABLE READ snapshot, so
 * a restore to this transaction (xid, inclusive) must show exactly these counts.
 */
export async function writeCanary(url: string): Promise<CanaryWrite> {
  return withClient({ connectionString: url, application_name: 'threadline-drill' }, async (client) => {
    await client.query(`CREATE TABLE IF NOT EXISTS ${CANARY_TABLE} (id uuid PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const id = randomUUID();
      await client.query(`INSERT INTO ${CANARY_TABLE} (id) VALUES ($1)`, [id]);
      const counts = await countTables(client);
      const { rows } = await client.query<{ xid: string }>('SELECT txid_current()::text AS xid');
      await client.query('COMMIT');
      const committed = await client.query<{ at: Date }>('SELECT clock_timestamp() AS at');
      return { id, xid: rows[0]?.xid ?? '', counts, committedAt: committed.rows[0]?.at ?? new Date() };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/** Whether the canary row is in the restored copy, and that copy's table counts. */
export async function readRestoredState(url: string, canaryId: string): Promise<{ hasCanary: boolean; counts: Record<string, number> }> {
  return withClient({ connectionString: url, application_name: 'threadline-drill' }, async (client) => {
    const canary = await client.query(`SELECT 1 FROM ${CANARY_TABLE} WHERE id = $1`, [canaryId]).catch(() => ({ rowCount: 0 }));
    return { hasCanary: (canary.rowCount ?? 0) > 0, counts: await countTables(client) };
  });
}

/** When the archiver last pushed a segment, and the server's archive_timeout in seconds. */
export async function readArchiverState(url: string): Promise<{ lastArchivedWal: string | null; archiveTimeoutSeconds: number }> {
  const { rows } = await withClient({ connectionString: url }, (client) =>
    client.query<{ last_archived_wal: string | null; timeout: string }>(`SELECT last_archived_wal, current_setting('archive_timeout') AS timeout FROM pg_stat_archiver`),
  );
  const raw = rows[0]?.timeout ?? '0';
  // archive_timeout reads back as "1min", "60s" or "0"
  const match = /^(\d+)(ms|s|min|h)?$/.exec(raw);
  const factor = { ms: 0.001, s: 1, min: 60, h: 3600 }[match?.[2] ?? 's'] ?? 1;
  return { lastArchivedWal: rows[0]?.last_archived_wal ?? null, archiveTimeoutSeconds: Number(match?.[1] ?? 0) * factor };
}

/** The WAL segment that holds the current insert position. */
export async function currentSegment(url: string): Promise<string> {
  const { rows } = await withClient({ connectionString: url }, (client) =>
    client.query<{ segment: string }>('SELECT pg_walfile_name(pg_current_wal_insert_lsn()) AS segment'),
  );
  return rows[0]?.segment ?? '';
}
