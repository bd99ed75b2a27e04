import type { PoolClient } from '@threadline/db';

/** Advisory lock key of the worker's leadership: one worker runs the jobs, the others stand by. */
export const WORKER_LEADER_LOCK_KEY = 727_100;

/** Tries the session-level leadership lock on `client`; true when this session now holds it. */
export async function tryTakeLeaderLock(client: PoolClient): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [WORKER_LEADER_LOCK_KEY]);
  return rows[0]?.locked === true;
}

/** A cheap round trip proving the session (and so the lock) is still there. */
export async function pingLeaderSession(client: PoolClient): Promise<void> {
  await client.query('SELECT 1');
}
