import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from '@threadline/config';
import type { Pool, PoolClient } from '@threadline/db';

import { pingLeaderSession, tryTakeLeaderLock } from './leader.repo.js';

export interface Leadership {
  /** Resolves when this process lost the lock (its session broke); the jobs must stop at once. */
  lost: Promise<string>;
  release(): void;
}

/**
 * Waits until this worker holds the leadership lock (a PostgreSQL session-level advisory lock on
 * a dedicated connection). PostgreSQL frees the lock the moment the holder's session ends —
 * process killed, host gone, database failed over — so a standby worker polling every
 * `pollMs` takes over within about that time, and no lock file can go stale. Resolves undefined
 * when `signal` aborts first.
 */
export async function waitForLeadership(options: { pool: Pool; logger: Logger; pollMs?: number; signal: AbortSignal }): Promise<Leadership | undefined> {
  const pollMs = options.pollMs ?? 1_000;
  let hasLoggedStandby = false;
  while (!options.signal.aborted) {
    let client: PoolClient | undefined;
    try {
      client = await options.pool.connect();
      if (await tryTakeLeaderLock(client)) return holdLeadership(client, pollMs);
      client.release();
      if (!hasLoggedStandby) options.logger.info('another worker runs the jobs: standing by to take over');
      hasLoggedStandby = true;
    } catch (error) {
      client?.release(true);
      options.logger.warn({ err: error }, 'leadership check failed (database unreachable?); retrying');
    }
    await sleep(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return undefined;
}

function holdLeadership(client: PoolClient, pollMs: number): Leadership {
  let resolveLost: (reason: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (resolveLost = resolve));
  let isReleased = false;
  client.on('error', (error: Error) => resolveLost(`leadership session broke: ${error.message}`));
  // a silent network partition raises no error: a periodic round trip notices it
  const timer = setInterval(() => {
    pingLeaderSession(client).catch((error: unknown) => resolveLost(`leadership session broke: ${String(error)}`));
  }, pollMs * 5);
  timer.unref();
  return {
    lost,
    release() {
      if (isReleased) return;
      isReleased = true;
      clearInterval(timer);
      client.release(true); // closing the session frees the lock
    },
  };
}
