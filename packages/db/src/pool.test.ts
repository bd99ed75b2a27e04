import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { createPool, prewarmPool, type Pool } from './pool.js';
import { createTestDatabase, type TestDatabase } from './testing/index.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ migrate: false });
});
after(async () => {
  await db.close();
});

/** Sessions the server has open for one application name. */
async function serverSessions(applicationName: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  return rows[0]?.n ?? -1;
}

describe('prewarmPool', () => {
  let pool: Pool | undefined;
  after(async () => {
    await pool?.end();
  });

  it('opens the connections before the first request, and with min they outlast the idle timeout', async () => {
    const name = `prewarm-${randomBytes(4).toString('hex')}`;
    pool = createPool(db.url, { max: 4, min: 3, idleTimeoutMillis: 50, applicationName: name });
    assert.equal(await serverSessions(name), 0, 'a new pool opens nothing by itself');
    assert.equal(await prewarmPool(pool, 3), 3);
    assert.equal(await serverSessions(name), 3);
    // a burst takes the fourth; once idle past the timeout only that one closes
    const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect(), pool.connect()]);
    for (const client of clients) client.release();
    assert.equal(pool.totalCount, 4);
    await sleep(300);
    assert.equal(pool.totalCount, 3);
    assert.equal(await serverSessions(name), 3);
    const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
    assert.deepEqual(rows, [{ one: 1 }]);
  });

  it('never opens more than the pool allows', async () => {
    const name = `prewarm-${randomBytes(4).toString('hex')}`;
    const small = createPool(db.url, { max: 2, applicationName: name });
    try {
      assert.equal(await prewarmPool(small, 10), 2);
      assert.equal(await serverSessions(name), 2);
    } finally {
      await small.end();
    }
  });
});
