import { setTimeout as sleep } from 'node:timers/promises';

import type pg from 'pg';

import { OpsError } from '../errors.js';

type Queryable = Pick<pg.Pool, 'query'>;

/**
 * Closes the current WAL segment and waits until the archiver has pushed it, so everything
 * committed before the call is in the backup repository. Fails with the archiver's last error
 * when archiving is broken instead of waiting forever.
 */
export async function switchWalAndWait(db: Queryable, timeoutMs = 60_000): Promise<string> {
  const switched = await db.query<{ segment: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS segment');
  const segment = switched.rows[0]?.segment ?? '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ last_archived_wal: string | null; last_failed_wal: string | null; failed_count: number }>(
      'SELECT last_archived_wal, last_failed_wal, failed_count::int AS failed_count FROM pg_stat_archiver',
    );
    const row = rows[0];
    // segment names sort in WAL order within a timeline
    if (row?.last_archived_wal && row.last_archived_wal >= segment) return segment;
    await sleep(100);
  }
  const { rows } = await db.query<{ last_failed_wal: string | null; last_failed_time: Date | null }>(
    'SELECT last_failed_wal, last_failed_time FROM pg_stat_archiver',
  );
  const failure = rows[0]?.last_failed_wal ? ` (last failure: ${rows[0].last_failed_wal} at ${rows[0].last_failed_time?.toISOString()})` : '';
  throw new OpsError('BACKUP_COMMAND_FAILED', `WAL segment ${segment} was not archived within ${timeoutMs / 1000} s${failure}: check archive_command and the pgbackrest log`);
}

/**
 * Makes sure the WAL archive reaches `at`: when the archiver's last push is older (the segment
 * holding `at` is still being written, archive_timeout is 60 s), switches WAL and waits for the
 * push. Returns the archiver's last archived time afterwards.
 */
export async function ensureArchivedThrough(db: Queryable, at: Date, timeoutMs = 60_000): Promise<Date | null> {
  const read = async (): Promise<Date | null> => {
    const { rows } = await db.query<{ last_archived_time: Date | null }>('SELECT last_archived_time FROM pg_stat_archiver');
    return rows[0]?.last_archived_time ?? null;
  };
  const last = await read();
  if (last && last.getTime() >= at.getTime()) return last;
  await switchWalAndWait(db, timeoutMs);
  return read();
}
