import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { openDuckDb, readDuckDbMemory, sqlLiteral, withDuckDb } from './duckdb.js';
import { isLakeError } from './errors.js';

const run = promisify(execFile);

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

  it('opens more connections to the same database, which see its tables and close on their own', async () => {
    const db = await openDuckDb({ threads: 2 });
    try {
      await db.run('CREATE TABLE shared AS SELECT range AS n FROM range(10)');
      const second = await db.connect();
      try {
        // both connections at once, each with its own statement
        const [first, other] = await Promise.all([db.all<{ total: bigint }>('SELECT sum(n) AS total FROM shared'), second.all<{ total: bigint }>('SELECT sum(n) AS total FROM shared WHERE n > 4')]);
        assert.equal(first[0]?.total, 45n);
        assert.equal(other[0]?.total, 35n);
        const zone = await second.all<{ zone: string }>("SELECT current_setting('TimeZone') AS zone");
        assert.equal(zone[0]?.zone, 'UTC');
      } finally {
        second.close();
      }
      // the database stays open after its second connection closed
      assert.equal((await db.all<{ count: bigint }>('SELECT count(*) AS count FROM shared'))[0]?.count, 10n);
    } finally {
      db.close();
    }
    await assert.rejects(db.connect(), (e: unknown) => isLakeError(e) && e.code === 'QUERY_FAILED');
  });

  it('reports the memory of labelled databases while they are open, summed per label, and forgets them on close', async () => {
    const label = (rows: Awaited<ReturnType<typeof readDuckDbMemory>>, name: string) => rows.find((row) => row.label === name);
    const first = await openDuckDb({ threads: 1, memoryLimit: '256MB', label: 'memory-test' });
    const second = await openDuckDb({ threads: 1, memoryLimit: '256MB', label: 'memory-test' });
    const unlabelled = await openDuckDb({ threads: 1 });
    try {
      await first.run('CREATE TABLE held AS SELECT range AS n, repeat(\'x\', 100) AS pad FROM range(200000)');
      await unlabelled.run('CREATE TABLE held AS SELECT range AS n, repeat(\'x\', 100) AS pad FROM range(200000)');
      const open = label(await readDuckDbMemory(), 'memory-test');
      assert.equal(open?.databases, 2);
      // the table's buffers: 200,000 rows of a BIGINT and a 100-byte string
      assert.ok((open?.memoryBytes ?? 0) > 1_000_000, `memory ${open?.memoryBytes}`);
      assert.equal(open?.temporaryBytes, 0);
      first.close();
      assert.equal(label(await readDuckDbMemory(), 'memory-test')?.databases, 1);
    } finally {
      first.close();
      second.close();
      unlabelled.close();
    }
    assert.equal(label(await readDuckDbMemory(), 'memory-test'), undefined);
  });

  it('keeps no file blocks in memory when told not to cache files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duckdb-file-cache-'));
    const cached = await openDuckDb({ threads: 1 });
    const uncached = await openDuckDb({ threads: 1, cacheFiles: false });
    try {
      const file = path.join(dir, 'data.parquet');
      await cached.run(`COPY (SELECT range AS id, md5(range::VARCHAR) AS s FROM range(50000)) TO ${sqlLiteral(file)} (FORMAT parquet)`);
      const fileCache = async (db: typeof cached): Promise<number> => {
        await db.all(`SELECT count(DISTINCT s) AS n FROM read_parquet(${sqlLiteral(file)})`);
        const [row] = await db.all<{ bytes: bigint }>("SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT AS bytes FROM duckdb_memory() WHERE tag = 'EXTERNAL_FILE_CACHE'");
        return Number(row?.bytes ?? 0);
      };
      assert.ok((await fileCache(cached)) > 0, 'the default keeps the blocks it read');
      assert.equal(await fileCache(uncached), 0);
    } finally {
      cached.close();
      uncached.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives the memory a finished job freed back to the system while the process is idle', async () => {
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing', 'memory-after-job.ts');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', child], { timeout: 120_000 });
    const { beforeMb, peakMb, afterMb } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { beforeMb: number; peakMb: number; afterMb: number };
    assert.ok(peakMb - beforeMb > 200, `the job took ${Math.round(peakMb - beforeMb)} MB`);
    // without the allocator's background thread, jemalloc kept the freed pages until its next
    // allocation: 245–414 MB of RSS 15 s after the job (from 110–114, peak 564–585), against 97 MB
    // within 2 s with it (from 90, peak 575)
    assert.ok(afterMb <= beforeMb + (peakMb - beforeMb) / 8, `RSS ${Math.round(afterMb)} MB 15 s after the job (before ${Math.round(beforeMb)}, peak ${Math.round(peakMb)})`);
  });

  it('quotes literals', () => {
    assert.equal(sqlLiteral("it's"), "'it''s'");
  });
});
