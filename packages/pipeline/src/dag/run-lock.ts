import type { Pool, PoolClient } from '@threadline/db';

/** Advisory lock key of the pipeline: one run at a time across every worker and CLI process. */
const PIPELINE_LOCK_KEY = 727_200;

export interface RunLock {
  release(): Promise<void>;
}

/**
 * Takes the pipeline's session-level advisory lock on a dedicated connection. It survives
 * crashes in the right way: if the holder dies, its connection closes and PostgreSQL frees the
 * lock, so nothing stays stuck and no stale lock file needs clearing. Returns null when another
 * process holds it.
 */
export async function tryAcquireRunLock(pool: Pool): Promise<RunLock | null> {
  const client: PoolClient = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PIPELINE_LOCK_KEY]);
    if (!rows[0]?.locked) {
      client.release();
      return null;
    }
  } catch (error) {
    client.release(true);
    throw error;
  }
  let isReleased = false;
  return {
    async release() {
      if (isReleased) return;
      isReleased = true;
      try {
        await client.query('SELECT pg_advisory_unlock($1)', [PIPELINE_LOCK_KEY]);
        client.release();
      } catch {
        client.release(true); // a broken connection releases the lock anyway
      }
    },
  };
}
