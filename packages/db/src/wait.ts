import { setTimeout as sleep } from 'node:timers/promises';

import { hasPgCode, isDatabaseUnavailable, PG_ERROR } from './errors.js';

/** The database did not accept connections in time (the server is down or still starting). */
export class DatabaseWaitError extends Error {
  readonly kind = 'unavailable';
  constructor(
    readonly waitedMs: number,
    cause: unknown,
  ) {
    super(`the database did not accept connections within ${(waitedMs / 1000).toFixed(1)} s: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'DatabaseWaitError';
  }
}

/**
 * Waits until the database answers `SELECT 1`, so a tier may start while PostgreSQL is still
 * booting (`npm start` starts them side by side on a later start). Retries while the server
 * refuses, is starting up (57P03) or the database is not created yet (3D000); any other error
 * (a wrong password…) is thrown at once.
 *
 * @returns how many milliseconds it waited.
 */
export async function waitForDatabase(
  pool: { query(sql: string): Promise<unknown> },
  options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const startedAt = Date.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 100;
  for (;;) {
    try {
      await pool.query('SELECT 1');
      return Date.now() - startedAt;
    } catch (error) {
      if (!isDatabaseUnavailable(error) && !hasPgCode(error, PG_ERROR.INVALID_CATALOG_NAME)) throw error;
      const waited = Date.now() - startedAt;
      if (waited + intervalMs > timeoutMs || options.signal?.aborted) throw new DatabaseWaitError(waited, error);
      await sleep(intervalMs);
    }
  }
}
