import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createPool } from '@threadline/db';
import { startTestCluster } from '@threadline/db/testing';

import { parseProcStat, readCommitCounters, treeCpuMs } from './checkout-breakdown.js';

describe('parseProcStat', () => {
  it('reads pid, parent and user + system time (own and reaped children) of a /proc stat line', () => {
    const line = '4242 (postgres) S 4200 4242 4242 0 -1 4194560 1200 0 0 0 150 30 7 3 20 0 1 0 900 1000 200';
    assert.deepEqual(parseProcStat(line), { pid: 4242, ppid: 4200, ticks: 150 + 30 + 7 + 3 });
  });

  it('counts fields from the last parenthesis, so a command name with spaces and parentheses does not shift them', () => {
    const line = '77 (node (api) worker) R 1 77 77 0 -1 0 0 0 0 0 10 20 0 0 20 0 1 0 5 6 7';
    assert.deepEqual(parseProcStat(line), { pid: 77, ppid: 1, ticks: 30 });
  });

  it('answers null for a line that is not a stat line', () => {
    assert.equal(parseProcStat('not a stat line'), null);
  });
});

describe('treeCpuMs', () => {
  it('reports this process using CPU, and zero for a process that does not exist', () => {
    // burn a little CPU so that at least one clock tick is recorded
    const until = Date.now() + 60;
    let spin = 0;
    while (Date.now() < until) spin += 1;
    assert.ok(spin > 0);
    const cpu = treeCpuMs({ self: process.pid, missing: 2 ** 22 + 1 });
    assert.ok((cpu.self ?? 0) > 0, `self used ${cpu.self} ms`);
    assert.equal(cpu.missing, 0);
  });
});

describe('readCommitCounters', () => {
  it('counts the commits and the WAL records and bytes a write adds, one record per index entry', async () => {
    const cluster = await startTestCluster();
    // one connection: the write and the reads share the backend whose statistics are flushed
    const pool = createPool(cluster.url, { max: 1, applicationName: 'breakdown-test' });
    try {
      await pool.query('CREATE TABLE t (id integer PRIMARY KEY, a integer, b integer)');
      await pool.query('CREATE INDEX t_a_idx ON t (a)');
      await pool.query('SELECT pg_stat_force_next_flush()');
      const before = await readCommitCounters(pool);
      await pool.query('INSERT INTO t SELECT i, i, i FROM generate_series(1, 100) AS i');
      await pool.query('SELECT pg_stat_force_next_flush()');
      const after = await readCommitCounters(pool);
      // 100 heap inserts + 100 entries in each of the two indexes (+ the commit record)
      const records = after.walRecords - before.walRecords;
      assert.ok(records >= 300 && records < 320, `${records} WAL records`);
      assert.ok(after.walBytes - before.walBytes > 100 * 20, `${after.walBytes - before.walBytes} WAL bytes`);
      assert.ok(after.commits - before.commits >= 1);
      assert.ok(after.walFullPageImages >= before.walFullPageImages);
    } finally {
      await pool.end();
      await cluster.destroy();
    }
  });
});
