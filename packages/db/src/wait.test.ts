import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import { createPool } from './pool.js';
import { createTestDatabase, freePort } from './testing/index.js';
import { DatabaseWaitError, waitForDatabase } from './wait.js';

test('waitForDatabase answers at once when the database is up', async () => {
  const db = await createTestDatabase({ migrate: false });
  after(() => db.close());
  const waited = await waitForDatabase(db.pool, { timeoutMs: 5_000 });
  assert.ok(waited >= 0);
});

test('waitForDatabase keeps trying while nothing listens, then gives up with a typed error', async () => {
  const port = await freePort();
  const pool = createPool(`postgres://nobody:secret@127.0.0.1:${port}/nothing`, { max: 1 });
  after(() => pool.end());
  let attempts = 0;
  const counting = {
    query: async (sql: string) => {
      attempts += 1;
      return pool.query(sql);
    },
  };
  await assert.rejects(waitForDatabase(counting, { timeoutMs: 400, intervalMs: 50 }), (error: unknown) => {
    assert.ok(error instanceof DatabaseWaitError);
    assert.equal(error.kind, 'unavailable');
    assert.match(error.message, /did not accept connections/);
    return true;
  });
  assert.ok(attempts > 1, `tried ${attempts} times`);
});

test('waitForDatabase does not retry a wrong password: that is no start-up delay', async () => {
  const db = await createTestDatabase({ migrate: false });
  after(() => db.close());
  const url = new URL(db.url);
  url.password = 'not-the-password';
  const pool = createPool(url.toString(), { max: 1 });
  after(() => pool.end());
  const startedAt = Date.now();
  await assert.rejects(waitForDatabase(pool, { timeoutMs: 20_000 }), (error: unknown) => !(error instanceof DatabaseWaitError));
  assert.ok(Date.now() - startedAt < 20_000);
});
