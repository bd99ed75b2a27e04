import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { openDuckDb, sqlLiteral, withDuckDb } from './duckdb.js';
import { isLakeError } from './errors.js';

describe('duckdb helpers', () => {
  it('binds parameters and returns rows as plain objects', async () => {
    const rows = await withDuckDb((db) => db.all<{ n: number; s: string }>('SELECT ?::INTEGER + 1 AS n, $2 AS s', [41, 'x']));
    assert.deepEqual(rows, [{ n: 42, s: 'x' }]);
  });

  it('writes and reads real Parquet files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tl-duck-'));
    try {
      await withDuckDb(async (db) => {
        const file = path.join(dir, 'a.parquet');
        await db.run(`COPY (SELECT range AS id FROM range(10)) TO ${sqlLiteral(file)} (FORMAT parquet)`);
        const [row] = await db.all('SELECT count(*) AS n, sum(id) AS s FROM read_parquet(?)', [file]);
        assert.equal(row?.n, 10n);
        assert.equal(row?.s, 45n);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('wraps SQL errors in a typed error and closes twice safely', async () => {
    const db = await openDuckDb();
    await assert.rejects(db.all('SELECT * FROM no_such_table'), (e: unknown) => isLakeError(e) && e.code === 'QUERY_FAILED');
    db.close();
    db.close();
  });

  it('quotes literals', () => {
    assert.equal(sqlLiteral("it's"), "'it''s'");
  });
});
